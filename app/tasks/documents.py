"""Job: render an issued form's PDF (thin: the service does the work)."""
from app.services import issuing


def render_issued_document(document_id: int) -> None:
    issuing.render(document_id)
