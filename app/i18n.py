"""The portal's languages (issue 14): Vietnamese, the default, and English. Flask-Babel picks the
language of each request; every user-facing string goes through gettext with the Vietnamese text
as its msgid, so Vietnamese needs no catalogue and English is app/translations/en. Official PDF
forms stay Vietnamese whatever the page's language: they are legal documents (templates/documents
is not extracted, and app/services/documents.py renders them under the `vi` locale).

Dates and numbers: English pages keep dd/mm/yyyy (unambiguous to a UK reader) and the Vietnamese
number format of the official figures (app/numbers.py, always `vi`); only a time with its day
drops the Vietnamese word: "09:05, 20/11/2026" instead of "09:05 ngày 20/11/2026" (app/dates.py).

How a string gets translated — one rule: **a string is written in Vietnamese where it is made and
translated where it is shown**.

- Templates: `{{ _('…') }}`, `{{ _('… %(x)s …', x=value) }}` (a literal % is written %%, the
  Jinja i18n extension formats every call), `ngettext` where a count decides the words.
- Views, forms and the error pages: `gettext` / `lazy_gettext` (form labels, validators'
  messages and module-level constants are lazy: they are read in the request's language).
- The domain (app/domain) and the services (app/services) stay Vietnamese and free of Flask:
  their messages are Vietnamese constants. pybabel extracts them by marker — the first argument
  of the services' refusals (`ServiceError(...)`, `DossierError(...)`, `….on(field, message)`, see
  the keywords in the Makefile) and any constant wrapped in the no-op `N_` (app/domain/__init__.py,
  pure: the labels of the vocabulary, of the statuses and actions, the views' success messages).
  The boundary that shows them translates them with `gettext(message)`: templates
  (`{{ _(Level(x).label) }}`, `status_label`), the flash of a view, `web.action_errors`,
  `web.refused` (the administration's forms) and `forms.dynamic.show_errors` for error
  summaries, the JSON answer of the API (`web.translated`).
  A message with values in it is made with `msg("… %(name)s …", name=value)` (pure, app/domain):
  it is the Vietnamese text, and `say(message)` at the boundary translates its msgid and puts
  the values in; every boundary shows a service's message through `say` (never an f-string,
  which could not be looked up).
- Messages to people (app/services/notify.py) are written in the recipient's language, not the
  page's: an account chooses its language ("Nhận thông báo", `User.language`), and the notices
  (templates/notify/*.txt) and account e-mails are rendered under `flask_babel.force_locale`
  of it (`notify.speaking(user)`); without an account (a walk-in dossier, an anonymous
  feedback) they are Vietnamese. Zalo ZNS parameters stay Vietnamese: their templates are
  registered with Zalo in Vietnamese.

The API answers its error messages in the request's language too: `?lang=`, the cookie, then the
`Accept-Language` header (a program that asks for `en` gets English), then Vietnamese.

The switch on every page (base.html) is a plain link to the same page with `?lang=en` / `?lang=vi`;
`remember_choice` keeps the choice in the cookie for a year — the page is the one already open,
so there is no redirect to forge. Catalogue: `make i18n` (extract → update → compile, keeping
the existing translations); `make install` and the test suite compile the .po into the .mo,
which is not committed."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, g, has_request_context, request
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from app.domain import N_, Msg  # noqa: F401 - N_, the one marker, pure, re-exported for the views
from app.extensions import babel

DEFAULT = "vi"
LANGUAGES = ("vi", "en")
NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language, as switches are written
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600  # the choice is kept for a year


def select_locale() -> str:
    """`?lang=` first, then the cookie the switch set, then (for the API's programs) the
    Accept-Language header, then Vietnamese (also outside a request: the worker, the CLI)."""
    if not has_request_context():
        return DEFAULT
    for asked in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES) or DEFAULT
    return DEFAULT


def current() -> str:
    """The language of the page being made ("vi" outside a request)."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def switch_url(code: str) -> str:
    """This page in another language: the same path and query, with `lang` set."""
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', code)])}"


def remember_choice(response: Response) -> Response:
    """A `?lang=` asked for is kept in the cookie, so the next pages follow it."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def translations():
    """The catalogue of the request's language, as Flask-Babel's `get_translations()` returns
    it, kept on the request's Babel context with the locale and domain it is for. Flask-Babel 4
    finds it again for each string (three context look-ups and the locale's name per `_()`,
    most of a string's cost in a template); this looks once per request and again only when
    the locale object changes: `force_locale` puts another one in and then the request's back,
    `refresh()` removes it (then Flask-Babel selects it afresh), so a forced-Vietnamese PDF or a
    notice in its recipient's language reads its own catalogue, and the page goes on in its own."""
    try:
        context = g._flask_babel
        locale, domain, catalogue = context.motcua_catalogue
        if locale is context.babel_locale and domain is context.babel_domain:
            return catalogue
    except (AttributeError, RuntimeError):   # first string of the request, a change, no context
        pass
    catalogue = get_translations()   # selects the locale and the domain if not done yet
    context = getattr(g, "_flask_babel", None) if g else None
    if context is not None and hasattr(context, "babel_locale") and hasattr(context, "babel_domain"):
        context.motcua_catalogue = (context.babel_locale, context.babel_domain, catalogue)
    return catalogue


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` (the same catalogue, the same %-formatting), through translations()."""
    found = translations().ugettext(string)
    return found % variables if variables else found


def say(message: str) -> str:
    """A Vietnamese message of the domain or a service, in the request's language: a `msg` is
    looked up by its msgid and gets its values after (a value that is a `msg` is translated
    too); a plain constant is looked up as it is."""
    if isinstance(message, Msg):
        return gettext(message.msgid, **{k: say(v) if isinstance(v, Msg) else v for k, v in message.params.items()})
    return gettext(message)


@pass_eval_context
def template_gettext(eval_context, string: str, **variables) -> str:
    """The templates' `_()` and `gettext()`: what Jinja's newstyle gettext does (the string
    escaped as Markup where the template autoescapes, then always %-formatted, the values
    escaped), in one call. Jinja's own `_` resolves `gettext` from the context and calls it
    through the context, which calls our function through the context again: three context
    calls per string, a third of the procedure page's CPU at ~130 strings (issue 15)."""
    found = translations().ugettext(string)
    return (Markup(found) if eval_context.autoescape else found) % variables


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT,
                   default_translation_directories="translations")
    # the templates' `_()` and `ngettext` as Flask-Babel installs them, through translations()
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(page_lang=current, lang_switch_url=switch_url, LANGUAGES=LANGUAGES,
                                 LANGUAGE_NAMES=NAMES, say=say)
