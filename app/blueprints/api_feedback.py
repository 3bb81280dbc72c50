"""JSON API of issue 17: feedback (phản ánh, kiến nghị) — sending, following, the agency's
steps, rating; the published answers for anyone — and the citizen's store of papers."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.blueprints import api_models as m
from app.blueprints.api import ApiError, bp
from app.blueprints.api_dossiers import AUTH, authenticate, token_required
from app.blueprints.api_models import BEARER, responses, spec
from app.domain.feedback import FeedbackAction
from app.extensions import db
from app.models import Agency, Feedback
from app.services import citizen_store, dossiers
from app.services import feedback as service

FEEDBACK_ERRORS = (*AUTH, 403, 404)



def _agency_id(code: str | None, field: str) -> int | None:
    if not code:
        return None
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == code))
    if agency_id is None:
        raise ApiError(422, _("Không có cơ quan mã này"), {field: _("Không có cơ quan mã %(code)s", code=code)})
    return agency_id


def feedback_model(item: Feedback) -> m.Feedback:
    return m.Feedback(
        id=item.id, reference=item.reference, category=item.category, subject=item.subject, status=item.status,
        status_label=item.status_label, agency=item.agency.code, title=item.title, text=item.text, answer=item.answer,
        rating=item.rating, sent_at=item.sent_at, received_at=item.received_at,
        due={limit.value: when for limit, when in service.due_dates(item).items()},
        late=[limit.value for limit in service.late(item)],
        history=[m.FeedbackStep(action=e.action, actor=e.actor_name, agency=e.agency_name, note=e.note, at=e.at)
                 for e in item.events],
        available_actions=[a.value for a in service.staff_actions(g.api_user, item)]
        + ([FeedbackAction.PROVIDE_INFO.value] if item.sender_id == g.api_user.id and item.status == "info_requested"
           else []))


@bp.post("/feedback")
@token_required
@spec.validate(json=m.NewFeedback, resp=responses(m.Feedback, 400, *AUTH, 403, 422, created=True), security=BEARER,
               tags=["feedback"])
def send_feedback():
    body: m.NewFeedback = request.context.json
    dossier_id = None
    if body.dossier:
        dossier = dossiers.by_identifier(body.dossier)
        dossier_id = dossier.id if dossier is not None else None
        if dossier_id is None:
            raise ApiError(422, _("Không có hồ sơ mã này"),
                           {"dossier": _("Không có hồ sơ mã %(code)s", code=body.dossier)})
    item = service.send(g.api_user, category=body.category, subject=body.subject, title=body.title, text=body.text,
                        procedure_code=body.procedure, agency_id=_agency_id(body.agency, "agency"),
                        dossier_id=dossier_id)
    return feedback_model(item), 201


@bp.get("/feedback")
@spec.validate(query=m.FeedbackQuery, resp=responses(m.FeedbackList, 400, *AUTH), security=BEARER,
               tags=["feedback"])
def list_feedback():
    """`?published=1`: the published answers (no token needed, personal data removed); without
    it, the caller's own feedback (Bearer token)."""
    query: m.FeedbackQuery = request.context.query
    if query.published:
        page = service.published(query.q, query.page)
        return m.FeedbackList(total=page.total, items=[m.PublishedFeedback(
            reference=f.reference, agency=f.agency.name, title=f.title, question=f.public_question,
            answer=f.public_answer, published_at=f.published_at) for f in page.items])
    authenticate()
    page = service.mine(g.api_user, query.page)
    return m.FeedbackList(total=page.total, items=[feedback_model(f) for f in page.items])


def _viewed(feedback_id: int) -> Feedback:
    return service.view(g.api_user, feedback_id)


@bp.get("/feedback/<int:feedback_id>")
@token_required
@spec.validate(resp=responses(m.Feedback, *FEEDBACK_ERRORS), security=BEARER, tags=["feedback"])
def get_feedback(feedback_id: int):
    return feedback_model(_viewed(feedback_id))


@bp.post(f"/feedback/<int:feedback_id>/actions/<any({', '.join(a.value for a in FeedbackAction)}):action>")
@token_required
@spec.validate(json=m.FeedbackAction, resp=responses(m.Feedback, 400, *FEEDBACK_ERRORS, 409, 422), security=BEARER,
               tags=["feedback"])
def feedback_action(feedback_id: int, action: str):
    """A step of the agency holding it (accept, refuse, ask_info, forward, answer, publish) or
    the sender's provide_info; out of turn → 409."""
    item = _viewed(feedback_id)
    body: m.FeedbackAction = request.context.json or m.FeedbackAction()
    service.act(g.api_user, item, action, text=body.text, to_agency_id=_agency_id(body.to_agency, "to_agency"))
    return feedback_model(item)


@bp.post("/feedback/<int:feedback_id>/rating")
@token_required
@spec.validate(json=m.FeedbackRating, resp=responses(m.Feedback, 400, *FEEDBACK_ERRORS, 409), security=BEARER,
               tags=["feedback"])
def rate_feedback(feedback_id: int):
    item = _viewed(feedback_id)
    service.rate(g.api_user, item, request.context.json.value)
    return feedback_model(item)


@bp.get("/me/store")
@token_required
@spec.validate(resp=responses(m.StoreList, *AUTH, 403), security=BEARER, tags=["store"])
def my_store():
    """The caller's store of papers (a citizen's): what a new dossier may reuse."""
    if not g.api_user.is_citizen:
        raise ApiError(403, _("Kho giấy tờ là của công dân"))
    papers = citizen_store.papers(g.api_user)
    return m.StoreList(total=len(papers), items=[m.StoredPaper(
        id=p.id, kind=p.kind, name=p.name, size=p.size, sha256=p.sha256, source=p.source, valid_until=p.valid_until,
        created_at=p.created_at, in_use=citizen_store.in_use(p)) for p in papers])
