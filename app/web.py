"""Helpers shared by the blueprints and the templates: access decorators, paging, filters."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from functools import wraps

import limits
from flask import Flask, abort, current_app, g, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload

from app import dates, i18n, numbers
from app.domain.deadlines import OpenState, ResultClass, TimeUnit, open_state
from app.domain.indices import ALL_INDICES
from app.domain.structure import AgencyKind, Level, Role, agency_type_label
from app.domain.vocabulary import (
    AccessKind,
    Channel,
    CopyKind,
    DayKind,
    Delivery,
    Method,
    OnlineLevel,
    RatingValue,
    SourceTopic,
    Subject,
)
from app.domain.workflow import Status
from app.extensions import db, limiter
from app.forms.dynamic import typed_fields, verification_label
from app.i18n import say
from app.models import Dossier, IssuedDocument, ProcedureVersion
from app.models.users import utcnow
from app.services import access_log, issuing, national_sync, signing
from app.services.errors import ServiceError
from app.services.issuing import KINDS
from app.services.permissions import can
from app.services.storage import open_stored


def require(action: str):
    """403 unless the current user may do `action`; a visitor is sent to log in first."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager
                return login_manager.unauthorized()
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def account_key() -> str:
    """A rate limit's key for a signed-in account, by a web session or an API token (the
    client's address for anyone else)."""
    user = g.get("api_user") or (current_user if current_user.is_authenticated else None)
    return f"account:{user.id}" if user is not None else get_remote_address()


_UNITS = {"second": _l("giây"), "minute": _l("phút"), "hour": _l("giờ"), "day": _l("ngày"), "month": _l("tháng"),
          "year": _l("năm")}


def _submissions_refused() -> str:
    setting = current_app.config["SUBMIT_RATE_LIMIT"]
    try:
        item = limits.parse(setting)
        unit = _UNITS[item.GRANULARITY.name]
        per = f"{item.multiples} {unit}" if item.multiples > 1 else str(unit)
        allowed = _(" (tối đa %(amount)s hồ sơ mỗi %(per)s cho một tài khoản)", amount=item.amount, per=per)
    except (ValueError, KeyError):
        allowed = ""
    return _("Bạn đã gửi quá nhiều hồ sơ trong thời gian ngắn%(allowed)s. Lần gửi này chưa được ghi nhận; "
             "vui lòng thử lại sau.", allowed=allowed)


def submissions_limit(*, counted, exempt_when=None):
    """SUBMIT_RATE_LIMIT on a view that sends dossiers: one budget per account, shared by the
    web form and the API; checked before the view runs (past it: 429, nothing stored), spent
    only when `counted(response)` says a dossier was sent. With the counters' store down it
    degrades open like every limit (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, SWALLOW_ERRORS)."""
    return limiter.shared_limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], scope="submissions",
                                key_func=account_key, methods=["POST"], exempt_when=exempt_when,
                                deduct_when=counted, error_message=_submissions_refused)


# What a dossier's page shows (summary, history, files, issued documents and their signatures,
# the live apology, the rating), loaded with the dossier: one statement for the dossier and its
# to-one rows, one per collection, instead of one per relationship and per document as the
# templates reach them (issue 15).
DOSSIER_PAGE = (
    joinedload(Dossier.procedure_version).joinedload(ProcedureVersion.snapshot),
    joinedload(Dossier.receiving_agency), joinedload(Dossier.resolving_agency), joinedload(Dossier.rating),
    selectinload(Dossier.files), selectinload(Dossier.events), selectinload(Dossier.apologies),
    selectinload(Dossier.documents).selectinload(IssuedDocument.signatures),
)


def dossier_or_abort(dossier_id: int, action: str, load: tuple = ()):
    """The dossier (with the loader options `load`, e.g. DOSSIER_PAGE); 404 if there is none or
    the current user may not see it (the same answer, so that a page is no oracle of which ids
    exist, issue 18), 403 if they see it but may not do `action` on it."""
    dossier = db.session.get(Dossier, dossier_id, options=load)
    if dossier is None or not can(current_user, "dossier.view", dossier):
        abort(404)
    if not can(current_user, action, dossier):
        abort(403)
    return dossier


def lines_of(text: str) -> list[str]:
    """A textarea's non-empty lines (one item or reason a line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


_FRAGMENTS: OrderedDict = OrderedDict()
_FRAGMENTS_LOCK = threading.Lock()
FRAGMENTS_KEPT = 256   # the home page's list, and the two parts of the most read procedure pages


def fragment(key: tuple, render: Callable[[], str]) -> Markup:
    """A part of a page rendered once for each `key` and then reused by this process: the key
    must hold everything the part shows (the data itself, the language, the day), so a reused
    part is always the one `render` would give now, in every process (nothing to invalidate).
    The home page's list of ~500 agencies was two thirds of its time (issue 15). The last
    FRAGMENTS_KEPT keys are kept."""
    with _FRAGMENTS_LOCK:
        found = _FRAGMENTS.get(key)
        if found is not None:
            _FRAGMENTS.move_to_end(key)
            return found
    found = Markup(render())
    with _FRAGMENTS_LOCK:
        _FRAGMENTS[key] = found
        while len(_FRAGMENTS) > FRAGMENTS_KEPT:
            _FRAGMENTS.popitem(last=False)
    return found


def translated(error: ServiceError) -> tuple[str, dict[str, str]]:
    """A service's refusal (Vietnamese, app/i18n.py) in the request's language: its message and
    its fields' messages, for the API's JSON answer."""
    return say(error.message), {name: say(message) for name, message in error.fields.items()}


def refused(error: ServiceError, form=None, fields: dict[str, str] | None = None) -> str | None:
    """A service's refusal on a form page (the administration's): a 403 or 404 answers as such;
    each of its field messages goes under the form's field (`fields`: the service's field name →
    the form's, the same name by default), in the request's language; the message for the error
    summary is returned when no field of the form took one."""
    if error.status in (403, 404):
        abort(error.status)
    placed = False
    for name, message in error.fields.items():
        target = (fields or {}).get(name, name)
        if form is not None and target in form:
            form[target].errors.append(say(message))
            placed = True
    return None if placed else say(error.message)


def action_errors(action: str, error: ServiceError) -> tuple[dict[str, str], dict]:
    """A refused action's messages for templates/macros/actions.html: each field's message
    under the field's id "<action>-<field>", and the error summary: the general message, and a
    link to each field with its own message (an error about no field links to the form)."""
    errors = {f"{action}-{name}": say(message) for name, message in error.fields.items()}
    message = say(error.message)
    links = list(errors.items()) if len(errors) > 1 else [(next(iter(errors), action), message)]
    return errors, {"message": message if len(errors) > 1 else "", "links": links}


def confirmed(form) -> bool:
    """Whether the page's "I confirm" box was ticked (services.transitions.require_confirmation)."""
    return form.get("confirm") == "yes"


def page_arg() -> int:
    """The `page` query parameter: a positive integer, 1 when absent or malformed."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def format_waited(since: datetime) -> str:
    """How long a dossier has waited: "2 ngày 3 giờ", "45 phút"."""
    minutes = int((utcnow() - since).total_seconds() // 60)
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s ngày %(hours)s giờ", days=days, hours=hours)
    if hours:
        return _("%(hours)s giờ %(minutes)s phút", hours=hours, minutes=minutes)
    return _("%(minutes)s phút", minutes=minutes)


def procedure_name(version) -> str:
    """A procedure's name in the page's language: its English name (the file's `name.en`) on an
    English page, the Vietnamese one otherwise or when there is no English name."""
    return (version.name_en or version.name) if i18n.current() == "en" else version.name


def status_label(status: str) -> str:
    return _(Status(status).citizen_label)


def error_fields(form) -> list:
    """The fields of a WTForms form that carry an error, in the form's order (the CSRF token's
    own error is not a field the person can correct)."""
    return [field for field in form if field.errors and field.name != "csrf_token"] if form is not None else []


def page_failed(form=None, message=None, links=()) -> bool:
    """Whether the page shows an error summary (macros/forms.html error_summary takes the same
    arguments): its title then starts with "Lỗi: " (base.html)."""
    return bool(message or links or error_fields(form))


def site_nav() -> Markup:
    """The brand and the main navigation of every page (templates/_site_nav.html). An anonymous
    visitor's is the same on every page of one language, so it is rendered once per language
    (the layout 0.17 → 0.09 ms, about a twentieth of a public page's CPU, issue 15); a
    signed-in person's names them and follows their roles, and is rendered for each page."""
    if current_user.is_authenticated:
        return Markup(render_template("_site_nav.html"))
    return fragment(("site_nav", i18n.current(), request.script_root), lambda: render_template("_site_nav.html"))


def register_template_helpers(app: Flask) -> None:
    # One filter per kind of value, for the pages and the PDFs alike (app/numbers.py, app/dates.py).
    app.jinja_env.filters.update(
        number=numbers.number, exact=numbers.exact, two_digits=numbers.two_digits, two_decimals=numbers.two_decimals,
        percent=numbers.percent,
        index_value=lambda value: numbers.index_value(value, ALL_INDICES[value.id].unit),
        date_vn=dates.date, time_vn=dates.time, datetime_vn=dates.datetime, short_datetime_vn=dates.short_datetime,
        month_vn=dates.month, waited=format_waited, procedure_name=procedure_name,
        # rows for the dashboard's SVG charts
        trend_row=lambda item: (dates.pattern(item[0], "MM/yy"), item[1].counts.received,
                                item[1].counts.early + item[1].counts.on_time + item[1].counts.late),
        ranking_row=lambda item: (item[0].name, item[1].indices["2.1"].rate),
    )
    app.jinja_env.globals.update(
        ResultClass=ResultClass, OpenState=OpenState, Delivery=Delivery, RatingValue=RatingValue, AccessKind=AccessKind,
        open_state=lambda due_at, calendar: open_state(utcnow(), due_at, calendar),
        status_label=status_label, Channel=Channel, DayKind=DayKind, typed_fields=typed_fields,
        verification_label=verification_label, form_value=issuing.shown_value,
        DOCUMENT_TITLES={kind: title for kind, (_, _, title) in KINDS.items()}, signing_state_of=signing.state,
        national_sync_of=national_sync.state_of,
        can=can, Level=Level, AgencyKind=AgencyKind, Role=Role, agency_type_label=agency_type_label,
        TimeUnit=TimeUnit, SourceTopic=SourceTopic, OnlineLevel=OnlineLevel, Subject=Subject, Method=Method,
        CopyKind=CopyKind, site_nav=site_nav,
    )
    app.jinja_env.globals.update(error_fields=error_fields, page_failed=page_failed)


def _send_stored(sha256: str, content_type: str, name: str):
    """A stored file, shown inline by the browser (PDF, image), under its original name,
    streamed from whichever store holds it. Its hash is a strong ETag (the bytes never change)."""
    try:
        opened = open_stored(sha256)
    except FileNotFoundError:
        abort(404)
    response = send_file(opened.stream, mimetype=content_type, download_name=name, as_attachment=False, max_age=0,
                         etag=sha256, conditional=False)
    response.content_length = opened.size
    return response.make_conditional(request, accept_ranges=True, complete_length=opened.size)


def send_dossier_file(dossier, file_id: int, viewer=None):
    """One of the dossier's uploaded files; 404 if it is not one of them. The caller has
    checked that the user (`viewer`, default the signed-in one) may see the dossier; an
    official's opening is recorded for the applicant (access_log)."""
    stored = next((f for f in dossier.files if f.id == file_id), None)
    if stored is None:
        abort(404)
    access_log.opened(viewer or current_user, dossier, AccessKind.FILE, stored.id)
    return _send_stored(stored.sha256, stored.content_type, stored.name)


def send_stored_paper(paper):
    """A paper of the citizen's store (the caller has checked it is theirs)."""
    return _send_stored(paper.sha256, paper.content_type, paper.name)


def send_issued_document(dossier, document_id: int, viewer=None):
    """The PDF of a form issued for the dossier; 404 until its job has rendered it. An
    official's opening is recorded for the applicant (access_log)."""
    issued = next((d for d in dossier.documents if d.id == document_id), None)
    if issued is None or not issued.sha256:
        abort(404)
    access_log.opened(viewer or current_user, dossier, AccessKind.DOCUMENT, issued.id)
    return _send_stored(issued.sha256, "application/pdf", f"{issued.kind}-{dossier.identifier}.pdf")
