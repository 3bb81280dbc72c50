"""Files by content hash (SHA-256) in a local folder: the same bytes are stored once, and a
file's name on disk says nothing about its owner. An S3-compatible store can replace this
module behind the same three functions."""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

# Accepted upload types, recognised by their first bytes, never by the file name
# (a renamed .exe must not pass as a .pdf).
MAGIC = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


class UploadError(ValueError):
    """The upload is refused; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


def sniff(head: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC.items() if head.startswith(magic)), None)


def _root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256")
    return _root() / sha256[:2] / sha256[2:4] / sha256


def store(stream: BinaryIO, *, max_size: int, label: str) -> StoredFile:
    """Copy the stream to the store, checking type and size as it goes; refuse with a
    message naming the file (`label`) when it is not a PDF/JPEG/PNG or too large."""
    head = stream.read(16)
    content_type = sniff(head)
    if content_type is None:
        raise UploadError(f"Tệp “{label}” không phải PDF, JPEG hoặc PNG.")
    digest = hashlib.sha256(head)
    size = len(head)
    _root().mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=_root(), delete=False) as tmp:
        tmp.write(head)
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > max_size:
                tmp.close()
                os.unlink(tmp.name)
                raise UploadError(f"Tệp “{label}” vượt quá dung lượng cho phép ({max_size // (1024 * 1024)} MB).")
            digest.update(chunk)
            tmp.write(chunk)
    target = path_for(digest.hexdigest())
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp.name, target)  # atomic; the same content twice lands on the same path
    return StoredFile(digest.hexdigest(), size, content_type)


def store_bytes(data: bytes, content_type: str) -> StoredFile:
    """Store bytes the app made itself (a rendered PDF)."""
    sha = hashlib.sha256(data).hexdigest()
    target = path_for(sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
    return StoredFile(sha, len(data), content_type)
