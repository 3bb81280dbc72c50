"""Job: render an issued form's PDF, then sign it (thin: the services do the work)."""
from app.services import issuing
from app.tasks import enqueue
from app.tasks.signing import sign_issued_document


def render_issued_document(document_id: int) -> None:
    issuing.render(document_id)
    enqueue(sign_issued_document, document_id)  # chained: the PDF exists now (nothing to do on paper)
