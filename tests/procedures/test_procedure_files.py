"""The shipped catalogue: every procedures/*.yaml file validates, and together they cover what the
demo province needs (all levels, both online levels and offline, free and paying, cross-level)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.domain.procedure_spec import ProcedureSpec, fingerprint, load_procedure_folder

FOLDER = Path(__file__).resolve().parents[2] / "procedures"


@pytest.fixture(scope="module")
def specs() -> list[ProcedureSpec]:
    return load_procedure_folder(FOLDER)  # raises ProcedureFileError listing every problem


def test_every_file_validates_and_there_are_enough(specs):
    files = sorted(FOLDER.glob("*.yaml"))
    assert len(specs) == len(files) >= 15


def test_the_procedures_the_portal_is_demonstrated_with_are_there(specs):
    codes = {s.code for s in specs}
    assert {
        "1.001193",  # đăng ký khai sinh
        "1.000894",  # đăng ký kết hôn
        "1.000656",  # đăng ký khai tử
        "1.004873",  # xác nhận tình trạng hôn nhân
        "2.000806",  # kết hôn có yếu tố nước ngoài
        "1.001612",  # đăng ký hộ kinh doanh
        "2.001610",  # thành lập doanh nghiệp tư nhân
        "2.000884",  # chứng thực chữ ký
        "2.000815",  # chứng thực bản sao từ bản chính
    } <= codes


def test_all_levels_are_covered(specs):
    assert {s.level for s in specs} == {"province", "district", "commune"}
    assert {s.receiving_level for s in specs} >= {"district", "commune"}


def test_online_levels_partial_full_and_none(specs):
    counts = Counter(s.online for s in specs)
    assert counts["partial"] >= 1 and counts["full"] >= 1 and counts["none"] >= 1


def test_free_and_paying_procedures(specs):
    assert any(all(f.amount == 0 for f in s.fees) for s in specs)
    assert any(any(f.amount > 0 for f in s.fees) for s in specs)


def test_at_least_two_procedures_pass_between_levels(specs):
    cross = [s for s in specs if s.is_cross_level]
    assert len(cross) >= 2
    assert any(s.receiving_level == "commune" and s.level == "district" for s in cross)
    # the hand-off to an agency of another level is modelled as a step
    assert any(step.where == "other_level" and step.level != s.level for s in cross for step in s.process)


def test_each_file_is_named_after_its_code(specs):
    names = sorted(p.name for p in FOLDER.glob("*.yaml"))
    for spec, name in zip(specs, names, strict=True):
        assert name.startswith(spec.code + "-") and name.endswith(".yaml")


def test_codes_and_fingerprints_are_unique(specs):
    assert len({s.code for s in specs}) == len(specs)
    assert len({fingerprint(s) for s in specs}) == len(specs)


def test_texts_are_vietnamese_with_diacritics(specs):
    for spec in specs:
        assert any(ord(c) > 127 for c in spec.name.vi), spec.code
        assert spec.name.en.isascii(), spec.code


def test_e_forms_are_realistic(specs):
    for spec in specs:
        # The birth declaration (Circular 04/2020/TT-BTP) also asks the child's and both
        # parents' ethnicity, nationality, year of birth and residence (Civil Status Law Art. 14).
        assert 3 <= len(spec.form) <= (22 if spec.code == "1.001193" else 10), spec.code
        assert any(f.type == "id_number" for f in spec.form), f"{spec.code}: no id_number field for the applicant"


def test_internal_process_goes_from_reception_through_the_agency_back_to_the_desk(specs):
    for spec in specs:
        roles = [step.role for step in spec.process]
        assert roles[0] == "reception" and spec.process[-1].where == "receiving_desk", spec.code
        assert "specialist" in roles and "leader" in roles, spec.code


def test_blank_forms_are_shipped_pdfs_and_none_is_orphaned(specs):
    referenced = {d.blank_form for s in specs for d in s.documents if d.blank_form}
    assert len(referenced) >= 3
    shipped = {p.name for p in (FOLDER / "forms").iterdir() if p.is_file()}
    assert referenced == shipped
    for name in shipped:
        data = (FOLDER / "forms" / name).read_bytes()
        assert data.startswith(b"%PDF-") and len(data) < 200_000, name
