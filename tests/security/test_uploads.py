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
