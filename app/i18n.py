"""The portal's languages (issue 14): Vietnamese, the default, and English. Flask-Babel picks the
language of each request; every user-facing string goes through gettext with the Vietnamese text
as its msgid, so Vietnamese needs no catalogue and English is app/translations/en. Official PDF
forms stay Vietnamese whatever the page's language: they are legal documents."""
from __future__ import annotations

from flask import Flask, has_request_context, request

from app.extensions import babel

DEFAULT = "vi"
LANGUAGES = ("vi", "en")
COOKIE = "lang"


def select_locale() -> str:
    """`?lang=` first, then the cookie the switch set, then Vietnamese (outside a request too: a
    service's message read by the CLI or a job)."""
    if not has_request_context():
        return DEFAULT
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return DEFAULT


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT,
                   default_translation_directories="translations")
