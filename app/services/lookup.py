"""Public lookup of a dossier by its code (the QR code on the receipt leads here).

Shows only what the national portal shows anyone holding the code: procedure, status,
dates and the applicant's masked name — never an ID number, address, phone, e-mail or file
(Decree 45/2020 Art. 12; ANCHORS.md VN-2 lesson 8). Rate-limited in the views.

By the official code only, never by a submission reference: the public lookup is the one
"by dossier code or the QR code printed for each dossier" (LEGAL.md §2.3), and the reference
is printed on no receipt: only the applicant holds it, and they follow a dossier not yet
received in their own account (page and API), where they are known."""
from __future__ import annotations

from app.domain.codes import is_valid_code, mask_name
from app.domain.workflow import Status
from app.services.dossiers import by_code


def public_view(code: str) -> dict | None:
    """None when the code is malformed or unknown (both answer "not found"); a dossier not yet
    received (or refused) has no code."""
    if not is_valid_code(code):
        return None
    dossier = by_code(code)
    if dossier is None:
        return None
    status = Status(dossier.status)
    version = dossier.procedure_version
    return {
        "code": dossier.code,
        "procedure": {"code": version.code, "name": version.name},
        "status": status.value,
        "status_code": status.national_code,
        "status_label": status.citizen_label,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "agency": dossier.receiving_agency.name,
        "applicant": mask_name(dossier.applicant_name),
    }
