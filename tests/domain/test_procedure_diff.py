"""app/domain/procedure_diff.py: what a new version changes against the published one."""
from pathlib import Path

import pytest

from app.domain.procedure_diff import Change, diff
from app.domain.procedure_spec import parse_procedure

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def spec() -> dict:
    text = (ROOT / "procedures" / "1.001193-dang-ky-khai-sinh.yaml").read_text(encoding="utf-8")
    return parse_procedure(text, "x").model_dump(mode="json")


def changed(spec: dict, **values) -> dict:
    return {**spec, **values}


def test_the_same_spec_has_no_changes(spec):
    assert diff(spec, dict(spec)) == []


def test_a_new_procedure_is_one_change(spec):
    assert diff(None, spec) == [Change("field", "code", "added", None, "1.001193")]


def test_a_nested_value_is_named_by_its_path(spec):
    new = changed(spec, name={**spec["name"], "en": "Birth registration (new)"}, level="district")
    assert diff(spec, new) == [Change("field", "name.en", "changed", "Birth registration", "Birth registration (new)"),
                               Change("field", "level", "changed", "commune", "district")]


def test_the_time_limit_has_its_own_section(spec):
    new = changed(spec, processing_time={"value": 3, "unit": "working_days", "verification_days": None, "note": None})
    assert diff(spec, new) == [Change("time", "processing_time.value", "changed", 0, 3),
                               Change("time", "processing_time.unit", "changed", "immediately", "working_days")]


def test_fees_are_matched_by_name(spec):
    fee = spec["fees"][0]
    new = changed(spec, fees=[{**fee, "amount": 8000}, {"name": "Phí cấp bản sao", "amount": 3000}])
    assert diff(spec, new) == [Change("fee", f"fees[{fee['name']}].amount", "changed", 0, 8000),
                               Change("fee", "fees[Phí cấp bản sao]", "added", None,
                                      {"name": "Phí cấp bản sao", "amount": 3000})]
    assert diff(new, spec)[-1] == Change("fee", "fees[Phí cấp bản sao]", "removed",
                                         {"name": "Phí cấp bản sao", "amount": 3000}, None)


def test_documents_are_matched_by_key_so_an_insertion_is_one_addition(spec):
    extra = {**spec["documents"][0], "key": "giay_uy_quyen", "name": "Văn bản ủy quyền", "required": False}
    new = changed(spec, documents=[extra, *spec["documents"][1:]])
    first = spec["documents"][0]
    assert diff(spec, new) == [Change("document", "documents[giay_uy_quyen]", "added", None, extra),
                               Change("document", "documents[to_khai]", "removed", first, None)]
    count = changed(spec, documents=[{**first, "count": 2}, *spec["documents"][1:]])
    assert diff(spec, count) == [Change("document", "documents[to_khai].count", "changed", 1, 2)]


def test_only_the_order_of_documents_changed(spec):
    new = changed(spec, documents=list(reversed(spec["documents"])))
    [change] = diff(spec, new)
    assert change.section == "document" and change.path == "documents" and change.kind == "changed"


def test_lists_of_plain_values_give_the_items_added_and_removed(spec):
    new = changed(spec, legal_basis=[*spec["legal_basis"][1:], "Nghị định mới"])
    assert diff(spec, new) == [Change("field", "legal_basis", "added", None, "Nghị định mới"),
                               Change("field", "legal_basis", "removed", spec["legal_basis"][0], None)]
    assert diff(spec, changed(spec, methods=list(reversed(spec["methods"])))) == [
        Change("field", "methods", "changed", spec["methods"], list(reversed(spec["methods"])))]


def test_process_steps_are_compared_by_position(spec):
    steps = spec["process"]
    new = changed(spec, process=[*steps[:-1], {**steps[-1], "name": "Trả kết quả"}])
    assert diff(spec, new) == [Change("field", f"process[{len(steps) - 1}].name", "changed", steps[-1]["name"],
                                      "Trả kết quả")]


def test_a_key_left_out_is_removed(spec):
    new = {k: v for k, v in spec.items() if k != "result_template"}
    assert diff(spec, new) == [Change("field", "result_template", "removed", "birth_extract", None)]
