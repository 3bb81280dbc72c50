"""Public pages: home, procedure catalogue, procedure detail, blank forms, lookup, verification."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)

from app import i18n
from app.extensions import limiter
from app.services import catalogue, payments, signing, structure, versions
from app.services import lookup as lookup_service
from app.services.calendar import expected_due
from app.web import fragment, page_arg

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    agencies = fragment(("home.agencies", i18n.current(), structure.today(), versions.number("structure")),
                        lambda: render_template("public/_agency_tree.html", tree=structure.agency_tree()))
    return render_template("public/index.html", agencies=agencies)


def catalogue_filter() -> catalogue.CatalogueFilter:
    args = request.args
    return catalogue.CatalogueFilter(
        q=args.get("q", "").strip()[:200], field=args.get("field", ""), level=args.get("level", ""),
        online=args.get("online", ""), agency=args.get("agency", ""),
    )


@bp.get("/thu-tuc", endpoint="catalogue")
def catalogue_page():
    f = catalogue_filter()
    try:
        page = catalogue.search(f, page_arg(), current_app.config["PER_PAGE"])
    except LookupError:
        abort(404)
    args = {k: v for k, v in vars(f).items() if v}
    return render_template(
        "public/catalogue.html", page=page, f=f, args=args,
        fields=catalogue.fields(), agency_types=catalogue.agency_types(),
    )


@bp.get("/thu-tuc/<code>")
def procedure(code: str):
    """A published version never changes (a change publishes a new one, catalogue.publish_spec),
    so what the page shows of it is rendered once per version and language (web.fragment: its
    rendering was a third of the page's CPU, 2.8 → 1.9 ms, issue 15); the due date "if received
    now" around it is computed for each request."""
    version = catalogue.published(code)
    if version is None:
        abort(404)
    key = (*version.key, i18n.current(), current_app.config["DEADLINE_CUTOFF"], request.script_root)
    parts = {part: fragment((f"procedure.{part}", *key), lambda part=part: render_template(
        f"public/_procedure_{part}.html", v=version, spec=version.spec)) for part in ("intro", "details")}
    due = expected_due(version, datetime.now(UTC))
    return render_template("public/procedure.html", v=version, due=due, **parts)


@bp.get("/thu-tuc/<code>/mau/<filename>")
def blank_form(code: str, filename: str):
    version = catalogue.current_version(code)
    names = {d.get("blank_form") for d in version.spec["documents"]} if version else set()
    if filename not in names:
        abort(404)
    return send_from_directory(Path(current_app.config["PROCEDURES_DIR"]) / "forms", filename, as_attachment=True)


@bp.route("/tra-cuu", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def lookup():
    """By code (GET ?ma=, the QR link adds its secret &k=); the last four digits of the
    applicant's ID number are posted (POST ma, so), never put in a URL."""
    values = request.form if request.method == "POST" else request.args
    code, id_last4 = values.get("ma", "").strip(), request.form.get("so", "").strip()
    found = lookup_service.public_view(code, request.args.get("k", ""), id_last4) if code else None
    wrong_digits = bool(found and request.method == "POST" and found["procedure"] is None)
    status = 404 if code and found is None else 422 if wrong_digits else 200
    return render_template("public/lookup.html", code=code, found=found, wrong_digits=wrong_digits), status



@bp.route("/xac-thuc", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"], methods=["POST"])
def verify():
    """Anyone checks a document: upload its PDF, or name it by dossier code and number. The
    file is read in memory and never stored."""
    if request.method == "GET":
        return render_template("public/verify.html", verdict=None, error=None, form={})
    form = {"code": request.form.get("ma", "").strip()[:60], "number": request.form.get("so", "").strip()[:60]}
    try:
        verdict = signing.verify_request(request.files.get("file"), form["code"], form["number"])
    except signing.VerifyError as error:
        return render_template("public/verify.html", verdict=None, error=error, form=form), error.status
    return render_template("public/verify.html", verdict=verdict, error=None, form=form)


@bp.get("/thanh-toan/ket-qua")
def payment_return():
    """Where VNPay sends the applicant back: the signed answer settles the order if the IPN has
    not yet, and the page says how it went."""
    settlement = payments.settle(request.args)
    status = 400 if settlement.order is None else 200
    return render_template("public/payment_result.html", settlement=settlement), status


@bp.get("/thanh-toan/vnpay-ipn")
@limiter.exempt
def payment_ipn():
    """VNPay's server-to-server answer (IPN); VNPay reads the RspCode and retries until "00" or "02"."""
    settlement = payments.settle(request.args)
    return jsonify({"RspCode": settlement.code, "Message": settlement.message})
