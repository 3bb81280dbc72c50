"""`flask procedures import-national FILE`: a procedure exported from the national procedure
database becomes a procedure file to review, which the very validation of `flask procedures load`
checks; nothing is published until that load."""
from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import select

from app.domain.procedure_spec import load_procedure_file, load_procedure_folder
from app.extensions import db
from app.integrations import national_catalogue
from app.models import ProcedureVersion

SAMPLE = Path(__file__).parent / "data" / "national-procedure-1.001022.json"

# What the national record does not hold, as a reviewer writes it
PROCESS = [
    {"name": "Tiếp nhận, kiểm tra hồ sơ", "role": "reception", "where": "receiving_desk", "duration": 0.5},
    {"name": "Công chức tư pháp - hộ tịch kiểm tra, báo cáo", "role": "specialist", "where": "resolving_agency",
     "duration": 1.5},
    {"name": "Chủ tịch Ủy ban nhân dân cấp xã ký trích lục", "role": "leader", "where": "resolving_agency",
     "duration": 0.5},
    {"name": "Trả kết quả", "role": "reception", "where": "receiving_desk", "duration": 0.5},
]


def folder(tmp_path) -> Path:
    (tmp_path / "forms").mkdir()
    return tmp_path


def test_the_draft_reads_the_national_record_and_names_what_is_missing(app, tmp_path):
    target = folder(tmp_path)
    result = app.test_cli_runner().invoke(args=["procedures", "import-national", str(SAMPLE), "--folder", str(target)])
    assert result.exit_code == 0, result.output
    path = target / "1.001022-dang-ky-nhan-cha-me-con.yaml"
    assert f"Đã ghi {path}" in result.output
    assert "Trường không dùng đến: ID, NGAYCAPNHAT." in result.output          # unknown fields reported
    # what the reviewer must write, in the words of the procedure file's own validation
    assert "Người rà soát cần bổ sung" in result.output
    assert "name.en: required key is missing" in result.output and "process: required key is missing" in result.output

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (data["code"], data["name"], data["field"], data["level"]) == (
        "1.001022", {"vi": "Thủ tục đăng ký nhận cha, mẹ, con"}, "Hộ tịch", "commune")
    assert data["agency"] == {"kind": "committee"} and data["methods"] == ["counter", "online"]
    assert data["processing_time"]["unit"] == "working_days" and data["processing_time"]["value"] == 3
    assert data["fees"] == [{"name": "Lệ phí đăng ký nhận cha, mẹ, con", "amount": 15000}]   # once, not per channel
    assert data["legal_basis"][0] == "Luật Hộ tịch ngày 20/11/2014 (số 60/2014/QH13)"
    assert data["subjects"] == ["citizen"] and len(data["steps"]) == 3
    assert data["result"] == "Trích lục đăng ký nhận cha, mẹ, con (bản chính)"
    assert [(d["name"], d["copy"]) for d in data["documents"]] == [
        ("Tờ khai đăng ký nhận cha, mẹ, con theo mẫu", "original"),
        ("Chứng cứ chứng minh quan hệ cha, con hoặc mẹ, con", "copy")]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Bản nháp nhập từ CSDL quốc gia") and "YEUCAU" in text   # the notes, as comments

    # once the reviewer wrote what is missing, `flask procedures load`'s validation passes it
    data["name"]["en"] = "Registration of the recognition of a father, mother or child"
    data["process"] = PROCESS
    path.write_text(text.split("code:")[0] + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    spec = load_procedure_file(path)
    assert spec.code == "1.001022" and spec.fees[0].amount == 15000
    assert [s.code for s in load_procedure_folder(target)] == ["1.001022"]


def test_nothing_is_published_and_an_existing_file_is_not_overwritten(app, tmp_path, loaded_catalogue):
    target = folder(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["procedures", "import-national", str(SAMPLE), "--folder", str(target)]).exit_code == 0
    assert db.session.scalar(select(ProcedureVersion).where(ProcedureVersion.code == "1.001022")) is None
    again = runner.invoke(args=["procedures", "import-national", str(SAMPLE), "--folder", str(target)])
    assert again.exit_code == 1 and "Đã có tệp của thủ tục 1.001022" in again.output


def test_bad_files_are_refused_clearly(app, tmp_path):
    target = folder(tmp_path)
    runner = app.test_cli_runner()
    broken = tmp_path / "broken.json"
    broken.write_text('{"MATTHC": ', encoding="utf-8")
    result = runner.invoke(args=["procedures", "import-national", str(broken), "--folder", str(target)])
    assert result.exit_code == 1 and "không phải JSON hợp lệ" in result.output
    for content, message in (("[1, 2]", "một thủ tục"), ('{"TENTTHC": "Thủ tục không mã"}', "không có mã")):
        broken.write_text(content, encoding="utf-8")
        result = runner.invoke(args=["procedures", "import-national", str(broken), "--folder", str(target)])
        assert result.exit_code == 1 and message in result.output, result.output
    assert list(target.glob("*.yaml")) == []


def test_the_draft_reads_keys_in_any_case_and_reports_what_it_cannot_decide():
    record = json.loads(SAMPLE.read_text(encoding="utf-8"))["result"][0]
    camel = {"MaTTHC": record["MATTHC"], "TenTTHC": record["TENTTHC"], "CapThucHien": ["Cấp Huyện", "Cấp Xã"],
             "CoQuanThucHien": [{"TenDonVi": "Phòng Văn hóa và Thông tin"}], "MucDo": 4,
             "CachThucThucHien": [{"Kenh": 2, "ThoiGian": [{"ThoiGianGiaiQuyet": 2, "DonViTinh": "Tuần"}]}]}
    draft = national_catalogue.draft(camel)
    assert draft.code == "1.001022" and draft.data["online"] == "full" and "level" not in draft.data
    assert any("nhiều cấp" in n for n in draft.notes) and any("Tuần" in n for n in draft.notes)
    assert draft.data["agency"] == {"kind": "department"} and any("agency.sector" in n for n in draft.notes)

