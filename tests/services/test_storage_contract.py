"""The storage contract, run against both backends: the local folder and an S3-compatible
object store (moto's server, tests/object_store.py). Whatever STORAGE_URL chooses, a file enters
the store only with the commit that references it, is read back by streaming, and leaves with
prune once unreferenced and old; the download route serves it the same way.

The folder's own details (symbolic links, shard folders, names outside the layout) are in
tests/services/test_storage_prune.py; the commit rules through the pages in
tests/security/test_uploads.py."""
from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from flask import url_for

from app.extensions import db
from app.models import DossierFile
from app.models.users import utcnow
from app.services import catalogue, dossiers, storage
from app.services.storage_backends import ObjectStore, stored_name
from tests.factories import BIRTH, PDF, PNG, TICH_SON_DESK, pdf_bytes, submitted_birth
from tests.object_store import new_bucket

DAY = timedelta(hours=24)


@pytest.fixture(params=["folder", "object store"])
def backend(request, app, tmp_path, monkeypatch):
    """An empty store of the test's own, of each kind, chosen by the settings as in production."""
    if request.param == "folder":
        monkeypatch.setitem(app.config, "STORAGE_URL", None)
        monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "files"))
    else:
        endpoint = request.getfixturevalue("object_store_server")
        monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{new_bucket(endpoint)}/motcua/files")
        monkeypatch.setitem(app.config, "STORAGE_S3_ENDPOINT", endpoint)
    chosen = storage.backend()
    assert isinstance(chosen, ObjectStore) == (request.param == "object store")
    return chosen


class Listing:
    """A pruner that removes nothing: every name the backend's layout holds."""

    cutoff = 0.0

    def __init__(self):
        self.names: list[str] = []

    def stored(self, name, sha256, mtime, size, remove):
        self.names.append(name)
        return False

    def temporary(self, name, mtime, size, remove):
        self.names.append(name)
        return False

    def folder(self, remove):
        return False

    def ignored(self, name):
        self.names.append(name)


def everything(backend) -> list[str]:
    listing = Listing()
    backend.walk(listing)
    return sorted(listing.names)


def new_draft(citizen):
    return dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)  # committed


def reference(dossier, citizen, stored: storage.StoredFile):
    """A row of the draft referencing the stored file (not committed yet)."""
    dossier.files.append(DossierFile(component="to_khai", name="to-khai.pdf", content_type=stored.content_type,
                                     size=stored.size, sha256=stored.sha256, uploaded_by_id=citizen.id))


def orphan(backend, data: bytes) -> str:
    """Bytes put in place with no row (what a deleted row or an earlier version leaves)."""
    with backend.spool() as spool:
        spool.write(data)
    sha = storage.digest(data)
    backend.promote(backend.stage(spool.name), sha)
    return sha


def leftover(backend, data: bytes) -> str:
    """A file staged whose commit never came (a crash between the two steps)."""
    with backend.spool() as spool:
        spool.write(data)
    return backend.stage(spool.name)


def test_a_stored_file_waits_in_the_temporary_area_and_is_readable_once_committed(backend, make_user,
                                                                                  loaded_catalogue):
    citizen = make_user()
    dossier = new_draft(citizen)
    stored = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    reference(dossier, citizen, stored)

    assert not storage.exists(stored.sha256)
    assert [name.split("/")[0] for name in everything(backend)] == [storage.TEMPORARY_AREA]
    assert set(storage.pending()) == {stored.sha256}
    with pytest.raises(FileNotFoundError):
        storage.read(stored.sha256)

    db.session.commit()

    # readable as soon as commit() returns (a job run next, in any process, reads it)
    assert storage.exists(stored.sha256) and storage.read(stored.sha256) == PDF
    assert everything(backend) == [stored_name(stored.sha256)] and storage.pending() == {}
    opened = storage.open_stored(stored.sha256)
    with opened.stream as stream:
        assert opened.size == len(PDF) and stream.read(5) == b"%PDF-" and stream.read() == PDF[5:]
    assert dossier.files[0].sha256 == stored.sha256


def test_a_rollback_after_store_leaves_nothing(backend, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = new_draft(citizen)
    reference(dossier, citizen, storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf"))
    storage.store(BytesIO(PNG), max_size=10 << 20, label="anh.png")
    storage.store_bytes(pdf_bytes("a rendered form"), "application/pdf")
    assert len(everything(backend)) == 3 and len(dossier.files) == 1

    db.session.rollback()

    assert everything(backend) == [] and storage.pending() == {}


def test_a_stored_file_no_row_references_goes_with_the_commit(backend, make_user, loaded_catalogue):
    """A file refused after it was stored (no row kept it) goes with the commit."""
    citizen = make_user()
    dossier = new_draft(citizen)
    kept = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    reference(dossier, citizen, kept)
    dropped = storage.store_bytes(pdf_bytes("never referenced"), "application/pdf")

    db.session.commit()

    assert everything(backend) == [stored_name(kept.sha256)]
    assert not storage.exists(dropped.sha256)


def test_a_refused_upload_leaves_nothing(backend):
    with pytest.raises(storage.UploadError, match="vượt quá dung lượng"):
        storage.store(BytesIO(PDF + b"\0" * 2048), max_size=1024, label="to-khai.pdf")
    with pytest.raises(storage.UploadError, match="không phải PDF"):
        storage.store(BytesIO(b"MZ\x90\x00"), max_size=1024, label="app.exe")
    assert everything(backend) == [] and storage.pending() == {}


def test_prune_removes_old_orphans_and_leftovers_and_keeps_referenced_and_recent_files(backend, make_user,
                                                                                       loaded_catalogue):
    citizen = make_user()
    dossier = new_draft(citizen)
    stored = storage.store(BytesIO(PDF), max_size=10 << 20, label="to-khai.pdf")
    reference(dossier, citizen, stored)
    referenced = stored.sha256
    db.session.commit()
    lost = orphan(backend, b"%PDF-orphan of a deleted row")
    crashed = leftover(backend, b"%PDF-staged, commit never came")
    hashes = storage.referenced_hashes()
    assert hashes == {referenced}

    now = storage.prune(hashes, older_than=DAY)  # everything is younger than a day
    assert (now.removed, now.temporary, now.kept, now.recent) == ([], [], 2, 1)

    later = utcnow() + 2 * DAY
    dry = storage.prune(hashes, older_than=DAY, now=later, dry_run=True)
    assert dry.removed == [stored_name(lost)] and len(dry.temporary) == 1
    assert len(everything(backend)) == 3  # a dry run removes nothing

    report = storage.prune(hashes, older_than=DAY, now=later)
    assert report.removed == [stored_name(lost)] and report.temporary == dry.temporary
    assert report.temporary[0].startswith(f"{storage.TEMPORARY_AREA}/") and crashed.endswith(report.temporary[0])
    assert report.bytes_freed == len(b"%PDF-orphan of a deleted row") + len(b"%PDF-staged, commit never came")
    assert (report.kept, report.recent) == (1, 0)
    assert everything(backend) == [stored_name(referenced)] and storage.read(referenced) == PDF


def _old_then_cutoff(backend) -> tuple[str, datetime]:
    """An old orphan, and a cutoff after it by more than an object store's 1 s clock."""
    sha = orphan(backend, b"%PDF-old orphan, stored again")
    time.sleep(1.1)
    return sha, datetime.fromtimestamp(math.floor(time.time()), UTC)


def test_storing_bytes_already_there_makes_them_new_again(backend):
    """A rendered PDF identical to an old unreferenced one must not be pruned before its commit."""
    sha, cutoff = _old_then_cutoff(backend)
    assert storage.store_bytes(b"%PDF-old orphan, stored again", "application/pdf").sha256 == sha
    assert storage.pending() == {} and everything(backend) == [stored_name(sha)]  # not copied twice

    report = storage.prune(set(), older_than=timedelta(0), now=cutoff)

    assert report.removed == [] and (report.kept, report.recent) == (1, 1)


def test_a_file_stored_again_while_being_pruned_stays(backend):
    """The same bytes stored anew between prune's look at the old orphan and its removal."""
    sha, cutoff = _old_then_cutoff(backend)

    class StoreAgainFirst(storage._Pruner):
        def stored(self, name, sha256, mtime, size, remove):
            storage.store_bytes(b"%PDF-old orphan, stored again", "application/pdf")
            return super().stored(name, sha256, mtime, size, remove)

    report = storage.PruneReport(dry_run=False)
    backend.walk(StoreAgainFirst(report, set(), cutoff.timestamp()))

    assert report.removed == [] and (report.kept, report.recent) == (1, 1)
    assert storage.read(sha) == b"%PDF-old orphan, stored again"
    assert everything(backend) == [stored_name(sha)]  # nothing left aside


def test_reading_a_missing_file_is_file_not_found(backend):
    missing = storage.digest(b"never stored")
    assert not storage.exists(missing)
    with pytest.raises(FileNotFoundError):
        storage.open_stored(missing)


def test_uploads_and_the_rendered_receipt_download_through_the_routes(backend, client, login, make_user,
                                                                     loaded_catalogue, run_jobs):
    citizen, desk = make_user(), make_user("reception", TICH_SON_DESK)
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, desk)
    run_jobs()  # the receipt, rendered (and stored) by the job
    db.session.refresh(dossier)
    upload, (receipt,) = dossier.files[0], dossier.documents
    assert receipt.sha256 and storage.exists(receipt.sha256) and storage.exists(upload.sha256)
    login(citizen)

    page = client.get(url_for("citizen.file", dossier_id=dossier.id, file_id=upload.id))
    assert page.status_code == 200 and page.data == storage.read(upload.sha256)
    assert page.mimetype == upload.content_type and page.content_length == upload.size
    assert page.headers["ETag"] == f'"{upload.sha256}"'
    form = client.get(url_for("citizen.document", dossier_id=dossier.id, document_id=receipt.id))
    assert form.status_code == 200 and form.data.startswith(b"%PDF-") and form.data == storage.read(receipt.sha256)

    part = client.get(url_for("citizen.file", dossier_id=dossier.id, file_id=upload.id), headers={"Range": "bytes=0-4"})
    assert part.status_code == 206 and part.data == storage.read(upload.sha256)[:5]
    same = client.get(url_for("citizen.file", dossier_id=dossier.id, file_id=upload.id),
                      headers={"If-None-Match": f'"{upload.sha256}"'})
    assert same.status_code == 304 and same.data == b""
    assert client.get(url_for("citizen.file", dossier_id=dossier.id, file_id=upload.id + 999)).status_code == 404
