"""Who looked at my dossier (issue 13): every time an official opens a citizen's dossier, one of
its files or documents, a record is kept — who, of which agency, when, what — and the citizen
reads the list on their dossier page and through the API. The applicant's own views are not
recorded (it is their dossier); nor is anything public (statistics, the masked lookup)."""
from __future__ import annotations

from sqlalchemy import select

from app.domain.vocabulary import AccessKind
from app.extensions import db
from app.models import Dossier, DossierAccess, User
from app.services.permissions import member


def _agency_name(user: User, dossier: Dossier) -> str:
    """The agency through which the official sees the dossier: the receiving desk, an agency of
    one of its steps, else (an administrator) the first agency they belong to."""
    agencies = [dossier.receiving_agency, *(s.agency for s in dossier.steps)]
    seen = next((a for a in agencies if a is not None and member(user, a.id)), None)
    if seen is None and user.memberships:
        seen = user.memberships[0].agency
    return seen.name if seen is not None else ""


def opened(user: User, dossier: Dossier, what: AccessKind, object_id: int | None = None) -> None:
    """Record that `user` opened `what` of the dossier, unless they are its applicant. Commits:
    a view is its own transaction (a GET with nothing else to save)."""
    if dossier.owner_id is not None and dossier.owner_id == user.id:
        return
    db.session.add(DossierAccess(dossier_id=dossier.id, user_id=user.id, user_name=user.full_name,
                                 agency_name=_agency_name(user, dossier), what=what.value, object_id=object_id))
    db.session.commit()


def of(dossier: Dossier, limit: int | None = None) -> list[DossierAccess]:
    """The dossier's access records, newest first."""
    query = (select(DossierAccess).where(DossierAccess.dossier_id == dossier.id)
             .order_by(DossierAccess.at.desc(), DossierAccess.id.desc()))
    return list(db.session.scalars(query.limit(limit) if limit else query))
