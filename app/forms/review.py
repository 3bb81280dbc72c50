"""The "Kiểm tra thông tin" page: every answer of a saved dossier as the applicant reads it,
each with the id of the form field that changes it (the page's "Sửa" links go to
`citizen.edit#<id>`). Labels and ids come from the dossier form itself (forms/dynamic.py) and
values are shown as the issued forms show them (services/issuing), so the review, the form and
the papers never disagree."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.domain.vocabulary import Delivery
from app.forms.dynamic import dossier_form_class, typed_fields
from app.models import Dossier, DossierFile
from app.services.issuing import shown_value


@dataclass(frozen=True)
class Row:
    label: str
    value: str  # "" when not answered
    field_id: str  # the id of the form field that changes it
    files: list[DossierFile] = field(default_factory=list)  # a document's attached files
    required: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


_APPLICANT = (("applicant_full_name", "applicant_name"), ("applicant_id_number", "applicant_id_number"),
              ("applicant_address", "applicant_address"), ("applicant_phone", "applicant_phone"),
              ("applicant_email", "applicant_email"))
_REPRESENTED = ("full_name", "id_number", "address", "authorisation")


def sections(dossier: Dossier) -> list[Section]:
    """The answers in the form's order: the applicant (and the person represented), the
    declaration, the documents with their files, how the result is received."""
    spec = dossier.procedure_version.spec
    form = dossier_form_class(spec, online=True)(formdata=None, meta={"csrf": False})

    def row(name: str, value: str, **more) -> Row:
        return Row(form[name].label.text, value or "", form[name].id, **more)

    represented = dossier.represented or {}
    applicant = [row(name, getattr(dossier, attr)) for name, attr in _APPLICANT]
    applicant.append(row("on_behalf", _("Có") if represented else _("Không")))
    if represented:
        applicant += [row(f"rep_{key}", represented.get(key, "")) for key in _REPRESENTED]
    result = [Section(_("Người nộp hồ sơ"), applicant)]
    typed = typed_fields(spec)
    if typed:
        data = dossier.form_data or {}
        result.append(Section(_("Tờ khai"), [
            row(f"f_{f['key']}", shown_value(f, data[f["key"]]) if data.get(f["key"]) not in (None, "") else "")
            for f in typed]))
    result.append(Section(_("Thành phần hồ sơ"), [
        row(f"doc_{d['key']}", "", files=[f for f in dossier.files if f.component == d["key"]],
            required=d["required"])
        for d in spec["documents"]]))
    result.append(Section(_("Nhận kết quả"), [row("delivery", _(Delivery(dossier.delivery).label) if dossier.delivery
                                                else "")]))
    return result
