"""Job: render an issued form's PDF, then sign it (thin: the services do the work)."""
from app.queue import SIGN_DOCUMENT, enqueue
from app.services import issuing


def render_issued_document(document_id: int) -> None:
    issuing.render(document_id)
    enqueue(SIGN_DOCUMENT, document_id)  # chained: the PDF exists now (nothing to do on paper)
