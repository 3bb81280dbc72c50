"""API tokens: signed, timed, and revoked by a password change (the token carries a digest
of the password hash). itsdangerous does the signing; nothing is stored."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.services import accounts


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def _stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def issue(email: str, password: str) -> str | None:
    user = accounts.authenticate(email, password)
    return _serializer().dumps({"u": user.id, "s": _stamp(user)}) if user else None


def user_for(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["API_TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("s") != _stamp(user):
        return None
    return user
