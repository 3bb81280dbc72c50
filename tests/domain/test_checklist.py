"""The desk's checklist at intake (app/domain/checklist.py)."""
from app.domain.checklist import papers_received, problems, ticked

DOCUMENTS = [{"key": "to_khai", "name": "Tờ khai", "required": True},
             {"key": "uy_quyen", "name": "Văn bản ủy quyền", "required": False},
             {"key": "chung_sinh", "name": "Giấy chứng sinh", "required": True}]


def test_every_required_paper_must_be_ticked():
    assert problems(DOCUMENTS, ["to_khai", "chung_sinh"]) == {}
    assert problems(DOCUMENTS, ["chung_sinh"]) == {"checked": "Chưa đánh dấu đã kiểm tra giấy tờ bắt buộc: Tờ khai."}
    assert "Tờ khai; Giấy chứng sinh" in problems(DOCUMENTS, ["uy_quyen"])["checked"]


def test_a_paper_the_procedure_does_not_list_is_refused():
    assert problems(DOCUMENTS, ["to_khai", "chung_sinh", "bia"]) == {
        "checked": "Giấy tờ không thuộc thủ tục này: bia."}


def test_ticked_keeps_the_file_order_once_each():
    assert ticked(DOCUMENTS, ["chung_sinh", "to_khai", "chung_sinh"]) == ["to_khai", "chung_sinh"]


def test_form_01_lists_the_ticked_papers_else_those_with_a_file_and_the_required():
    assert [d["key"] for d in papers_received(DOCUMENTS, ["to_khai", "uy_quyen", "chung_sinh"], set())] == [
        "to_khai", "uy_quyen", "chung_sinh"]
    assert [d["key"] for d in papers_received(DOCUMENTS, ["to_khai", "chung_sinh"], {"uy_quyen"})] == [
        "to_khai", "chung_sinh"]  # a file alone is not a paper checked
    assert [d["key"] for d in papers_received(DOCUMENTS, None, {"uy_quyen"})] == ["to_khai", "uy_quyen", "chung_sinh"]
    assert [d["key"] for d in papers_received(DOCUMENTS, None, set())] == ["to_khai", "chung_sinh"]
