"""The desk's counter intake form: the procedure's dossier form, plus the checklist of its papers
(app/domain/checklist.py decides what must be ticked)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from app.domain.checklist import FIELD
from app.forms.dynamic import dossier_form_class

CHECKLIST_LABEL = _l("Giấy tờ đã kiểm tra")


def checklist_field(spec: dict) -> SelectMultipleField:
    # Unknown keys are the service's to refuse, with a message naming them (validate_choice off).
    return SelectMultipleField(CHECKLIST_LABEL, choices=[(d["key"], d["name"]) for d in spec["documents"]],
                               validate_choice=False)


def intake_form_class(spec: dict) -> type[FlaskForm]:
    return type("IntakeForm", (dossier_form_class(spec, online=False),), {FIELD: checklist_field(spec)})
