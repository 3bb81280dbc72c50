"""What an uploaded file may contain, beyond its first bytes (issue 18).

The store accepts PDF, JPEG and PNG by their magic bytes (storage.sniff). That alone let
through a PDF that is also an HTML page and a ZIP archive (a polyglot), a PDF whose
/OpenAction runs JavaScript, and a 20000×20000 PNG of 379 KB that takes gigabytes to decode.
Here the whole file is checked, with well-kept parsers, before it enters the store:

- every file: no HTML in its first kilobyte (what a browser sniffs) and no ZIP directory at
  its end (what an archive tool reads), whatever its first bytes say;
- a PDF: parsed by pikepdf (qpdf); refused if any object carries JavaScript, a launch or
  import action, an embedded file or an XFA form — active content a dossier never needs;
- an image: Pillow reads its size from the header, before decoding: at most MAX_PIXELS
  (a scan of A4 at 600 dpi is 35 megapixels), then verifies the data.

Both are imported when a file is first checked, not when the portal starts (issue 15: some
7 MB of a web worker that serves pages only).
"""
from __future__ import annotations

import os
import re
import unicodedata
from typing import TYPE_CHECKING

from app.domain import msg

if TYPE_CHECKING:
    import pikepdf

MAX_PIXELS = 50_000_000
_HTML = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed)\b", re.IGNORECASE)
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_557  # the end-of-central-directory record lies within this many bytes of the end
# PDF names that mean active content (ISO 32000-1 §12.6 actions, §7.11.4 embedded files, XFA).
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition", "/GoToE"}
_KIND = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/XFA", "/RichMedia"}


class ContentRefused(ValueError):
    """The file's content is refused; the message says why, in Vietnamese."""


def _polyglot(path: str) -> bool:
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, size - _ZIP_TAIL))
        tail = handle.read()
    return bool(_HTML.search(head)) or _ZIP_END in tail


def _dictionaries(obj: pikepdf.Object):
    """The dictionaries in one object, nested direct ones included (an /OpenAction is often
    written inside the catalogue, not as an object of its own); indirect references are not
    followed here, since every indirect object is visited by the caller. Scalars come back
    from pikepdf as Python values and hold nothing."""
    import pikepdf

    kind = obj._type_code
    if kind == pikepdf.ObjectType.stream:
        yield from _dictionaries(obj.stream_dict)
    elif kind == pikepdf.ObjectType.dictionary:
        yield obj
        for value in obj.values():
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                yield from _dictionaries(value)
    elif kind == pikepdf.ObjectType.array:
        for value in obj:
            if isinstance(value, pikepdf.Object) and not value.is_indirect:
                yield from _dictionaries(value)


def _active_pdf_content(pdf: pikepdf.Pdf) -> bool:
    for obj in pdf.objects:
        for entry in _dictionaries(obj):
            if set(entry.keys()) & _ACTIVE_KEYS or str(entry.get("/S", "")) in _ACTIVE_ACTIONS:
                return True
            if str(entry.get("/Type", "")) == "/EmbeddedFile" or str(entry.get("/Subtype", "")) == "/FileAttachment":
                return True
    return False


def check(path: str, content_type: str, label: str) -> None:
    """Refuse (ContentRefused, naming the file by `label`) what must not enter the store."""
    if _polyglot(path):
        raise ContentRefused(msg("Tệp “%(name)s” chứa nội dung khác ngoài %(kind)s (HTML hoặc tệp nén).", name=label,
                                 kind=_KIND[content_type]))
    if content_type == "application/pdf":
        import pikepdf

        try:
            with pikepdf.open(path) as pdf:
                active = _active_pdf_content(pdf)
        except pikepdf.PdfError:
            raise ContentRefused(msg("Tệp “%(name)s” không phải tệp PDF hợp lệ hoặc bị hỏng.", name=label)) from None
        if active:
            raise ContentRefused(msg("Tệp “%(name)s” chứa mã lệnh, tệp đính kèm hoặc biểu mẫu động: "
                                     "hãy in hoặc xuất lại thành PDF thường rồi tải lên.", name=label))
        return
    from PIL import Image

    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ContentRefused(msg("Tệp “%(name)s” có kích thước ảnh quá lớn (%(width)s×%(height)s điểm ảnh); "
                                         "tối đa %(millions)s triệu điểm ảnh.", name=label, width=width, height=height,
                                         millions=MAX_PIXELS // 1_000_000))
            image.verify()
    except ContentRefused:
        raise
    except Image.DecompressionBombError:
        raise ContentRefused(
            msg("Tệp “%(name)s” có kích thước ảnh quá lớn; tối đa %(millions)s triệu điểm ảnh.", name=label,
                millions=MAX_PIXELS // 1_000_000)) from None
    except Exception:  # Pillow raises many types for a broken image (OSError, SyntaxError, ...)
        raise ContentRefused(msg("Tệp “%(name)s” không phải ảnh %(kind)s hợp lệ hoặc bị hỏng.", name=label,
                                 kind=_KIND[content_type])) from None


def display_name(filename: str) -> str:
    """A file name fit to show and to send back: the last path part only, Unicode NFC (the
    same Vietnamese letters whatever the sender's system composed), no control characters,
    spaces folded, at most 255 characters."""
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", filename))[-1]
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name)
    return " ".join(name.split())[:255] or "tep"
