"""Files by content hash (SHA-256): the same bytes are stored once, and a file's name says
nothing about its owner. Where the bytes live is a backend chosen by setting
(app/services/storage_backends.py): the local folder STORAGE_DIR by default, or an S3-compatible
object store with STORAGE_URL=s3://bucket/prefix, so that every web and worker process reads
the same files (README, "Production"). Everything else here is the same for both.

A file enters the store only with the change that references it (issue 18): `store` and
`store_bytes` write it to a local spool file, check it, and stage it in the store's temporary
area (`tmp/`) as a file pending in the current database session; when that session commits,
the pending files some row references (`REFERENCES`) are moved to their hash name before
`commit()` returns (so a job run right after the commit reads them, in any process); a
rollback, a closed session or a commit that references none of them deletes them. Nothing a
refused or rolled-back request sent is left behind; `prune` collects what a crash between the
two steps leaves in the temporary area, and files no row references any more."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Collection
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.domain import msg
from app.extensions import db
from app.models import DocumentSignature, DossierFile, IssuedDocument, StoredPaper
from app.models.users import utcnow
from app.services import filecheck
from app.services.storage_backends import TEMPORARY_AREA as TEMPORARY_AREA  # the layout's name, for tools
from app.services.storage_backends import Backend, Folder, Opened, object_store

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


def backend() -> Backend:
    """The store this app is configured with: STORAGE_URL's object store, else STORAGE_DIR's
    folder. One boto3 client per process and URL (created on first use, so after gunicorn or
    RQ forks)."""
    url = current_app.config.get("STORAGE_URL")
    if not url:
        return Folder(Path(current_app.config["STORAGE_DIR"]))
    stores = current_app.extensions.setdefault("storage_backends", {})
    key = (url, current_app.config.get("STORAGE_S3_ENDPOINT"))
    if key not in stores:
        stores[key] = object_store(*key)
    return stores[key]


def _folder() -> Folder:
    chosen = backend()
    if not isinstance(chosen, Folder):
        raise TypeError("the configured store is not a folder: read files with storage.open_stored or storage.read")
    return chosen


def path_for(sha256: str) -> Path:
    """A file's path in the folder store (tests and tools on the folder; the app reads through
    `open_stored` and `read`, which work with either store)."""
    return _folder().path_for(sha256)


def exists(sha256: str) -> bool:
    return backend().exists(sha256)


def open_stored(sha256: str) -> Opened:
    """The stored file as a stream with its size (for a download); FileNotFoundError if absent."""
    return backend().open(sha256)


def read(sha256: str) -> bytes:
    """A stored file's bytes (a PDF to sign or verify); FileNotFoundError if absent."""
    opened = backend().open(sha256)
    with closing(opened.stream) as stream:
        return stream.read()


def store(stream: BinaryIO, *, max_size: int, label: str) -> StoredFile:
    """Copy the stream to a spool file, checking type and size as it goes and the content
    (filecheck) before it is kept; refuse with a message naming the file (`label`) when it is
    not a PDF/JPEG/PNG, too large, or carries what filecheck refuses. A refused file leaves
    nothing behind; an accepted one is pending until the session commits."""
    head = stream.read(16)
    content_type = sniff(head)
    if content_type is None:
        raise UploadError(msg("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG.", name=label))
    digest = hashlib.sha256(head)
    size = len(head)
    chosen = backend()
    with chosen.spool() as tmp:
        tmp.write(head)
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > max_size:
                tmp.close()
                os.unlink(tmp.name)
                raise UploadError(msg("Tệp “%(name)s” vượt quá dung lượng cho phép (%(mb)s MB).", name=label,
                                      mb=max_size // (1024 * 1024)))
            digest.update(chunk)
            tmp.write(chunk)
    try:
        filecheck.check(tmp.name, content_type, label)
    except filecheck.ContentRefused as refused:
        os.unlink(tmp.name)
        raise UploadError(refused.args[0]) from None
    except BaseException:
        os.unlink(tmp.name)
        raise
    _stage(chosen, tmp.name, digest.hexdigest())
    return StoredFile(digest.hexdigest(), size, content_type)


def digest(data: bytes) -> str:
    """The name a file's bytes are stored under (and checked against)."""
    return hashlib.sha256(data).hexdigest()


def store_bytes(data: bytes, content_type: str) -> StoredFile:
    """Store bytes the app made itself (a rendered or signed PDF), pending like an upload."""
    sha = digest(data)
    chosen = backend()
    with chosen.spool() as tmp:
        tmp.write(data)
    _stage(chosen, tmp.name, sha)
    return StoredFile(sha, len(data), content_type)


# --- pending files: promoted by the commit that references them, discarded otherwise ----

_PENDING = "storage.pending"  # key of Session.info: {sha256: (backend, name in its temporary area)}


def pending() -> dict[str, tuple[Backend, str]]:
    """The current session's files waiting for its commit (empty once it ends)."""
    return db.session.info.get(_PENDING, {})


def _stage(chosen: Backend, spooled: str, sha: str) -> None:
    """Keep a finished spool file as pending in the current session. Bytes already in the
    store are only touched (so `prune` counts them as new while the commit is on its way)."""
    if chosen.touch(sha):
        os.unlink(spooled)
        return
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so that the end of the transaction, whatever it is, settles the file
    files = session.info.setdefault(_PENDING, {})
    if sha in files:  # the same bytes twice in one change
        os.unlink(spooled)
    else:
        files[sha] = (chosen, chosen.stage(spooled))


def _discard(files: dict[str, tuple[Backend, str]], shas) -> None:
    for sha in list(shas):
        chosen, handle = files.pop(sha)
        try:
            chosen.discard(handle)
        except Exception:  # the change is settled either way; prune collects the leftover
            log.exception("pending file %s could not be discarded from %s", sha, handle)


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
    for sha, (chosen, handle) in list(files.items()):
        try:
            chosen.promote(handle, sha)
        except Exception:  # the row is committed: say loudly that its file could not be kept
            log.exception("stored file %s could not be moved into place from %s", sha, handle)
        del files[sha]


@event.listens_for(Session, "after_transaction_end")
def _discard_left(session: Session, transaction) -> None:
    """A transaction ended without promoting its files (rollback, error, closed session)."""
    files = session.info.get(_PENDING)
    if files and transaction.parent is None:
        _discard(files, set(files))


# --- garbage collection ----------------------------------------------------------------

# Every column that names a stored file. A new one MUST be added here, or prune deletes its
# files (tests/services/test_storage_prune.py checks every `sha256` column of the schema is).
# Each signed version of a document is kept (a signature's `sha256`): the record of what was signed.
REFERENCES = (DossierFile.sha256, IssuedDocument.sha256, DocumentSignature.sha256, StoredPaper.sha256)

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


class _Pruner:
    """The rules of `prune`, once for every backend: its walk reports each entry here."""

    def __init__(self, report: PruneReport, referenced: Collection[str], cutoff: float):
        self.report, self.referenced, self.cutoff = report, referenced, cutoff

    def _remove(self, into: list[str], name: str, size: int, remove) -> bool:
        if not self.report.dry_run and not remove():
            return False
        into.append(name)
        self.report.bytes_freed += size
        return True

    def stored(self, name: str, sha256: str, mtime: float, size: int, remove) -> bool:
        if sha256 not in self.referenced and mtime < self.cutoff and self._remove(self.report.removed, name, size,
                                                                                 remove):
            return True
        self.report.kept += 1
        self.report.recent += sha256 not in self.referenced
        return False

    def temporary(self, name: str, mtime: float, size: int, remove) -> bool:
        return mtime < self.cutoff and self._remove(self.report.temporary, name, size, remove)

    def folder(self, remove) -> bool:
        if not (self.report.dry_run or remove()):
            return False
        self.report.folders += 1
        return True

    def ignored(self, name: str) -> None:
        self.report.ignored.append(name)


def prune(referenced: Collection[str], *, older_than: timedelta, now: datetime | None = None,
          dry_run: bool = False) -> PruneReport:
    """Remove stored files whose hash is not in `referenced` and whose mtime is older than
    `now - older_than`, leftover temporary files older than that, and (in a folder) the shard
    folders left empty. Read `referenced` BEFORE calling: a file stored after that read is newer
    than the grace period, so it is kept whatever the set says. A file is looked at again just
    before it goes: the same bytes stored meanwhile made it new, and it stays.

    Only the store's layout is touched (storage_backends.Folder.walk, ObjectStore.walk);
    anything else is reported as ignored, never followed or removed."""
    report = PruneReport(dry_run=dry_run)
    backend().walk(_Pruner(report, referenced, ((now or utcnow()) - older_than).timestamp()))
    return report
