"""JSON API of the account's own settings: the language and the channels of its notices
(issues 14, 16), the API twin of /tai-khoan/nhan-thong-bao."""
from __future__ import annotations

from flask import g, request

from app.blueprints import api_models as m
from app.blueprints.api import bp
from app.blueprints.api_dossiers import AUTH, token_required
from app.blueprints.api_models import BEARER, responses, spec
from app.domain.notices import CHANNELS
from app.models import User
from app.services import accounts


def preferences_model(user: User) -> m.NoticePreferences:
    return m.NoticePreferences(language=user.language,
                               channels=[c for c in CHANNELS if c in user.channels] if user.is_citizen else None)


@bp.get("/me/notifications")
@token_required
@spec.validate(resp=responses(m.NoticePreferences, *AUTH), security=BEARER, tags=["auth"])
def my_notifications():
    """The language of the caller's notices and e-mails; a citizen's channels too (staff: null)."""
    return preferences_model(g.api_user)


@bp.put("/me/notifications")
@token_required
@spec.validate(json=m.NoticePreferencesUpdate, resp=responses(m.NoticePreferences, *AUTH, 422), security=BEARER,
               tags=["auth"])
def set_my_notifications():
    """The page's choice, by its rule (accounts.set_notice_preferences): an unknown language or
    channel, no channel, or channels sent for a staff account → 422 naming the field; channels
    left out keep a citizen's as they are."""
    body: m.NoticePreferencesUpdate = request.context.json or m.NoticePreferencesUpdate()
    return preferences_model(accounts.set_notice_preferences(g.api_user, body.language, body.channels))
