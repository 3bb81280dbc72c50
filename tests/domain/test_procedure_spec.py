"""app/domain/procedure_spec.py: a valid file parses; every kind of broken file is refused with a
message naming the file, the field path and the problem."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from app.domain.procedure_spec import (
    ProcedureFileError,
    ProcedureSpec,
    fingerprint,
    load_procedure_file,
    load_procedure_folder,
    parse_procedure,
)

FILE = "1.001193-dang-ky-khai-sinh.yaml"

MINIMAL = """\
code: "1.001193"
name: {vi: "Thủ tục đăng ký khai sinh", en: "Birth registration"}
field: "Hộ tịch"
level: commune
agency: {kind: committee, sector: justice}
online: partial
methods: [counter, online]
processing_time: {value: 3, unit: working_days}
fees: [{name: "Lệ phí đăng ký khai sinh", amount: 0}]
legal_basis: ["Luật Hộ tịch số 60/2014/QH13"]
subjects: [citizen]
steps: ["Nộp hồ sơ tại Bộ phận Một cửa", "Nhận Giấy khai sinh"]
result: "Giấy khai sinh (bản chính)"
documents:
  - {key: to_khai, name: "Tờ khai đăng ký khai sinh", copy: original, count: 1, required: true}
  - {key: giay_chung_sinh, name: "Giấy chứng sinh", copy: original, count: 1, required: true}
form:
  - {key: child_full_name, label: "Họ, chữ đệm và tên", type: text, required: true, max_length: 100}
  - key: child_sex
    label: "Giới tính"
    type: select
    required: true
    choices: [{value: nam, label: "Nam"}, {value: nu, label: "Nữ"}]
process:
  - {name: "Tiếp nhận hồ sơ", role: reception, where: receiving_desk, duration: 0.5}
  - {name: "Thẩm tra hồ sơ", role: specialist, where: resolving_agency, duration: 2}
  - {name: "Trả kết quả", role: reception, where: receiving_desk, duration: 0.5}
"""


def variant(change: Callable[[dict], object]) -> str:
    """MINIMAL with one change applied to its data, dumped back to YAML."""
    data = yaml.safe_load(MINIMAL)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def refused(text: str, filename: str = FILE) -> ProcedureFileError:
    with pytest.raises(ProcedureFileError) as info:
        parse_procedure(text, filename)
    return info.value


def assert_problem(error: ProcedureFileError, field: str, *words: str) -> str:
    """The error lists `field` with a message containing every word; the text names file and field."""
    messages = [m for f, m in error.errors if f == field]
    assert messages, f"no problem reported for {field!r}; got {error.errors}"
    message = messages[0]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert f"{error.file}: {field}: {message}" in str(error).splitlines()
    return message


# ------------------------------------------------------------------------------------ valid files
def test_minimal_file_parses_into_a_typed_normalised_spec():
    spec = parse_procedure(MINIMAL, FILE)
    assert isinstance(spec, ProcedureSpec)
    assert spec.code == "1.001193"
    assert spec.name.vi == "Thủ tục đăng ký khai sinh"
    assert spec.receiving_level == "commune"  # defaults to level
    assert spec.processing_time.value == Decimal(3)
    assert spec.process[0].duration == Decimal("0.5")
    assert spec.document("giay_chung_sinh").copy == "original"
    assert spec.form[1].choices[1].label == "Nữ"
    assert spec.is_cross_level is False
    with pytest.raises(ValidationError):
        spec.code = "1.000894"  # frozen: a published snapshot never changes


def test_form_may_be_empty_and_fees_may_be_an_empty_list():
    spec = parse_procedure(variant(lambda d: (d.pop("form"), d.update(fees=[]))), FILE)
    assert spec.form == [] and spec.fees == []


def test_cross_level_procedure_with_other_level_step():
    def cross(d):
        d["level"] = "district"
        d["receiving_level"] = "commune"
        d["agency"] = {"kind": "department", "sector": "natural_resources"}
        d["process"].insert(1, {"name": "UBND xã xác nhận", "role": "specialist", "where": "other_level",
                                "level": "commune", "agency": {"kind": "committee"}, "duration": 1})
        d["process"][2]["duration"] = 1

    spec = parse_procedure(variant(cross), FILE)
    assert spec.receiving_level == "commune" and spec.level == "district"
    assert spec.process[1].level == "commune"
    assert spec.is_cross_level is True


# ------------------------------------------------------------------------------------ broken files
def test_missing_required_key():
    error = refused(variant(lambda d: d.pop("result")))
    assert error.file == FILE and error.field == "result"
    assert_problem(error, "result", "required key is missing")
    assert str(error) == f"{FILE}: result: required key is missing"


def test_missing_nested_key_names_the_path():
    error = refused(variant(lambda d: d["documents"][1].pop("required")))
    assert_problem(error, "documents[1].required", "missing")


def test_bad_code_format():
    error = refused(variant(lambda d: d.update(code="1.1193")))
    assert_problem(error, "code", "d.dddddd", "1.1193")


def test_unquoted_code_is_refused_because_yaml_reads_a_number():
    error = refused(MINIMAL.replace('code: "1.001193"', "code: 1.001193"))
    assert_problem(error, "code", "quoted")


def test_unknown_unit():
    error = refused(variant(lambda d: d["processing_time"].update(unit="days")))
    assert_problem(error, "processing_time.unit", "working_days", "working_hours", "calendar_days", "'days'")


def test_same_day_and_immediately_units_have_no_count_and_steps_in_hours():
    def same_day(d):
        d["processing_time"] = {"unit": "same_day"}
        for step, hours in zip(d["process"], (0.5, 2, 0.5), strict=True):
            step["duration"] = hours

    spec = parse_procedure(variant(same_day), FILE)
    assert spec.processing_time.unit == "same_day" and spec.processing_time.value == Decimal(0)
    error = refused(variant(lambda d: (same_day(d), d["processing_time"].update(value=1))))
    assert_problem(error, "processing_time.value", "same_day", "no count")
    error = refused(variant(lambda d: (same_day(d), d["process"][1].update(duration=8))))
    assert_problem(error, "process", "working hours", "9", "8")
    spec = parse_procedure(variant(lambda d: (same_day(d), d["processing_time"].update(
        unit="immediately", note="Trường hợp cần xác minh: không quá 05 ngày làm việc"))), FILE)
    assert spec.processing_time.unit == "immediately" and "05 ngày" in spec.processing_time.note


def test_a_counted_unit_needs_its_value():
    error = refused(variant(lambda d: d["processing_time"].pop("value")))
    assert_problem(error, "processing_time.value", "missing", "working_days")


def test_per_procedure_cutoff_and_sources():
    spec = parse_procedure(variant(lambda d: d.update(cutoff="16:00", sources=[
        {"topic": "processing_time", "text": "Luật Hộ tịch 2014, Điều 16 khoản 2", "verified": True}])), FILE)
    assert spec.cutoff == "16:00" and spec.sources[0].topic == "processing_time" and spec.sources[0].verified
    assert parse_procedure(MINIMAL, FILE).cutoff is None  # the province's DEADLINE_CUTOFF
    assert_problem(refused(variant(lambda d: d.update(cutoff="3pm"))), "cutoff", "HH:MM", "'3pm'")
    error = refused(variant(lambda d: d.update(sources=[{"topic": "time", "text": "x", "verified": True}])))
    assert_problem(error, "sources[0].topic", "processing_time")


def test_negative_fee():
    error = refused(variant(lambda d: d["fees"][0].update(amount=-5000)))
    assert_problem(error, "fees[0].amount", "greater than or equal to 0")


def test_fee_must_be_whole_dong():
    error = refused(variant(lambda d: d["fees"][0].update(amount=12.5)))
    assert_problem(error, "fees[0].amount", "integer")


def test_typo_extra_key_is_named():
    error = refused(variant(lambda d: d["documents"][1].update(requried=True)))
    message = assert_problem(error, "documents[1].requried", "unknown key", "'requried'")
    assert "required" in message  # lists the allowed keys


def test_typo_top_level_key():
    error = refused(variant(lambda d: d.update(legal_bases=d.pop("legal_basis"))))
    assert_problem(error, "legal_bases", "unknown key")
    assert_problem(error, "legal_basis", "missing")


def test_select_without_choices():
    error = refused(variant(lambda d: d["form"][1].pop("choices")))
    assert_problem(error, "form[1].choices", "select", "choices")


def test_select_with_duplicate_choice_values():
    error = refused(variant(lambda d: d["form"][1]["choices"].append({"value": "nam", "label": "Nam (2)"})))
    assert_problem(error, "form[1].choices", "duplicate", "nam")


def test_choices_on_a_text_field():
    error = refused(variant(lambda d: d["form"][0].update(choices=[{"value": "a", "label": "A"}])))
    assert_problem(error, "form[0].choices", "only allowed for type select", "'text'")


def test_max_length_on_a_date_field():
    error = refused(variant(lambda d: d["form"][0].update(type="date")))
    assert_problem(error, "form[0].max_length", "text or textarea")


# --------------------------------------------------------------- the e-form rules' keys (issue 14 item 3)
COPIES = {"key": "copies", "label": "Số bản sao", "type": "number", "required": False}
BORN = {"key": "born", "label": "Ngày sinh", "type": "date", "required": True}


def with_field(**field):
    return variant(lambda d: d["form"].append(field))


def test_the_new_e_form_keys_parse_and_keep_their_values():
    spec = parse_procedure(variant(lambda d: d["form"].extend([
        {**COPIES, "integer": True, "min": 1, "max": 10}, {**BORN, "not_future": True},
        {"key": "plot", "label": "Số thửa", "type": "text", "required": True, "pattern": r"\d{1,6}",
         "pattern_message": "Số thửa gồm 1 đến 6 chữ số."}])), FILE)
    copies, born, plot = spec.form[2:]
    assert (copies.integer, copies.min, copies.max) == (True, Decimal(1), Decimal(10))
    assert born.not_future is True and plot.pattern == r"\d{1,6}"
    dumped = spec.model_dump(mode="json")["form"][2]
    assert dumped["min"] == 1 and dumped["max"] == 10 and isinstance(dumped["min"], int)
    assert spec.form[0].integer is False and spec.form[0].min is None  # defaults


@pytest.mark.parametrize("field, path, words", [
    ({**COPIES, "type": "text", "min": 1}, "min", ("only allowed for type number", "'text'")),
    ({**BORN, "integer": True}, "integer", ("only allowed for type number", "'date'")),
    ({**COPIES, "min": 5, "max": 2}, "max", ("less than min",)),
    ({**COPIES, "integer": True, "min": 0.5}, "min", ("whole",)),
    ({**COPIES, "min": "1"}, "min", ("remove the quotes",)),
    ({**COPIES, "integer": "yes"}, "integer", ("bool",)),
    ({**COPIES, "not_future": True}, "not_future", ("only allowed for type date", "'number'")),
    ({**BORN, "pattern": "\\d+", "pattern_message": "Chỉ chữ số."}, "pattern", ("only allowed for type",)),
    ({**BORN, "type": "text", "pattern": "([a-z", "pattern_message": "x"}, "pattern", ("regular expression",)),
    ({**BORN, "type": "text", "pattern": "\\d+"}, "pattern_message", ("go together",)),
    ({**BORN, "type": "text", "pattern_message": "Chỉ chữ số."}, "pattern", ("go together",)),
    ({**BORN, "type": "text", "max_length": 10**7}, "max_length", ("less than or equal",)),
])
def test_bad_e_form_rule_keys_are_refused_naming_the_key(field, path, words):
    assert_problem(refused(with_field(**field)), f"form[2].{path}", *words)


def test_durations_not_adding_up_shows_both_sums():
    error = refused(variant(lambda d: d["process"][1].update(duration=1.5)))
    assert_problem(error, "process", "2.5", "3", "working_days")


def test_durations_compare_exactly_as_decimals():
    # 0.1 + 0.2 != 0.3 in binary floating point, but these are decimal durations.
    def thirds(d):
        d["processing_time"]["value"] = 0.6
        for step, value in zip(d["process"], (0.1, 0.2, 0.3), strict=True):
            step["duration"] = value

    assert parse_procedure(variant(thirds), FILE).processing_time.value == Decimal("0.6")


def test_duplicate_document_key():
    error = refused(variant(lambda d: d["documents"][1].update(key="to_khai")))
    assert_problem(error, "documents[1].key", "duplicate", "to_khai")


def test_bad_document_key_format():
    error = refused(variant(lambda d: d["documents"][0].update(key="To-Khai")))
    assert_problem(error, "documents[0].key", "lower-case")


def test_online_full_without_online_method():
    error = refused(variant(lambda d: d.update(online="full", methods=["counter", "post"])))
    assert_problem(error, "methods", "full", "'online'")


def test_online_method_listed_for_an_offline_procedure():
    error = refused(variant(lambda d: d.update(online="none")))
    assert_problem(error, "methods", "none")


def test_department_needs_a_sector():
    error = refused(variant(lambda d: d.update(agency={"kind": "department"})))
    assert_problem(error, "agency.sector", "department")


def test_other_level_step_without_level():
    def step(d):
        d["process"][1].update(where="other_level", agency={"kind": "committee"})

    error = refused(variant(step))
    assert_problem(error, "process[1].level", "required", "other_level")


def test_level_on_a_step_that_is_not_other_level():
    error = refused(variant(lambda d: d["process"][1].update(level="district")))
    assert_problem(error, "process[1].level", "only allowed")


def test_first_step_must_be_reception_at_the_receiving_desk():
    error = refused(variant(lambda d: d["process"][0].update(role="specialist", where="resolving_agency")))
    assert_problem(error, "process[0].where", "receiving_desk")
    assert_problem(error, "process[0].role", "reception")


def test_last_step_must_return_the_result_at_the_receiving_desk():
    error = refused(variant(lambda d: d["process"][2].update(where="resolving_agency")))
    assert_problem(error, "process[2].where", "return")


def test_a_step_below_the_receiving_level_is_refused():
    """The desk's unit has no commune below it to send the dossier to."""
    def lower(d):
        d["level"] = "district"
        d["agency"] = {"kind": "department", "sector": "natural_resources"}
        d["process"].insert(1, {"name": "UBND xã xác nhận", "role": "specialist", "where": "other_level",
                                "level": "commune", "agency": {"kind": "committee"}, "duration": 1})
        d["process"][2]["duration"] = 1

    error = refused(variant(lower))
    assert_problem(error, "process[1].level", "commune", "below where the dossier is received (district)")


def test_resolved_below_the_receiving_level_is_refused():
    error = refused(variant(lambda d: d.update(receiving_level="province")))
    assert_problem(error, "level", "resolved at commune", "below where it is received (province)")


def test_yaml_syntax_error_gives_the_line():
    text = MINIMAL.replace("field: \"Hộ tịch\"", "field: [\"Hộ tịch\"")
    error = refused(text)
    assert error.field == "(yaml)"
    assert error.message.startswith("invalid YAML at line 4, column 1: ")
    assert "started at line 3" in error.message  # the unclosed [ is on the `field:` line
    assert str(error).startswith(f"{FILE}: (yaml): invalid YAML at line 4")


def test_yaml_key_repeated_in_one_mapping():
    error = refused(MINIMAL + "result: \"Giấy khai sinh\"\n")
    assert error.field == "(yaml)"
    assert "'result' appears twice" in error.message and "line 13" in error.message


def test_top_level_must_be_a_mapping():
    error = refused("- code: '1.001193'\n")
    assert (error.field, error.file) == ("(top level)", FILE)
    assert "mapping" in error.message and "list" in error.message
    assert "empty" in refused("").message


def test_several_problems_are_all_listed_one_per_line():
    def broken(d):
        d.pop("result")
        d["fees"][0]["amount"] = -1
        d["processing_time"]["unit"] = "weeks"

    error = refused(variant(broken))
    fields = [f for f, _ in error.errors]
    assert {"result", "fees[0].amount", "processing_time.unit"} <= set(fields)
    assert len(str(error).splitlines()) == len(error.errors) >= 3
    assert all(line.startswith(f"{FILE}: ") for line in str(error).splitlines())


# ------------------------------------------------------------------------------------ files and folders
def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_load_file_checks_blank_form_exists(tmp_path):
    text = variant(lambda d: d["documents"][0].update(blank_form="to-khai-dang-ky-khai-sinh.pdf"))
    path = write(tmp_path, FILE, text)
    with pytest.raises(ProcedureFileError) as info:
        load_procedure_file(path)
    assert info.value.file == str(path)
    assert_problem(info.value, "documents[0].blank_form", "not found", "to-khai-dang-ky-khai-sinh.pdf")

    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "to-khai-dang-ky-khai-sinh.pdf").write_bytes(b"%PDF-1.7\n")
    assert load_procedure_file(path).documents[0].blank_form == "to-khai-dang-ky-khai-sinh.pdf"


def test_blank_form_must_be_a_plain_file_name():
    error = refused(variant(lambda d: d["documents"][0].update(blank_form="../secret.pdf")))
    assert_problem(error, "documents[0].blank_form", "plain file name")


def test_file_name_must_start_with_the_code(tmp_path):
    path = write(tmp_path, "1.000894-dang-ky-ket-hon.yaml", MINIMAL)
    with pytest.raises(ProcedureFileError) as info:
        load_procedure_file(path)
    assert_problem(info.value, "code", "1.001193-")


def test_folder_loads_every_yaml_sorted(tmp_path):
    write(tmp_path, FILE, MINIMAL)
    write(tmp_path, "1.000656-dang-ky-khai-tu.yaml", MINIMAL.replace("1.001193", "1.000656"))
    specs = load_procedure_folder(tmp_path)
    assert [s.code for s in specs] == ["1.000656", "1.001193"]


def test_duplicate_code_across_two_files_names_both(tmp_path):
    first = write(tmp_path, "1.001193-a.yaml", MINIMAL)
    second = write(tmp_path, "1.001193-b.yaml", MINIMAL)
    with pytest.raises(ProcedureFileError) as info:
        load_procedure_folder(tmp_path)
    error = info.value
    assert error.file == str(second)
    message = assert_problem(error, "code", "duplicate", "1.001193")
    assert str(first) in message


def test_folder_collects_the_errors_of_all_files(tmp_path):
    write(tmp_path, FILE, variant(lambda d: d.pop("result")))
    write(tmp_path, "1.000656-dang-ky-khai-tu.yaml", "code: [\n")
    write(tmp_path, "1.000894-dang-ky-ket-hon.yaml", MINIMAL.replace("1.001193", "1.000894"))
    write(tmp_path, "old.yml", MINIMAL)
    with pytest.raises(ProcedureFileError) as info:
        load_procedure_folder(tmp_path)
    error = info.value
    assert set(error.files) == {str(tmp_path / FILE), str(tmp_path / "1.000656-dang-ky-khai-tu.yaml"),
                                str(tmp_path / "old.yml")}
    text = str(error)
    assert f"{tmp_path / FILE}: result: required key is missing" in text
    assert f"{tmp_path / '1.000656-dang-ky-khai-tu.yaml'}: (yaml): invalid YAML at line" in text
    assert f"{tmp_path / 'old.yml'}: (file): procedure files must end in .yaml" in text
    assert len(text.splitlines()) == len(error.problems) == 3


# ------------------------------------------------------------------------------------ fingerprint
def test_fingerprint_is_stable_across_reformatting():
    spec = parse_procedure(MINIMAL, FILE)
    data = yaml.safe_load(MINIMAL)
    data["processing_time"]["value"] = 3.0  # 3 and 3.0 are the same time limit
    data["name"]["vi"] = "  Thủ tục đăng ký khai sinh  "  # surrounding blanks are not content
    block_style = yaml.safe_dump(dict(reversed(list(data.items()))), allow_unicode=True, default_flow_style=False)
    flow_style = yaml.safe_dump(data, allow_unicode=False, default_flow_style=True, width=10_000)
    assert block_style != MINIMAL and flow_style != MINIMAL
    for text in (block_style, flow_style, "# a comment\n" + MINIMAL):
        assert fingerprint(parse_procedure(text, FILE)) == fingerprint(spec)
    assert fingerprint(parse_procedure(MINIMAL, FILE)) == fingerprint(spec)  # same file, same print
    assert len(fingerprint(spec)) == 64 and int(fingerprint(spec), 16) >= 0


def test_fingerprint_changes_with_content():
    base = fingerprint(parse_procedure(MINIMAL, FILE))
    changed = [
        variant(lambda d: d["fees"][0].update(amount=5000)),
        variant(lambda d: d["steps"].append("Bước mới")),
        variant(lambda d: d["documents"][1].update(required=False)),
        variant(lambda d: d["process"][1].update(name="Thẩm định hồ sơ")),
    ]
    prints = {fingerprint(parse_procedure(text, FILE)) for text in changed}
    assert base not in prints and len(prints) == len(changed)


def test_json_snapshot_has_plain_numbers_and_round_trips():
    spec = parse_procedure(MINIMAL, FILE)
    data = spec.model_dump(mode="json")
    assert data["processing_time"] == {"value": 3, "unit": "working_days", "verification_days": None, "note": None}
    assert [step["duration"] for step in data["process"]] == [0.5, 2, 0.5]
    assert data["receiving_level"] == "commune" and data["documents"][0]["copy"] == "original"
    assert ProcedureSpec.model_validate(data) == spec  # a stored snapshot reads back as the same spec


def test_the_schema_takes_its_values_from_the_enums_that_label_them():
    """A value is allowed in a procedure file because its enum declares it (with its label):
    every member is accepted, the administrator and the one-stop desk are not process actors."""
    from app.domain.deadlines import TimeUnit
    from app.domain.structure import Role, Sector
    from app.domain.vocabulary import CopyKind, Subject

    for sector in Sector:
        spec = parse_procedure(variant(lambda d, sector=sector: d["agency"].update(sector=sector.value)), FILE)
        assert spec.agency.sector == sector
    for kind in CopyKind:
        assert parse_procedure(variant(lambda d, kind=kind: d["documents"][0].update(copy=kind.value)),
                               FILE).documents[0].copy == kind
    assert parse_procedure(variant(lambda d: d.update(subjects=[s.value for s in Subject])),
                           FILE).subjects == list(Subject)
    assert parse_procedure(variant(lambda d: d["processing_time"].update(unit=TimeUnit.CALENDAR_DAYS.value)), FILE)
    assert_problem(refused(variant(lambda d: d["process"][1].update(role=Role.ADMIN.value))), "process[1].role")
    assert_problem(refused(variant(lambda d: d["agency"].update(kind="one_stop"))), "agency.kind")
    assert_problem(refused(variant(lambda d: d["documents"][0].update(copy="photocopy"))), "documents[0].copy")
    assert (Sector.CONSTRUCTION.label, Sector.CONSTRUCTION.office("district"),
            Sector.CONSTRUCTION.office("commune")) == (
        "Sở Xây dựng", "Phòng Quản lý đô thị / Kinh tế - Hạ tầng", None)
    assert (TimeUnit.SAME_DAY.label, CopyKind.ORIGINAL_OR_COPY.label) == ("trong ngày", "Bản chính hoặc bản sao")


def test_a_summary_may_be_given_in_either_language_and_nothing_else():
    from app.domain.procedure_spec import Summary
    assert Summary(en="What it is for.").vi is None
    with pytest.raises(ValidationError):
        Summary(fr="Pour quoi faire.")
