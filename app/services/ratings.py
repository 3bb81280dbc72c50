"""The applicant rates a returned dossier once (Decision 766 index 5.4 counts the dissatisfied)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.domain.vocabulary import RatingValue
from app.extensions import db
from app.models import Dossier, Rating, User
from app.models.users import utcnow
from app.services.transitions import DossierError, commit


def rate(dossier: Dossier, user: User, value: str, comment: str = "", now: datetime | None = None) -> Rating:
    if dossier.owner_id != user.id:
        raise DossierError("Chỉ người nộp hồ sơ được đánh giá.", status=403)
    if dossier.status != "returned":
        raise DossierError("Hồ sơ được đánh giá sau khi đã trả kết quả.", status=409)
    if dossier.rating is not None:
        raise DossierError("Hồ sơ đã được đánh giá; mỗi hồ sơ đánh giá một lần.", status=409)
    if not RatingValue.known(value):
        raise DossierError("Chọn một mức đánh giá.", fields={"value": "Chọn một mức đánh giá."})
    rating = Rating(dossier=dossier, value=value, comment=comment.strip()[:2000], created_at=now or utcnow())
    db.session.add(rating)
    dossier.rated_poor = value == "not_satisfied"
    commit()
    return rating


def for_agencies(agency_ids: list[int], page: int, per_page: int):
    """Ratings of dossiers received or resolved by these agencies, newest first (for staff)."""
    query = (select(Rating).join(Dossier).where(
        (Dossier.receiving_agency_id.in_(agency_ids)) | (Dossier.resolving_agency_id.in_(agency_ids)))
        .order_by(Rating.created_at.desc(), Rating.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
