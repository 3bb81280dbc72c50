"""Files by content hash (SHA-256) in a local folder: the same bytes are stored once, and a
file's name on disk says nothing about its owner. An S3-compatible store can replace this
module behind the same functions.

A file enters the store only with the change that references it (issue 18): `store` and
`store_bytes` write it to the temporary area (STORAGE_DIR/tmp) as a file pending in the
current database session; when that session commits, the pending files some row references
(`REFERENCES`) are moved to their hash path before `commit()` returns (so a job run right
after the commit reads them); a rollback, a closed session or a commit that references none
of them deletes them. Nothing a refused or rolled-back request sent is left behind; `prune`
collects what a crash between the two steps leaves in the temporary area, and files no row
references any more."""
from __future__ import annotations

import hashlib
import logging
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
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import DocumentSignature, DossierFile, IssuedDocument, StoredPaper
from app.models.users import utcnow
from app.services import filecheck

log = logging.getLogger(__name__)

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


def temporary_area() -> Path:
    """Where files wait for the commit that references them (same file system as the store,
    so moving one into place is an atomic rename)."""
    return _root() / TEMPORARY_AREA


TEMPORARY_AREA = "tmp"


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256")
    return _root() / sha256[:2] / sha256[2:4] / sha256


def _temporary_file():
    area = temporary_area()
    area.mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(dir=area, delete=False)


def store(stream: BinaryIO, *, max_size: int, label: str) -> StoredFile:
    """Copy the stream to the temporary area, checking type and size as it goes and the
    content (filecheck) before it is kept; refuse with a message naming the file (`label`)
    when it is not a PDF/JPEG/PNG, too large, or carries what filecheck refuses. A refused
    file leaves nothing on disk; an accepted one is pending until the session commits."""
    head = stream.read(16)
    content_type = sniff(head)
    if content_type is None:
        raise UploadError(f"Tệp “{label}” không phải PDF, JPEG hoặc PNG.")
    digest = hashlib.sha256(head)
    size = len(head)
    with _temporary_file() as tmp:
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
    except BaseException:
        os.unlink(tmp.name)
        raise
    _stage(tmp.name, digest.hexdigest())
    return StoredFile(digest.hexdigest(), size, content_type)


def digest(data: bytes) -> str:
    """The name a file's bytes are stored under (and checked against)."""
    return hashlib.sha256(data).hexdigest()


def store_bytes(data: bytes, content_type: str) -> StoredFile:
    """Store bytes the app made itself (a rendered or signed PDF), pending like an upload."""
    sha = digest(data)
    with _temporary_file() as tmp:
        tmp.write(data)
    _stage(tmp.name, sha)
    return StoredFile(sha, len(data), content_type)


# --- pending files: promoted by the commit that references them, discarded otherwise ----

_PENDING = "storage.pending"  # key of Session.info: {sha256: (temporary file, hash path)}


def pending() -> dict[str, tuple[str, Path]]:
    """The current session's files waiting for its commit (empty once it ends)."""
    return db.session.info.get(_PENDING, {})


def _stage(tmp_name: str, sha: str) -> None:
    """Keep a finished temporary file as pending in the current session. Bytes already in the
    store are only touched (so `prune` counts them as new while the commit is on its way)."""
    target = path_for(sha)
    try:
        os.utime(target)
    except FileNotFoundError:
        pass
    else:
        os.unlink(tmp_name)
        return
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so that the end of the transaction, whatever it is, settles the file
    files = session.info.setdefault(_PENDING, {})
    if sha in files:  # the same bytes twice in one change
        os.unlink(tmp_name)
    else:
        files[sha] = (tmp_name, target)


def _discard(files: dict[str, tuple[str, Path]], shas) -> None:
    for sha in list(shas):
        tmp_name, _ = files.pop(sha)
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:  # collected by a prune meanwhile
            pass


@event.listens_for(Session, "before_commit")
def _keep_referenced(session: Session) -> None:
    """Before the commit: drop the pending files no row will reference (a file refused after
    it was stored, e.g. past the dossier's total size)."""
    files = session.info.get(_PENDING)
    if not files or session.in_nested_transaction():
        return
    session.flush()
    with session.no_autoflush:
        referenced = set()
        for column in REFERENCES:
            referenced.update(session.scalars(select(column).where(column.in_(list(files))).distinct()))
    _discard(files, set(files) - referenced)


@event.listens_for(Session, "after_commit")
def _promote(session: Session) -> None:
    """Committed: move the pending files into place, before `commit()` returns."""
    files = session.info.get(_PENDING)
    if not files or session.in_nested_transaction():
        return
    for sha, (tmp_name, target) in list(files.items()):
        try:
            _move_into_place(tmp_name, target)
        except OSError:  # the row is committed: say loudly that its file could not be kept
            log.exception("stored file %s could not be moved into place from %s", sha, tmp_name)
        del files[sha]


@event.listens_for(Session, "after_transaction_end")
def _discard_left(session: Session, transaction) -> None:
    """A transaction ended without promoting its files (rollback, error, closed session)."""
    files = session.info.get(_PENDING)
    if files and transaction.parent is None:
        _discard(files, set(files))


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
REFERENCES = (DossierFile.sha256, IssuedDocument.sha256, DocumentSignature.sha256, StoredPaper.sha256)

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
    temporary: list[str] = field(default_factory=list)  # leftovers of an interrupted write or commit
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

    Only the layout is touched: `root/ab/cd/<64 hex>` regular files, regular files in the
    temporary area (`root/tmp`), temporary files in the root or a shard folder (left by earlier
    versions, or set aside by a prune), and `ab`, `ab/cd` folders. Symbolic links and any other name are
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
            if first.name == TEMPORARY_AREA and first.is_dir(follow_symlinks=False):
                # Pending files a crash left (their commit never settled them); the area stays.
                with os.scandir(first.path) as waiting:
                    for entry in sorted(waiting, key=lambda e: e.name):
                        name = f"{TEMPORARY_AREA}/{entry.name}"
                        if not entry.is_file(follow_symlinks=False):
                            report.ignored.append(name)
                        elif old(entry):
                            remove(entry, report.temporary, name)
                continue
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
