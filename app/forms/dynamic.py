"""The dossier form, built at run time from a procedure version's spec (CTFd's pattern: a
form class made per request from data). Field names: `applicant_*`, `rep_*` (the person
represented), `f_<key>` (the procedure's e-form, less the fields filled from the applicant
block), `doc_<key>` (files per document)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import AnyOf, Optional

from app import numbers
from app.domain import eform
from app.domain.vocabulary import Delivery
from app.forms.fields import (
    Rule,
    VietnameseDateField,
    VietnameseDecimalField,
    VietnameseIntegerField,
)
from app.i18n import say
from app.services.dossiers import FROM_APPLICANT, MAX_SETS, Applicant, DraftInput


def typed_fields(spec: dict) -> list[dict]:
    """The e-form fields the applicant types: those not filled from the applicant block."""
    return [f for f in spec["form"] if f["key"] not in FROM_APPLICANT]


def _eform_field(spec: dict):
    """One e-form field. Required-ness is checked at submission (a draft may be half done),
    so every field is Optional here and only its format is checked, by the e-form rules
    (app/domain/eform.py through `Rule`): the limits come from there, not from this form."""
    label, key = spec["label"], spec["key"]
    kwargs = {"description": spec.get("help") or ""}
    kind = spec["type"]
    validators = [Optional(), Rule(spec)]
    if kind == "select":
        choices = [("", _("— Chọn —"))] + [(c["value"], c["label"]) for c in spec["choices"]]
        return SelectField(label, choices=choices, validate_choice=False, validators=validators, **kwargs)
    if kind == "checkbox":
        return BooleanField(label, **kwargs)
    field_class = {"text": StringField, "textarea": TextAreaField, "date": VietnameseDateField,
                   "number": VietnameseDecimalField, "id_number": StringField, "phone": TelField,
                   "email": EmailField}.get(kind)
    if field_class is None:
        raise ValueError(f"unknown e-form field type {kind!r} for {key}")
    return field_class(label, validators=validators, **kwargs)


def _person(fields: dict, name: str, label: str, field_class=StringField):
    """A field of the applicant block or of the person represented, with eform's rule for it."""
    return field_class(label, validators=[Optional(), Rule(fields[name])])


def dossier_form_class(spec: dict, online: bool) -> type[FlaskForm]:
    a, r = eform.APPLICANT, eform.REPRESENTED
    attrs = {
        "applicant_full_name": _person(a, "full_name", _("Họ, chữ đệm và tên")),
        "applicant_id_number": _person(a, "id_number", _("Số định danh cá nhân")),
        "applicant_address": _person(a, "address", _("Địa chỉ")),
        "applicant_phone": _person(a, "phone", _("Số điện thoại"), TelField),
        "applicant_email": _person(a, "email", "E-mail", EmailField),
        "on_behalf": BooleanField(_("Tôi nộp hồ sơ thay cho người khác (được ủy quyền)")),
        "rep_full_name": _person(r, "full_name", _("Họ và tên người được đại diện")),
        "rep_id_number": _person(r, "id_number", _("Số định danh của người được đại diện")),
        "rep_address": _person(r, "address", _("Địa chỉ của người được đại diện")),
        "rep_authorisation": _person(r, "authorisation", _("Giấy tờ ủy quyền (số, ngày)")),
    }
    deliveries = ["counter", "post"] + (["online"] if spec["online"] == "full" and online else [])
    attrs["delivery"] = RadioField(_("Hình thức nhận kết quả"), choices=[(d, _(Delivery(d).label)) for d in deliveries],
                                   validate_choice=False,
                                   validators=[AnyOf(deliveries, message=_("Chọn một hình thức nhận kết quả."))])
    if not online:  # số bộ hồ sơ (form 01): counted at the counter; an online dossier is one set
        # The range is the service's rule (dossiers._apply_fields), reported on this field.
        attrs["sets"] = VietnameseIntegerField(
            _("Số bộ hồ sơ"), default=1, validators=[Optional()],
            description=_("Số bộ hồ sơ giấy người nộp đã nộp (1 đến %(max)s).", max=MAX_SETS))
        if days := spec["processing_time"].get("verification_days"):
            attrs["verification"] = BooleanField(verification_label(days))
    for f in typed_fields(spec):
        attrs[f"f_{f['key']}"] = _eform_field(f)
    for d in spec["documents"]:
        attrs[f"doc_{d['key']}"] = MultipleFileField(
            d["name"],
            description=_("Bắt buộc. PDF, JPEG hoặc PNG; có thể chọn nhiều tệp.") if d["required"]
            else _("PDF, JPEG hoặc PNG; có thể chọn nhiều tệp."))
    return type("DossierForm", (FlaskForm,), attrs)


def eform_values(form: FlaskForm, spec: dict) -> dict:
    """The e-form's values (dates as ISO text; numbers as parsed, the service stores them as text
    through the e-form rules, as it does the API's)."""
    values = {}
    for f in typed_fields(spec):
        data = form[f"f_{f['key']}"].data
        if data is None or data == "":
            continue
        values[f["key"]] = data.isoformat() if hasattr(data, "isoformat") else data
    return values


def field_name(key: str) -> str:
    """A service's error key (`form.x`, `documents.x`, `applicant.x`, or a plain field) → the
    form field that shows it."""
    prefix, _dot, rest = key.partition(".")
    prefixes = {"form": "f_", "documents": "doc_", "applicant": "applicant_", "represented": "rep_"}
    return prefixes.get(prefix, "") + rest if rest else key


def initial_data(dossier) -> dict:
    """The form's values from a saved dossier (dates back from ISO text)."""
    spec = dossier.procedure_version.spec
    data = {
        "applicant_full_name": dossier.applicant_name, "applicant_id_number": dossier.applicant_id_number,
        "applicant_address": dossier.applicant_address, "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email, "delivery": dossier.delivery,
        "on_behalf": bool(dossier.represented),
    }
    for key, value in (dossier.represented or {}).items():
        data[f"rep_{key}"] = value
    for f in typed_fields(spec):
        value = dossier.form_data.get(f["key"])
        if value is not None and f["type"] == "date":
            value = date.fromisoformat(value)
        elif value is not None and f["type"] == "number":
            value = Decimal(value)
        data[f"f_{f['key']}"] = value
    return data


def draft_input(form: FlaskForm, spec: dict, files, values=None) -> DraftInput:
    """What the form says, for the dossier service; `values` (request.form) carries the papers
    ticked from the applicant's store (`store_<document key>`, their ids)."""
    represented = None
    if form.on_behalf.data:
        represented = {k: form[f"rep_{k}"].data.strip() for k in ("full_name", "id_number", "address", "authorisation")}
    return DraftInput(
        applicant=Applicant(*(form[f"applicant_{k}"].data or "" for k in ("full_name", "id_number", "address",
                                                                          "phone", "email"))),
        form_data=eform_values(form, spec), represented=represented, delivery=form.delivery.data,
        uploads=uploads(files, spec), sets=form.sets.data if "sets" in form else 1,
        verification=bool(form.verification.data) if "verification" in form else False,
        reuse=store_choices(values) if values is not None else {},
    )


def store_choices(values, prefix: str = "store_") -> dict[str, list[int]]:
    """{document key: [paper id, ...]} from the `store_<key>` fields (ids that are not numbers
    are passed as 0, which the service refuses as not in the store)."""
    return {name.removeprefix(prefix): [int(v) if v.isdigit() else 0 for v in values.getlist(name)]
            for name in values if name.startswith(prefix) and values.getlist(name)}


def verification_label(days) -> str:
    """The desk's choice at receipt, with the procedure's longer limit (a form field and the
    desk's accept action share it)."""
    return _("Cần xác minh: thời hạn giải quyết không quá %(days)s ngày làm việc", days=numbers.exact(days))


def uploads(files, spec: dict, prefix: str = "doc_") -> dict:
    """request.files → {document key: [FileStorage, ...]} (form fields are `doc_<key>`; the API's
    file parts are named by the key itself). Every part sent is passed on, so the service refuses
    one the procedure does not list (eform.check_parts) instead of it being dropped unseen."""
    return {name.removeprefix(prefix): files.getlist(name) for name in files
            if name.startswith(prefix) and files.getlist(name)}


def show_errors(form: FlaskForm, error, spec: dict) -> None:
    """Put a DossierError's field messages next to their fields (the summary links to them)."""
    for key, message in error.fields.items():
        name = field_name(key)
        if name in form:
            form[name].errors = [*form[name].errors, say(message)]
