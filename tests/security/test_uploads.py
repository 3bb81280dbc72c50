"""Issue 18: files are checked by their whole content, not their first bytes. Each of these
was accepted (and served inline) when only the magic bytes were read."""
from __future__ import annotations

import struct
import unicodedata
import zlib
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest

from app.services import storage
from app.services.filecheck import MAX_PIXELS, display_name
from tests.factories import PDF, image_bytes, pdf_bytes


def _files(app) -> list[Path]:
    return [p for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file()]


def _store(data: bytes, label: str = "giay-to.pdf"):
    return storage.store(BytesIO(data), max_size=10 << 20, label=label)


def _pdf(build) -> bytes:
    buffer, pdf = BytesIO(), pikepdf.new()
    pdf.add_blank_page()
    build(pdf)
    pdf.save(buffer)
    return buffer.getvalue()


def _refused(app, data: bytes, message: str, label: str = "giay-to.pdf") -> None:
    before = set(_files(app))
    with pytest.raises(storage.UploadError) as error:
        _store(data, label)
    assert message in str(error.value) and label in str(error.value)
    assert set(_files(app)) == before  # nothing left on disk, not even a temporary file


def test_a_pdf_that_is_also_html_and_zip_is_refused(app):
    zip_end = b"PK\x05\x06" + b"\x00" * 18
    _refused(app, b"%PDF-1.4\n<html><script>alert(1)</script></html>\n" + PDF[9:] + zip_end, "HTML hoặc tệp nén")
    _refused(app, PDF + zip_end, "HTML hoặc tệp nén")


def test_a_pdf_whose_open_action_runs_javascript_is_refused(app):
    data = _pdf(lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))))
    _refused(app, data, "chứa mã lệnh")


def test_a_pdf_with_a_launch_action_or_an_embedded_file_is_refused(app):
    launch = _pdf(lambda pdf: setattr(pdf.Root, "OpenAction", pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))))
    _refused(app, launch, "chứa mã lệnh")

    def attach(pdf):
        pdf.attachments["virus.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
    _refused(app, _pdf(attach), "tệp đính kèm")


def test_a_broken_pdf_is_refused(app):
    _refused(app, b"%PDF-1.4\nnot really a pdf\n", "không phải tệp PDF hợp lệ")


def _png_claiming(width: int, height: int) -> bytes:
    """A real small PNG whose header says width × height (no decoder gets that far)."""
    png = bytearray(image_bytes((1, 1)))
    ihdr = bytearray(png[12:29])  # b"IHDR" + 13 bytes of data
    ihdr[4:12] = struct.pack(">II", width, height)
    png[12:29] = ihdr
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(png)


def test_a_decompression_bomb_image_is_refused_before_decoding(app):
    _refused(app, _png_claiming(20000, 20000), "kích thước ảnh quá lớn", label="anh.png")


def test_a_broken_image_is_refused(app):
    _refused(app, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "không phải ảnh PNG hợp lệ", label="anh.png")


def test_ordinary_scans_are_accepted(app):
    assert _store(pdf_bytes("bản scan")).content_type == "application/pdf"
    assert _store(image_bytes((2480, 3508)), "a4-300dpi.png").content_type == "image/png"
    assert _store(image_bytes((640, 480), "JPEG"), "anh.jpg").content_type == "image/jpeg"
    assert 2480 * 3508 < MAX_PIXELS


def test_file_names_are_normalised_for_display():
    decomposed = unicodedata.normalize("NFD", "Giấy khai sinh.pdf")
    assert display_name(decomposed) == unicodedata.normalize("NFC", "Giấy khai sinh.pdf")
    assert display_name("C:\\Users\\an\\..\\to khai.pdf") == "to khai.pdf"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("a\u202e\u200bfdp.exe  \t x.pdf") == "a fdp.exe x.pdf"
    assert display_name("/") == "tep" and len(display_name("x" * 400 + ".pdf")) == 255


def test_a_refused_upload_through_the_api_leaves_nothing_on_disk(app, client, make_user, loaded_catalogue):
    from tests.web.test_api_dossiers import new_dossier, token

    headers = token(client, make_user())
    before = set(_files(app))
    bomb = (BytesIO(_png_claiming(20000, 20000)), "giay-chung-sinh.png")
    response = new_dossier(client, headers, giay_chung_sinh=bomb)
    assert response.status_code == 422 and "kích thước ảnh quá lớn" in str(response.get_json())
    # the good file beside it may be kept for the applicant, but the bomb never entered the store
    assert all(p.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n" for p in set(_files(app)) - before)


# --- a file enters the store only with the commit that references it -----------------------

from app.extensions import db  # noqa: E402
from app.models import Dossier, DossierFile  # noqa: E402
from app.services import catalogue, dossiers  # noqa: E402
from tests.factories import BIRTH, EXE, PNG, TICH_SON_DESK, birth_input, upload  # noqa: E402


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch) -> Path:
    """An empty store of the test's own: whatever is in it afterwards, this test put there."""
    root = tmp_path / "files"
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(root))
    return root


def everything(root: Path) -> list[str]:
    """Every file (or link) anywhere under the store, the temporary area included."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()) if root.exists() else []


def in_store(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != storage.TEMPORARY_AREA}


def test_a_stored_file_waits_in_the_temporary_area_until_its_commit(store_dir, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    stored = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    assert not storage.path_for(stored.sha256).exists()
    assert [p.split("/")[0] for p in everything(store_dir)] == [storage.TEMPORARY_AREA]
    assert set(storage.pending()) == {stored.sha256}
    dossier.files.append(DossierFile(component="to_khai", name="to-khai.pdf", content_type=stored.content_type,
                                     size=stored.size, sha256=stored.sha256, uploaded_by_id=citizen.id))
    db.session.commit()
    # readable as soon as commit() returns (an inline job reads it next)
    assert storage.path_for(stored.sha256).read_bytes() == PDF
    assert everything(store_dir) == [f"{stored.sha256[:2]}/{stored.sha256[2:4]}/{stored.sha256}"]
    assert storage.pending() == {}


def test_a_rollback_after_store_leaves_nothing(store_dir, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    for data, name in ((PDF, "to-khai.pdf"), (PNG, "anh.png")):
        stored = storage.store(BytesIO(data), max_size=10 << 20, label=name)
        dossier.files.append(DossierFile(component="to_khai", name=name, content_type=stored.content_type,
                                         size=stored.size, sha256=stored.sha256, uploaded_by_id=citizen.id))
    storage.store_bytes(pdf_bytes("a rendered form"), "application/pdf")
    assert len(everything(store_dir)) == 3
    db.session.rollback()
    assert everything(store_dir) == [] and storage.pending() == {}


def test_a_failed_commit_leaves_nothing(store_dir, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    stored = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    dossier.files.append(DossierFile(component="to_khai", name="to-khai.pdf", content_type=stored.content_type,
                                     size=stored.size, sha256=stored.sha256, uploaded_by_id=None))
    db.session.add(DossierFile(dossier_id=None, component="x", name="x", content_type="application/pdf", size=1,
                               sha256=stored.sha256))  # no dossier: the flush in the commit fails
    with pytest.raises(Exception, match="(?i)null|constraint"):
        db.session.commit()
    db.session.rollback()
    assert everything(store_dir) == []


def test_a_commit_that_references_no_pending_file_drops_it(store_dir, make_user, loaded_catalogue):
    """Stored, then not used (e.g. refused past the dossier's total size): not kept by the commit."""
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    dossier.applicant_phone = "0912000000"
    db.session.commit()
    assert everything(store_dir) == []


def test_the_same_bytes_twice_in_one_change_are_stored_once(store_dir):
    first = storage.store_bytes(PDF, "application/pdf")
    second = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    assert first.sha256 == second.sha256 and len(everything(store_dir)) == 1
    db.session.rollback()
    assert everything(store_dir) == []


def test_bytes_already_in_the_store_stay_when_a_new_upload_of_them_rolls_back(store_dir, make_user,
                                                                                loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
    kept = in_store(store_dir)
    assert len(kept) == 2
    storage.store(BytesIO(PDF), max_size=10 << 20, label="lai-lan-nua.pdf")
    db.session.rollback()
    assert in_store(store_dir) == kept and everything(store_dir) == sorted(
        f"{s[:2]}/{s[2:4]}/{s}" for s in kept)


def test_a_rendered_receipt_is_readable_right_after_the_commit(store_dir, make_user, loaded_catalogue, run_jobs):
    """Inline jobs (no Redis) render right after the commit and read the uploads; the receipt's
    PDF is in the store when its job's commit returns."""
    from tests.factories import submitted_birth

    citizen, reception = make_user(), make_user("reception", TICH_SON_DESK)
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception)
    run_jobs()
    db.session.refresh(dossier)
    (receipt,) = dossier.documents
    assert storage.path_for(receipt.sha256).read_bytes().startswith(b"%PDF-")
    assert all(storage.path_for(f.sha256).exists() for f in dossier.files)
    assert not [p for p in everything(store_dir) if p.startswith(storage.TEMPORARY_AREA)]


# Through the pages and the API: a refused request leaves no file anywhere under STORAGE_DIR.

def _draft(citizen):
    return dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)


def _page_form(dossier, **extra):
    from tests.web.test_citizen_pages import form_data

    return form_data(dossier, **extra)


@pytest.mark.parametrize("files, limits, message", [
    ({"doc_to_khai": (EXE, "to-khai.pdf")}, {}, "không phải PDF, JPEG hoặc PNG"),
    ({"doc_to_khai": (PDF + b"x" * 4096, "to-khai.pdf")}, {"MAX_FILE_SIZE": len(PDF) + 100}, "vượt quá dung lượng"),
    ({"doc_giay_chung_sinh": (_png_claiming(20000, 20000), "cs.png")}, {}, "kích thước ảnh quá lớn"),
    ({"doc_to_khai": (PDF, "to-khai.pdf"), "doc_giay_chung_sinh": (PNG, "cs.png")},
     {"MAX_DOSSIER_SIZE": len(PDF) + 10}, "tổng dung lượng"),
])
def test_a_refused_upload_through_the_page_leaves_nothing(app, client, store_dir, make_user, login, loaded_catalogue,
                                                          monkeypatch, files, limits, message):
    citizen = login(make_user())
    dossier = _draft(citizen)
    for key, value in limits.items():
        monkeypatch.setitem(app.config, key, value)
    data = _page_form(dossier, save="1", **{k: (BytesIO(b), n) for k, (b, n) in files.items()})
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    saved = {f.sha256 for f in db.session.get(Dossier, dossier.id).files}
    # only what the draft now holds (the good file of a request, kept for the applicant) is stored
    assert in_store(store_dir) == saved and everything(store_dir) == sorted(f"{s[:2]}/{s[2:4]}/{s}" for s in saved)
    if len(files) == 1:
        assert everything(store_dir) == []


def test_a_page_refused_as_a_whole_leaves_nothing(client, store_dir, make_user, login, loaded_catalogue):
    """A draft changed in another tab meanwhile (409): its files are not kept either."""
    citizen = login(make_user())
    dossier = _draft(citizen)
    stale = _page_form(dossier, save="1")
    client.post(f"/ho-so/{dossier.id}/sua", data=stale, content_type="multipart/form-data")
    data = stale | {"doc_to_khai": (BytesIO(PDF), "to-khai.pdf")}
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    assert response.status_code == 409 and everything(store_dir) == []


def test_a_good_file_sent_with_a_refused_one_is_kept_by_the_draft_and_is_there(client, store_dir, make_user, login,
                                                                             loaded_catalogue):
    citizen = login(make_user())
    dossier = _draft(citizen)
    data = _page_form(dossier, save="1", doc_to_khai=(BytesIO(PDF), "to-khai.pdf"),
                      doc_giay_chung_sinh=(BytesIO(EXE), "cs.pdf"))
    assert client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data").status_code == 422
    sha = storage.digest(PDF)
    assert [f.sha256 for f in db.session.get(Dossier, dossier.id).files] == [sha]
    assert everything(store_dir) == [f"{sha[:2]}/{sha[2:4]}/{sha}"]


def _api_refusals():
    from tests.web.test_api_dossiers import BIRTH_FORM

    without_name = {k: v for k, v in BIRTH_FORM.items() if k != "child_full_name"}
    import json
    return [
        ({"giay_chung_sinh": (BytesIO(EXE), "cs.png")}, "không phải PDF, JPEG hoặc PNG"),  # a good file beside an EXE
        ({"giay_chung_sinh": None}, "Chưa đính kèm"),                                     # a required document missing
        ({"data": json.dumps(without_name)}, "Chưa nhập"),                                  # a required field missing
        ({"delivery": "bo-cau"}, "Hình thức nhận kết quả"),                                 # a value refused
        ({"giay_chung_sinh": (BytesIO(PNG + b"\x00" * 4096), "cs.png")}, "vượt quá dung lượng"),
    ]


@pytest.mark.parametrize("overrides, message", _api_refusals())
def test_a_refused_api_submission_leaves_nothing_at_all(app, client, store_dir, make_user, loaded_catalogue,
                                                        monkeypatch, overrides, message):
    from tests.web.test_api_dossiers import new_dossier, token

    monkeypatch.setitem(app.config, "MAX_FILE_SIZE", len(PNG) + 1024)
    headers = token(client, make_user())
    response = new_dossier(client, headers, **overrides)
    assert 400 <= response.status_code < 500 and message in str(response.get_json())
    assert everything(store_dir) == [] and db.session.query(Dossier).count() == 0


def test_an_accepted_api_submission_has_its_files_in_the_store(client, store_dir, make_user, loaded_catalogue):
    from tests.web.test_api_dossiers import new_dossier, token

    response = new_dossier(client, token(client, make_user()))
    assert response.status_code == 201
    assert in_store(store_dir) == {storage.digest(PDF), storage.digest(PNG)}
    assert not [p for p in everything(store_dir) if p.startswith(storage.TEMPORARY_AREA)]


def test_service_refusals_leave_nothing(store_dir, make_user, loaded_catalogue):
    """submit_new refused after its files were stored (a missing field) rolls them back."""
    citizen = make_user()
    data = birth_input(form_data={}, uploads={"to_khai": [upload()], "giay_chung_sinh": [upload(PNG, "cs.png")]})
    with pytest.raises(dossiers.DossierError):
        dossiers.submit_new(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK, data)
    assert everything(store_dir) == []
