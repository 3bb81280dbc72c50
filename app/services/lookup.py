"""Public lookup of a dossier by its code (the QR code on the receipt leads here).

Shows anyone holding the code the status, the dates and the applicant's masked name; the
procedure and the history only to one who also holds the receipt's QR link or the last four
digits of the applicant's ID number (issue 13) — never an ID number, address, phone, e-mail or file
(Decree 45/2020 Art. 12; ANCHORS.md VN-2 lesson 8). Rate-limited in the views.

By the official code only, never by a submission reference: the public lookup is the one
"by dossier code or the QR code printed for each dossier" (LEGAL.md §2.3), and the reference
is printed on no receipt: only the applicant holds it, and they follow a dossier not yet
received in their own account (page and API), where they are known."""
from __future__ import annotations

import hmac

from sqlalchemy import bindparam, select

from app.domain.codes import is_valid_code, mask_name
from app.domain.workflow import Status
from app.extensions import db
from app.models import Agency, Dossier

# The public columns with the desk's name: one narrow row, read without the ORM's object
# machinery (building a Dossier with load_only/joinedload options was about half of the
# lookup's CPU, issue 15); the proved part (procedure, history) loads the dossier itself.
# The statement is built once (its construction was another tenth).
PUBLIC_ROW = (select(Dossier.id, Dossier.code, Dossier.status, Dossier.received_at, Dossier.due_at,
                     Dossier.applicant_name, Dossier.applicant_id_number, Dossier.lookup_secret,
                     Agency.name.label("agency_name"))
              .join(Agency, Agency.id == Dossier.receiving_agency_id).where(Dossier.code == bindparam("code")))


def proves(dossier, secret: str = "", id_last4: str = "") -> bool:
    """Whether the asker holds more than the code: the receipt's QR secret, or the last four
    digits of the applicant's ID number (issue 13). Compared in constant time."""
    if secret and dossier.lookup_secret and hmac.compare_digest(secret.encode(), dossier.lookup_secret.encode()):
        return True
    number = dossier.applicant_id_number or ""
    return len(id_last4) == 4 and len(number) >= 4 and hmac.compare_digest(id_last4.encode(), number[-4:].encode())


def public_view(code: str, secret: str = "", id_last4: str = "") -> dict | None:
    """None when the code is malformed or unknown (both answer "not found"); a dossier not yet
    received (or refused) has no code. The code alone gives the status, the dates, the agency
    and the masked name; the procedure and the history need `proves` (codes are sequential per
    desk and day: the code alone must not tell what someone applied for)."""
    if not is_valid_code(code):
        return None
    # One round trip on the hot path of the QR code.
    dossier = db.session.connection().execute(PUBLIC_ROW, {"code": code.strip().upper()}).first()
    if dossier is None:
        return None
    status = Status(dossier.status)
    view = {
        "code": dossier.code,
        "status": status.value,
        "status_code": status.national_code,
        "status_label": status.citizen_label,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "agency": dossier.agency_name,
        "applicant": mask_name(dossier.applicant_name),
        "procedure": None,
        "history": None,
    }
    if proves(dossier, secret, id_last4):
        whole = db.session.get(Dossier, dossier.id)
        version = whole.procedure_version
        view["procedure"] = {"code": version.code, "name": version.name}
        view["history"] = [{"at": e.at, "status_label": Status(e.to_status).citizen_label}
                           for e in whole.events if e.to_status != e.from_status]
    return view
