"""One administrative procedure (thủ tục hành chính) as data: parse and validate a procedures/*.yaml file.

Pure: no Flask, no database. The catalogue service (app/services/catalogue.py) publishes what this
module returns; nothing reaches the database unless every file of the folder is valid.

Why a procedure is data, and which keys it has:

* Decree 63/2010/NĐ-CP Art. 8, as amended by Decree 92/2017/NĐ-CP, lists the components a published
  procedure must have: its name; the sequence of steps (trình tự thực hiện); the methods of
  submission (cách thức thực hiện); the dossier (thành phần, số lượng hồ sơ); the time limit
  (thời hạn giải quyết); the subjects (đối tượng thực hiện); the competent agency (cơ quan thực
  hiện); plus the result, fees and charges, forms and the legal basis. Every one of them is a
  required key here, so a file cannot publish an incomplete procedure (Decision 766 index 1.3
  counts procedures "published with all components").
* The time limit (``processing_time``): ``value`` + ``unit`` (working_days, working_hours,
  calendar_days; ``same_day`` and ``immediately`` carry no value and their process steps are
  working hours of the receiving day) and an optional ``note`` for what the unit cannot say
  (marriage: up to 5 working days where verification is needed). Half days are kept, not rounded
  (app/domain/deadlines.due_at). Optional ``cutoff: "HH:MM"``: the receipt cut-off of this
  procedure for paper dossiers and same-day procedures (default: the province's DEADLINE_CUTOFF,
  LEGAL.md §5). Optional ``sources``: ``[{topic: processing_time|level|legal_basis|fees, text,
  verified: true|false}]``, where each published figure was checked; shown on the procedure page,
  an unverified one marked as such.
* Decree 42/2022/NĐ-CP Art. 11 (as amended by Decree 118/2025 Art. 40(7)) sets the two levels of
  an online public service: "toàn trình" (fully online, `full`) and "một phần" (partly online,
  `partial`); a procedure offered only at the counter or by post is `none`.

`parse_procedure` reads text, `load_procedure_file` a file (and checks that blank forms exist
beside it in ``forms/``), `load_procedure_folder` a whole folder. Every problem is reported as
``<file>: <field path>: <message>`` with field paths such as ``documents[2].required``; all
problems of all files are collected before anything is raised, so one run lists everything.
"""
from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from app.domain.deadlines import SAME_DAY_UNITS
from app.domain.deadlines import TimeUnit as _TimeUnit
from app.domain.structure import AgencyKind as _AgencyKind
from app.domain.structure import Level as _Level
from app.domain.structure import Role as _Role
from app.domain.structure import Sector as _Sector
from app.domain.vocabulary import CopyKind as _CopyKind
from app.domain.vocabulary import Method as _Method
from app.domain.vocabulary import OnlineLevel as _OnlineLevel
from app.domain.vocabulary import SourceTopic as _SourceTopic
from app.domain.vocabulary import Subject as _Subject
from app.domain.vocabulary import literal

__all__ = [
    "AgencyKind",
    "AgencyRef",
    "Choice",
    "CopyKind",
    "Document",
    "FieldType",
    "Fee",
    "FormField",
    "Level",
    "LocalizedName",
    "Method",
    "OnlineLevel",
    "ProcedureFileError",
    "ProcedureSpec",
    "ProcessStep",
    "ProcessingTime",
    "Role",
    "Source",
    "Sector",
    "StepPlace",
    "Subject",
    "TimeUnit",
    "check_beside",
    "fingerprint",
    "load_procedure_file",
    "load_procedure_folder",
    "parse_procedure",
]

# --------------------------------------------------------------------------- vocabularies
# Each allowed value is declared once, with its label, on its enum (app/domain/vocabulary.py,
# structure.py, deadlines.py); the schema takes Literal types of their values, so a parsed file
# holds plain strings and its model_dump(mode="json") and fingerprint carry no enum reprs.

Level = literal(*_Level)
AgencyKind = literal(_AgencyKind.DEPARTMENT, _AgencyKind.COMMITTEE)  # the desk resolves no procedure
Sector = literal(*_Sector)
OnlineLevel = literal(*_OnlineLevel)
Method = literal(*_Method)
# same_day (trong ngày) and immediately (ngay) carry no count; see app/domain/deadlines.TimeUnit.
TimeUnit = literal(*_TimeUnit)
SourceTopic = literal(*_SourceTopic)
Subject = literal(*_Subject)
CopyKind = literal(*_CopyKind)
FieldType = Literal["text", "textarea", "date", "number", "select", "checkbox", "id_number", "phone", "email"]
Role = literal(*(r for r in _Role if r != _Role.ADMIN))  # a process step is never the administrator's
StepPlace = Literal["receiving_desk", "resolving_agency", "other_level"]

CODE_PATTERN = re.compile(r"^\d\.\d{6}$")
HHMM_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# A same-day procedure's steps are working hours inside one working day (Labour Code 2019 Art. 105: 8 hours).
SAME_DAY_MAX_STEP_HOURS = Decimal(8)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
BLANK_FORM_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(pdf|docx?|odt)$")
TEXT_FIELD_TYPES = ("text", "textarea")
PATTERN_FIELD_TYPES = ("text", "textarea", "id_number", "phone")
MAX_TEXT_LENGTH = 100_000  # a max_length above this is a typo (the defaults are 500 and 4000)

# The layouts a result may name (`result_template: birth_extract` → templates/documents/
# result_birth_extract.html): the files that exist, read once from the templates folder that
# ships with the code (a file listing, not Flask), so a file naming a layout nobody wrote is
# refused when loaded instead of failing when its first result is issued.
RESULT_TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "documents"
RESULT_TEMPLATES = frozenset(p.stem.removeprefix("result_") for p in RESULT_TEMPLATES_DIR.glob("result_*.html"))


# --------------------------------------------------------------------------- errors
class ProcedureFileError(Exception):
    """A procedure file (or a folder of them) is not valid.

    ``file``, ``field`` and ``message`` describe the first problem; ``errors`` lists every problem
    as ``(field, message)`` and ``problems`` as ``(file, field, message)`` (a folder error spans
    several files). ``str(e)`` is ``"{file}: {field}: {message}"``, one line per problem.
    """

    def __init__(self, file: str, field: str = "", message: str = "",
                 errors: Sequence[tuple[str, str]] | None = None,
                 problems: Sequence[tuple[str, str, str]] | None = None) -> None:
        if problems:
            self.problems = [(str(f), str(fl), str(m)) for f, fl, m in problems]
        elif errors:
            self.problems = [(str(file), str(fl), str(m)) for fl, m in errors]
        else:
            self.problems = [(str(file), field, message)]
        self.file, self.field, self.message = self.problems[0]
        self.errors = [(fl, m) for _, fl, m in self.problems]
        super().__init__(str(self))

    @property
    def files(self) -> list[str]:
        """The files with a problem, each once, in order."""
        return list(dict.fromkeys(f for f, _, _ in self.problems))

    def __str__(self) -> str:
        return "\n".join(f"{f}: {fl}: {m}" for f, fl, m in self.problems)


class _Problems(ValueError):
    """Raised inside a validator: problems with paths RELATIVE to the model being validated.

    Pydantic keeps the exception in the error's ctx, so _problems_from_validation can rebuild full
    paths such as ``form[3].choices`` instead of pydantic's bare ``form.3``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


# --------------------------------------------------------------------------- field types
def _to_decimal(value: Any) -> Any:
    """Numbers as exact decimals (0.5 + 2.5 == 3 exactly), normalised so that 3, 3.0 and 3.00 in
    YAML are the same value (and so the same fingerprint)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return value  # let pydantic report "Decimal input should be ..."
    if isinstance(value, str):
        raise ValueError(f"expected a number, got the text {value!r} (remove the quotes)")
    try:
        number = Decimal(str(value))
    except InvalidOperation:  # nan, inf
        raise ValueError(f"expected a finite number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def _number_json(number: Decimal) -> int | float:
    """In JSON (API, stored snapshot, fingerprint) a time is a plain number: 15, 0.5."""
    return int(number) if number == number.to_integral_value() else float(number)


Text = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
Key = Annotated[StrictStr, StringConstraints(pattern=KEY_PATTERN.pattern)]
Number = Annotated[Decimal, BeforeValidator(_to_decimal), Field(ge=0),
                   PlainSerializer(_number_json, return_type=int | float, when_used="json")]
# A bound of an e-form number (min, max): may be negative.
Bound = Annotated[Decimal, BeforeValidator(_to_decimal),
                  PlainSerializer(_number_json, return_type=int | float, when_used="json")]


class _Model(BaseModel):
    # frozen: a published snapshot never changes; extra="forbid": a typo'd key is an error naming it.
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- parts
class LocalizedName(_Model):
    vi: Text
    en: Text


class Summary(_Model):
    """A few sentences on what the procedure is for, in either or both languages: the procedure
    page shows the one of the page's language, and nothing where the file has none (the official
    record of a procedure is its Vietnamese text; an English summary is a courtesy, issue 14)."""

    vi: Text | None = None
    en: Text | None = None


class AgencyRef(_Model):
    """The kind of agency, not one agency: the same procedure is resolved by each of the province's
    communes. ``department`` = a specialised department (Sở at province, Phòng at district) and needs
    its sector; ``committee`` = the People's Committee (a sector may say which of its officers, e.g.
    the commune's justice officer, handles it)."""

    kind: AgencyKind
    sector: Sector | None = None

    @model_validator(mode="after")
    def _sector_for_department(self) -> AgencyRef:
        if self.kind == "department" and self.sector is None:
            raise _Problems([("sector", "required when kind is 'department' (one of: "
                              + ", ".join(get_args(Sector)) + ")")])
        return self


class ProcessingTime(_Model):
    """Thời hạn giải quyết. Working days by default (Decree 61/2018 Art. 3; Decree 118/2025):
    Saturdays, Sundays and public holidays do not count; the clock is app/domain/deadlines.py.

    ``same_day`` (trong ngày) and ``immediately`` (ngay) have no count: leave ``value`` out (it is
    0). ``verification_days``: the longer limit, in working days, that applies when the desk
    records at receipt that the facts must be verified — marriage "immediately; up to 5 working
    days where the conditions must be verified" (Civil Status Law 2014 Art. 18(2)), death 3
    (Art. 34(2)). ``note`` says in words what the figures cannot."""

    value: Number | None = None  # required except for same_day / immediately, where it is 0
    unit: TimeUnit
    verification_days: Number | None = Field(None, gt=0)
    note: Text | None = None

    @model_validator(mode="after")
    def _value_for_the_unit(self) -> ProcessingTime:
        if self.unit in SAME_DAY_UNITS:
            if self.value not in (None, Decimal(0)):
                raise _Problems([("value", f"a {self.unit} time limit has no count: leave value out")])
            object.__setattr__(self, "value", Decimal(0))
        elif self.value is None:
            raise _Problems([("value", f"required key is missing (the number of {self.unit})")])
        return self


class Source(_Model):
    """Where a published figure was checked: the time limit, the competent level, the legal basis
    or the fees, with the text (law, decree, article) and whether it was verified against it."""

    topic: SourceTopic
    text: Text
    verified: StrictBool


class Fee(_Model):
    """A fee or charge (phí, lệ phí) in whole Vietnamese đồng; 0 for a free procedure."""

    name: Text
    amount: Annotated[StrictInt, Field(ge=0)]


with warnings.catch_warnings():
    # `copy` is the published key (bản chính / bản sao); it shadows BaseModel.copy, a deprecated
    # method nobody calls on a spec, and `document.copy` returns the field as expected.
    warnings.filterwarnings("ignore", message='Field name "copy"', category=UserWarning)

    class Document(_Model):
        """One component of the dossier (thành phần hồ sơ) with its number of copies (số lượng)."""

        key: Key
        name: Text
        copy: CopyKind
        count: Annotated[StrictInt, Field(ge=1)]
        required: StrictBool
        blank_form: StrictStr | None = None  # a file in procedures/forms/, checked by load_procedure_file
        # The kind of paper, the same word across procedures (giay_to_tuy_than, giay_khai_sinh...):
        # the citizen's store offers a paper of this kind kept from an earlier dossier (Decree
        # 45/2020/NĐ-CP Art. 16; Decision 766 index 4.3). None: nothing is offered.
        paper: Key | None = None

        @field_validator("blank_form")
        @classmethod
        def _plain_file_name(cls, value: str | None) -> str | None:
            if value is not None and not BLANK_FORM_PATTERN.match(value):
                raise ValueError(f"expected a plain file name in procedures/forms/ such as 'to-khai.pdf' "
                                 f"(letters, digits, '.', '-', '_'; .pdf, .doc, .docx or .odt), got {value!r}")
            return value


class Choice(_Model):
    value: Text
    label: Text


class FormField(_Model):
    """One field of the e-form the applicant fills in (Decree 42/2022 Art. 12: an online service
    provides an e-form; Decree 45/2020: data already held by the State is pre-filled, not re-asked).

    What the applicant types is checked against these keys by app/domain/eform.py, on the web
    form and in the API alike:

    * ``max_length`` (text, textarea): at most this many characters; default 500 for text and
      4000 for textarea (eform.DEFAULT_MAX_LENGTH).
    * ``choices`` (select): the only values allowed.
    * ``min`` / ``max`` (number): the bounds, inclusive; ``integer: true`` (number): whole numbers
      only. A count (copies, pages, floors) is ``integer: true`` with ``min: 1``.
    * ``not_future: true`` (date): not after the day the dossier is saved (a date of birth, of
      death, of registration). Every date lies between 1900-01-01 and 2100-12-31.
    * ``pattern`` (text, textarea, id_number, phone): a Python regular expression the whole value
      must match, with ``pattern_message``, the Vietnamese message the applicant reads otherwise.
    * id_number (12 digits), phone and email have their format built in.
    """

    key: Key
    label: Text
    type: FieldType
    required: StrictBool
    max_length: Annotated[StrictInt, Field(ge=1, le=MAX_TEXT_LENGTH)] | None = None
    choices: list[Choice] | None = None
    help: Text | None = None
    min: Bound | None = None
    max: Bound | None = None
    integer: StrictBool = False
    not_future: StrictBool = False
    pattern: StrictStr | None = None
    pattern_message: Text | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _type_rules(self) -> FormField:
        problems: list[tuple[str, str]] = []
        if self.max_length is not None and self.type not in TEXT_FIELD_TYPES:
            problems.append(("max_length", f"only allowed for type text or textarea, not {self.type!r}"))
        for key in ("min", "max", "integer"):
            if getattr(self, key) not in (None, False) and self.type != "number":
                problems.append((key, f"only allowed for type number, not {self.type!r}"))
        if self.min is not None and self.max is not None and self.min > self.max:
            problems.append(("max", f"max ({_fmt(self.max)}) is less than min ({_fmt(self.min)})"))
        if self.integer:
            for key in ("min", "max"):
                bound = getattr(self, key)
                if bound is not None and bound != bound.to_integral_value():
                    problems.append((key, f"an integer field needs a whole {key}, got {_fmt(bound)}"))
        if self.not_future and self.type != "date":
            problems.append(("not_future", f"only allowed for type date, not {self.type!r}"))
        if self.pattern is not None and self.type not in PATTERN_FIELD_TYPES:
            problems.append(("pattern", f"only allowed for type {', '.join(PATTERN_FIELD_TYPES)}, not {self.type!r}"))
        if (self.pattern is None) != (self.pattern_message is None):
            missing = "pattern_message" if self.pattern is not None else "pattern"
            problems.append((missing, "pattern and pattern_message go together (the message is what the applicant "
                                      "reads when the value does not match)"))
        if self.type == "select":
            if not self.choices:
                problems.append(("choices", "a select field needs a non-empty list of choices "
                                            "[{value: ..., label: ...}, ...]"))
            else:
                dup = _duplicates(c.value for c in self.choices)
                if dup:
                    problems.append(("choices", f"duplicate choice value(s): {', '.join(dup)}"))
        elif self.choices is not None:
            problems.append(("choices", f"only allowed for type select, not {self.type!r}"))
        if problems:
            raise _Problems(problems)
        return self


class ProcessStep(_Model):
    """One hand-off of the internal process (quy trình nội bộ): who does it, where, in how much of the
    procedure's time. The published steps are its public face; these drive the control slip
    (phiếu kiểm soát, Circular 01/2018 form 05) and the per-step on-time statistics.

    ``receiving_desk`` = the one-stop desk where the dossier was received (at receiving_level);
    ``resolving_agency`` = the competent agency (``level`` + ``agency`` of the procedure);
    ``other_level`` = another agency taking part, named by level + agency: usually of another level
    (liên thông, e.g. the commune that certifies land use before the district issues a certificate),
    or another agency of the same level (the district chairman who signs after the justice office's
    appraisal). It may not be the resolving agency itself.
    """

    name: Text
    role: Role
    where: StepPlace
    level: Level | None = None
    agency: AgencyRef | None = None
    duration: Number

    @model_validator(mode="after")
    def _other_level_needs_place(self) -> ProcessStep:
        problems: list[tuple[str, str]] = []
        for key in ("level", "agency"):
            present = getattr(self, key) is not None
            if self.where == "other_level" and not present:
                problems.append((key, f"required when where is 'other_level' (the {key} of that agency)"))
            elif self.where != "other_level" and present:
                problems.append((key, f"only allowed when where is 'other_level'; a step at {self.where} "
                                      "takes its level and agency from the procedure"))
        if problems:
            raise _Problems(problems)
        return self


# --------------------------------------------------------------------------- the procedure
class ProcedureSpec(_Model):
    """A validated, normalised procedure. Build it with parse_procedure / load_procedure_file."""

    code: StrictStr
    name: LocalizedName
    summary: Summary | None = None
    field: Text
    level: Level
    receiving_level: Level  # defaults to `level` when the file leaves it out
    agency: AgencyRef
    online: OnlineLevel
    methods: Annotated[list[Method], Field(min_length=1)]
    processing_time: ProcessingTime
    fees: list[Fee]
    legal_basis: Annotated[list[Text], Field(min_length=1)]
    subjects: Annotated[list[Subject], Field(min_length=1)]
    steps: Annotated[list[Text], Field(min_length=1)]
    result: Text
    # The layout of the result document; None = the generic page (templates/documents/result.html).
    result_template: StrictStr | None = None
    # The procedure's result is a document the competent agency issues (a certificate, an
    # extract, a licence, a decision): Decision 766 indices 3.3 (an online dossier counts only
    # with its electronic result), 4.1 and 4.2 (denominators) count only these procedures
    # (LEGAL.md §4, §8). Default true: almost every procedure ends in such a document, and a
    # file that forgets the line is measured, not silently left out of 3.3/4.1/4.2. False only
    # where the result is the applicant's own paper certified at the counter (chứng thực).
    requires_result_document: StrictBool = True
    # The kind of paper the signed electronic result is, for the citizen's store (Document.paper).
    result_paper: Key | None = None
    documents: Annotated[list[Document], Field(min_length=1)]
    form: list[FormField] = []
    process: Annotated[list[ProcessStep], Field(min_length=1)]
    # The receipt cut-off "HH:MM" of this procedure for paper dossiers and same-day procedures
    # (LEGAL.md §5); absent: the province's DEADLINE_CUTOFF (app/domain/deadlines.applicable_cutoff).
    cutoff: StrictStr | None = None
    sources: list[Source] = []

    @field_validator("cutoff")
    @classmethod
    def _cutoff_format(cls, value: str | None) -> str | None:
        if value is not None and not HHMM_PATTERN.match(value):
            raise ValueError(f"expected a time of day HH:MM such as \"15:00\", got {value!r}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _default_receiving_level(cls, data: Any) -> Any:
        if isinstance(data, dict) and "receiving_level" not in data and data.get("level") in get_args(Level):
            data = {**data, "receiving_level": data["level"]}
        return data

    @field_validator("code", mode="before")
    @classmethod
    def _code_format(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"must be a quoted string such as \"1.001193\": YAML read {value!r} as a number")
        if isinstance(value, str) and not CODE_PATTERN.match(value):
            raise ValueError(f"expected a national procedure code d.dddddd such as \"1.001193\", got {value!r}")
        return value

    @field_validator("result_template")
    @classmethod
    def _known_result_template(cls, value: str | None) -> str | None:
        if value is not None and value not in RESULT_TEMPLATES:
            known = ", ".join(sorted(RESULT_TEMPLATES)) or "none"
            raise ValueError(f"no result layout {value!r} (templates/documents/result_{value}.html); known: {known}")
        return value

    @field_validator("methods", "subjects")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        dup = _duplicates(value)
        if dup:
            raise ValueError(f"listed more than once: {', '.join(dup)}")
        return value

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ProcedureSpec:
        problems: list[tuple[str, str]] = []
        # Online level vs methods (Decree 42/2022 Art. 11): "full" and "partial" are online services,
        # so the online channel must be offered; "none" must not offer it.
        if self.online == "full" and "online" not in self.methods:
            problems.append(("methods", "online: full (toàn trình) requires 'online' in methods"))
        elif self.online == "partial" and "online" not in self.methods:
            problems.append(("methods", "online: partial (một phần) requires 'online' in methods"))
        elif self.online == "none" and "online" in self.methods:
            problems.append(("methods", "'online' is listed but online is 'none'; "
                                        "set online to partial or full, or remove 'online'"))
        for name, keys in (("documents", [d.key for d in self.documents]), ("form", [f.key for f in self.form])):
            for dup in _duplicates(keys):
                index = [i for i, k in enumerate(keys) if k == dup][1]
                problems.append((f"{name}[{index}].key", f"duplicate key {dup!r} (keys must be unique in {name})"))
        problems.extend(self._process_rules())
        if problems:
            raise _Problems(problems)
        return self

    def _process_rules(self) -> list[tuple[str, str]]:
        """The internal process must fit the time limit and start and end at the one-stop desk:
        receipt and return of results go through the Bộ phận Một cửa (Decree 61/2018 Art. 19, 22;
        Decree 118/2025 Art. 17, 22)."""
        problems: list[tuple[str, str]] = []
        steps = self.process
        total = sum((s.duration for s in steps), Decimal(0))
        if self.processing_time.unit in SAME_DAY_UNITS:
            if total > SAME_DAY_MAX_STEP_HOURS:
                problems.append(("process", f"a {self.processing_time.unit} procedure's step durations are working "
                                            f"hours within the receiving day; they add up to {_fmt(total)}, more "
                                            f"than {_fmt(SAME_DAY_MAX_STEP_HOURS)}"))
        elif total != self.processing_time.value:
            problems.append(("process", f"step durations add up to {_fmt(total)} but processing_time.value is "
                                        f"{_fmt(self.processing_time.value)} ({self.processing_time.unit}); "
                                        "they must be equal"))
        first, last = steps[0], steps[-1]
        if first.where != "receiving_desk":
            problems.append(("process[0].where",
                             f"the first step must be at receiving_desk (receipt), not {first.where!r}"))
        if first.role != "reception":
            problems.append(("process[0].role", f"the first step must be done by reception, not {first.role!r}"))
        if len(steps) > 1 and last.where != "receiving_desk":
            problems.append((f"process[{len(steps) - 1}].where",
                             f"the last step must be at receiving_desk (return of the result), not {last.where!r}"))
        if not any(s.where == "resolving_agency" for s in steps):
            where = (f"the dossier is received at {self.receiving_level} and resolved at {self.level}: "
                     if self.receiving_level != self.level else "")
            problems.append(("process", where + "no step is at resolving_agency; the competent agency must "
                                                "handle at least one step"))
        for i, s in enumerate(steps):
            if s.where == "other_level" and s.level == self.level and s.agency == self.agency:
                problems.append((f"process[{i}].where", "this other_level step names the resolving agency "
                                                        "itself; use where: resolving_agency"))
        problems += self._levels_reachable_from_the_desk()
        return problems

    def _levels_reachable_from_the_desk(self) -> list[tuple[str, str]]:
        """A step's agency is the one serving the receiving desk's unit or an ancestor of it
        (services/processing.step_agency): a step BELOW the receiving level would need the
        applicant's commune or district, which the dossier does not say. Such a file is refused
        at load time rather than every dossier failing at acceptance."""
        order = get_args(Level)  # province, district, commune: higher first
        receiving = self.receiving_level or self.level
        problems = []
        if order.index(self.level) > order.index(receiving):
            problems.append(("level", f"the procedure is resolved at {self.level}, below where it is received "
                                      f"({receiving}); receive it at {self.level} or higher"))
        for i, s in enumerate(self.process):
            if s.where == "other_level" and order.index(s.level) > order.index(receiving):
                problems.append((f"process[{i}].level", f"this step is at {s.level}, below where the dossier is "
                                                        f"received ({receiving}); a step can only be at the "
                                                        "receiving level or above"))
        return problems

    @property
    def is_cross_level(self) -> bool:
        """Whether the dossier passes between levels (liên thông): received at another level than
        the one that resolves it, or with a step at an agency of another level."""
        return self.receiving_level != self.level or any(
            s.where == "other_level" and s.level != self.level for s in self.process)

    def document(self, key: str) -> Document:
        for doc in self.documents:
            if doc.key == key:
                return doc
        raise KeyError(key)


# --------------------------------------------------------------------------- helpers
def _duplicates(values: Iterable[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def _fmt(number: Decimal) -> str:
    return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))


def _path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _join(loc: Sequence[str | int], field: str) -> str:
    """A location plus a relative path: ('form', 3) + 'choices' -> 'form[3].choices'."""
    if not loc:
        return field or "(top level)"
    return _path(loc) + ("." + field if field else "")


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class found by walking a location path from ProcedureSpec (for 'allowed keys')."""
    model: type[BaseModel] | None = ProcedureSpec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        model = _find_model(info.annotation) if info else None
    return model


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, Annotated) or type(annotation).__name__ == "UnionType":
        for arg in get_args(annotation):
            found = _find_model(arg)
            if found:
                return found
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problems_from_validation(exc: ValidationError) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = [p for p in err["loc"]]
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, _Problems):
            for field, message in error.problems:
                problems.append((_join(loc, field), message))
            continue
        kind = err["type"]
        if kind == "missing":
            message = "required key is missing"
        elif kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            allowed = f"; allowed keys here: {', '.join(model.model_fields)}" if model else ""
            message = f"unknown key {loc[-1]!r} (a typo?){allowed}"
        elif kind == "value_error":
            message = str(error) if error is not None else err["msg"].removeprefix("Value error, ")
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "key":
            message = (f"expected a key of lower-case letters, digits and '_' starting with a letter "
                       f"(e.g. to_khai), got {_short(err['input'])}")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = f"expected a mapping of keys, got {_short(err['input'])}"
        else:
            message = f"{err['msg']} (got {_short(err['input'])})"
        problems.append((_path(loc), message))
    return problems


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """SafeLoader that refuses a key repeated in one mapping (PyYAML silently keeps the last one,
    which would hide a copy-paste mistake in a reviewed file). The C parser (libyaml) when
    PyYAML has it: about ten times faster on a 2,000-file catalogue."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, (list, dict)):
            continue  # unhashable: let the default constructor report it
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in the same mapping (first at line {seen[key]})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    if context and context not in problem:
        started = (f" (started at line {context_mark.line + 1})"
                   if context_mark is not None and mark is not None and context_mark.line != mark.line else "")
        problem = f"{context}{started}, {problem}"
    return f"invalid YAML at {where}{problem}"


# --------------------------------------------------------------------------- public API
def parse_procedure(text: str, filename: str) -> ProcedureSpec:
    """Parse and validate one procedure from YAML text; ``filename`` only names it in messages.

    Raises ProcedureFileError listing every problem found (field "(yaml)" for a syntax error, with
    its line)."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ProcedureFileError(filename, "(yaml)", _yaml_problem(exc)) from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise ProcedureFileError(filename, "(top level)",
                                 f"expected a mapping of keys (code, name, field, level, ...), got {got}")
    try:
        return ProcedureSpec.model_validate(data)
    except ValidationError as exc:
        raise ProcedureFileError(filename, errors=_problems_from_validation(exc)) from None


def load_procedure_file(path: Path) -> ProcedureSpec:
    """Read, parse and validate one file; also check that the file is named ``<code>-<slug>.yaml``
    and that every ``blank_form`` exists in the ``forms`` folder next to it."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ProcedureFileError(name, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ProcedureFileError(name, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    return check_beside(parse_procedure(text, name), name, path.parent / "forms", path.name)


def check_beside(spec: ProcedureSpec, name: str, forms: Path, file_name: str | None = None) -> ProcedureSpec:
    """What a valid spec must also satisfy outside its text: the file is named
    ``<code>-<slug>.yaml`` (when it has a file name: a text typed in the portal has none) and
    every ``blank_form`` exists in the ``forms`` folder. The one check after `parse_procedure`
    for a file of the folder (`load_procedure_file`) and a text uploaded in the portal
    (app/services/procedure_admin.py) alike. Raises ProcedureFileError naming ``name``."""
    problems: list[tuple[str, str]] = []
    if file_name is not None and not file_name.startswith(spec.code + "-"):
        problems.append(("code", f"the file name should start with the code: {spec.code}-<short-slug>.yaml"))
    for i, doc in enumerate(spec.documents):
        if doc.blank_form is not None and not (forms / doc.blank_form).is_file():
            problems.append((f"documents[{i}].blank_form", f"file not found: {forms / doc.blank_form}"))
    if problems:
        raise ProcedureFileError(name, errors=problems)
    return spec


def load_procedure_folder(folder: Path) -> list[ProcedureSpec]:
    """Every ``*.yaml`` of the folder, sorted by file name. Problems of all files are collected and
    raised together as one ProcedureFileError; a code used by two files is an error naming both."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ProcedureFileError(str(folder), "(folder)", "not a folder")
    problems: list[tuple[str, str, str]] = []
    specs: list[ProcedureSpec] = []
    seen: dict[str, Path] = {}
    for stray in sorted(folder.glob("*.yml")):
        problems.append((str(stray), "(file)", "procedure files must end in .yaml; this one would be ignored"))
    for path in sorted(folder.glob("*.yaml")):
        try:
            spec = load_procedure_file(path)
        except ProcedureFileError as exc:
            problems.extend(exc.problems)
            continue
        if spec.code in seen:
            problems.append((str(path), "code", f"duplicate code {spec.code}: also used by {seen[spec.code]}"))
            continue
        seen[spec.code] = path
        specs.append(spec)
    if problems:
        raise ProcedureFileError(problems[0][0], problems=problems)
    return specs


def fingerprint(spec: ProcedureSpec) -> str:
    """SHA-256 (hex) of the canonical JSON of the spec: the same content gives the same fingerprint
    however the YAML is laid out (quotes, flow or block style, key order, 3 vs 3.0), and any change
    of content gives a new one, i.e. a new published version."""
    canonical = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
