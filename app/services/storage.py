"""Files by content hash (SHA-256) in a local folder: the same bytes are stored once, and a
file's name on disk says nothing about its owner. An S3-compatible store can replace this
module behind the same functions.

Files are written before the database commit that records them, so an intake refused or
rolled back leaves files no row references: `prune` removes them once they are older than a
grace period, so a file stored for a commit still in progress is never removed."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import DocumentSignature, DossierFile, IssuedDocument
from app.models.users import utcnow
from app.services import filecheck

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
    """Copy the stream to the store, checking type and size as it goes and the content
    (filecheck) before it enters; refuse with a message naming the file (`label`) when it is
    not a PDF/JPEG/PNG, too large, or carries what filecheck refuses. A refused file leaves
    nothing on disk."""
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
    try:
        filecheck.check(tmp.name, content_type, label)
    except filecheck.ContentRefused as refused:
        os.unlink(tmp.name)
        raise UploadError(str(refused)) from None
    _move_into_place(tmp.name, path_for(digest.hexdigest()))
    return StoredFile(digest.hexdigest(), size, content_type)


def digest(data: bytes) -> str:
    """The name a file's bytes are stored under (and checked against)."""
    return hashlib.sha256(data).hexdigest()


def store_bytes(data: bytes, content_type: str) -> StoredFile:
    """Store bytes the app made itself (a rendered PDF)."""
    sha = digest(data)
    target = path_for(sha)
    try:
        os.utime(target)  # already stored: touched, so prune counts it as new (its row is not committed yet)
    except FileNotFoundError:
        _root().mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=_root(), delete=False) as tmp:
            tmp.write(data)
        _move_into_place(tmp.name, target)
    return StoredFile(sha, len(data), content_type)


def _move_into_place(tmp_name: str, target: Path) -> None:
    """Rename a finished temporary file to its hash path (atomic: the same content twice lands
    on the same path, with a new mtime). A concurrent `prune` may remove an empty shard folder
    between the mkdir and the rename, hence the retries."""
    for attempt in range(3):
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(tmp_name, target)
            return
        except FileNotFoundError:
            if attempt == 2 or not os.path.exists(tmp_name):
                raise


# --- garbage collection ----------------------------------------------------------------

# Every column that names a stored file. A new one MUST be added here, or prune deletes its
# files (tests/services/test_storage_prune.py checks every `sha256` column of the schema is).
# Each signed version of a document is kept (a signature's `sha256`): the record of what was signed.
REFERENCES = (DossierFile.sha256, IssuedDocument.sha256, DocumentSignature.sha256)

_SHARD = re.compile(r"[0-9a-f]{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# tempfile.NamedTemporaryFile's default names: "tmp" + 8 characters from [a-z0-9_].
_TEMPORARY = re.compile(r"tmp[a-z0-9_]{8}")


def referenced_hashes() -> set[str]:
    """The sha256 of every file a row points to: uploads (DossierFile, drafts included) and
    rendered forms (IssuedDocument; empty until the job has run), and every signed version of a
    form (DocumentSignature)."""
    hashes: set[str] = set()
    for column in REFERENCES:
        hashes.update(db.session.scalars(select(column).where(column.is_not(None)).distinct()))
    return hashes


@dataclass
class PruneReport:
    """What `prune` removed (or, in a dry run, would remove) and what it kept."""

    dry_run: bool
    removed: list[str] = field(default_factory=list)    # "ab/cd/<sha256>", unreferenced and old
    bytes_freed: int = 0                                 # removed files and temporary files
    temporary: list[str] = field(default_factory=list)  # leftovers of an interrupted write
    folders: int = 0                                     # empty shard folders
    kept: int = 0                                        # stored files left in place
    recent: int = 0                                      # of which unreferenced, inside the grace period
    ignored: list[str] = field(default_factory=list)    # not in the store's layout: never touched


def prune(referenced: Collection[str], *, older_than: timedelta, now: datetime | None = None,
          dry_run: bool = False) -> PruneReport:
    """Remove stored files whose hash is not in `referenced` and whose mtime is older than
    `now - older_than`, leftover temporary files older than that, and the shard folders left
    empty. Read `referenced` BEFORE calling: a file stored after that read is newer than the
    grace period, so it is kept whatever the set says.

    Only the layout is touched: `root/ab/cd/<64 hex>` regular files, temporary files in the
    root or a shard folder, and `ab`, `ab/cd` folders. Symbolic links and any other name are
    reported as ignored, never followed or removed."""
    report = PruneReport(dry_run=dry_run)
    cutoff = ((now or utcnow()) - older_than).timestamp()
    root = _root()
    if not root.is_dir():
        return report

    def old(entry: os.DirEntry) -> bool:
        return entry.stat(follow_symlinks=False).st_mtime < cutoff

    def remove(entry: os.DirEntry, into: list[str], name: str, *, look_again: bool = False) -> bool:
        size = entry.stat(follow_symlinks=False).st_size
        if not dry_run:
            path = entry.path
            if look_again:
                # Move aside, then look again: the same bytes stored since the first look (an old
                # orphan uploaded anew) replaced the file with a new one, which must stay. The
                # aside name is a temporary file's, so a crash here leaves what a later prune collects.
                aside = os.path.join(os.path.dirname(path), f"tmp{secrets.token_hex(4)}")
                try:
                    os.rename(path, aside)
                except FileNotFoundError:
                    return False
                if os.stat(aside).st_mtime >= cutoff:
                    os.replace(aside, path)
                    return False
                path = aside
            try:
                os.unlink(path)
            except FileNotFoundError:  # removed meanwhile (another prune): nothing freed
                return False
        into.append(name)
        report.bytes_freed += size
        return True

    def remove_folder(path: str) -> bool:
        if dry_run:
            report.folders += 1
            return True
        try:
            os.rmdir(path)
        except OSError:  # a file arrived meanwhile: keep the folder
            return False
        report.folders += 1
        return True

    with os.scandir(root) as top:
        for first in sorted(top, key=lambda e: e.name):
            if first.is_file(follow_symlinks=False) and _TEMPORARY.fullmatch(first.name):
                if old(first):
                    remove(first, report.temporary, first.name)
                continue
            if not (first.is_dir(follow_symlinks=False) and _SHARD.fullmatch(first.name)):
                report.ignored.append(first.name)
                continue
            left_in_first = 0
            with os.scandir(first.path) as middle:
                for second in sorted(middle, key=lambda e: e.name):
                    shard = f"{first.name}/{second.name}"
                    if not (second.is_dir(follow_symlinks=False) and _SHARD.fullmatch(second.name)):
                        report.ignored.append(shard)
                        left_in_first += 1
                        continue
                    left_in_second = 0
                    with os.scandir(second.path) as files:
                        for entry in sorted(files, key=lambda e: e.name):
                            name = f"{shard}/{entry.name}"
                            if not entry.is_file(follow_symlinks=False):
                                report.ignored.append(name)
                            elif _SHA256.fullmatch(entry.name) and entry.name[:4] == first.name + second.name:
                                if entry.name in referenced:
                                    report.kept += 1
                                elif old(entry) and remove(entry, report.removed, name, look_again=True):
                                    continue
                                else:
                                    report.kept += 1
                                    report.recent += 1
                            elif _TEMPORARY.fullmatch(entry.name):  # set aside by a prune, or an old store_bytes
                                if old(entry) and remove(entry, report.temporary, name):
                                    continue
                            else:
                                report.ignored.append(name)
                            left_in_second += 1
                    if left_in_second or not remove_folder(second.path):
                        left_in_first += 1
            if not left_in_first:
                remove_folder(first.path)
    return report
