"""Job: sign an issued document (thin: the service does the work). Enqueued after rendering
(tasks/documents.py) and after the clerk's issuing step; re-runnable, it signs once."""
from app.services import signing


def sign_issued_document(document_id: int) -> None:
    signing.sign(document_id)
