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


def _spec(specs, code) -> ProcedureSpec:
    return next(s for s in specs if s.code == code)


def test_birth_registration_is_immediate_on_complete_papers(specs):
    # Civil Status Law 2014 Art. 16(2); "1 working day" is not the law's figure.
    birth = _spec(specs, "1.001193")
    assert birth.processing_time.unit == "immediately"
    assert any(s.topic == "processing_time" and "Điều 16 khoản 2" in s.text and s.verified for s in birth.sources)


def test_marriage_is_immediate_up_to_5_working_days_where_verification_is_needed(specs):
    # Civil Status Law 2014 Art. 18(2).
    marriage = _spec(specs, "1.000894")
    assert marriage.processing_time.unit == "immediately"
    assert "05 ngày làm việc" in marriage.processing_time.note and "Điều 18 khoản 2" in marriage.processing_time.note


def test_certified_copies_are_same_day_with_the_15_00_cutoff(specs):
    # Decree 23/2015/NĐ-CP Art. 7: the same day, or the next working day if received after 15:00.
    for code in ("2.000815", "2.000884"):
        spec = _spec(specs, code)
        assert spec.processing_time.unit == "same_day" and spec.cutoff == "15:00", code


def test_every_procedure_records_the_source_of_its_figures(specs):
    for spec in specs:
        assert spec.sources, f"{spec.code}: no sources"


def test_building_permit_keeps_the_district_and_notes_the_commune_rule_of_decree_140_2025(specs):
    permit = _spec(specs, "1.009994")
    assert permit.level == "district"  # the demo province is three-tier
    assert any(s.topic == "level" and "140/2025" in s.text and "cấp xã" in s.text for s in permit.sources)
