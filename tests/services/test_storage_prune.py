"""storage.prune: files no row references are removed once older than the grace period;
referenced files, new files (a commit still in progress) and anything outside the layout stay."""
import hashlib
import os
import time
from datetime import timedelta

import pytest

from app.extensions import db
from app.services import catalogue, dossiers, storage
from app.services.storage import path_for
from tests.factories import (
    BIRTH,
    PDF,
    PNG,
    TICH_SON_DESK,
    birth_input,
    submitted_birth,
)

DAY = timedelta(hours=24)
PDF_SHA, PNG_SHA = hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()


@pytest.fixture(autouse=True)
def store_dir(app, tmp_path, monkeypatch):
    """A store of its own: the session's shared store holds other tests' files."""
    root = tmp_path / "files"
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(root))
    return root


def age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def stored(data: bytes, hours_ago: float = 0) -> str:
    """Put `data` in the store with no row (what an earlier version or a deleted row leaves),
    `hours_ago` old."""
    sha = hashlib.sha256(data).hexdigest()
    path_for(sha).parent.mkdir(parents=True, exist_ok=True)
    path_for(sha).write_bytes(data)
    if hours_ago:
        age(path_for(sha), hours_ago)
    return sha


def test_unreferenced_old_file_is_removed_and_referenced_and_new_ones_kept():
    kept = stored(b"%PDF-referenced", hours_ago=48)
    orphan = stored(b"%PDF-orphan of a rolled-back intake", hours_ago=48)
    in_flight = stored(b"%PDF-stored, commit not done yet", hours_ago=1)

    report = storage.prune({kept}, older_than=DAY)

    assert path_for(kept).exists() and path_for(in_flight).exists()
    assert not path_for(orphan).exists()
    assert report.removed == [f"{orphan[:2]}/{orphan[2:4]}/{orphan}"]
    assert report.bytes_freed == len(b"%PDF-orphan of a rolled-back intake")
    assert (report.kept, report.recent) == (2, 1)


def test_grace_period_is_measured_from_now():
    sha = stored(b"%PDF-five hours old", hours_ago=5)
    assert storage.prune(set(), older_than=timedelta(hours=6)).removed == []
    assert path_for(sha).exists()
    assert len(storage.prune(set(), older_than=timedelta(hours=4)).removed) == 1
    assert not path_for(sha).exists()


def test_dry_run_removes_nothing_but_reports_what_it_would(store_dir):
    orphan = stored(b"%PDF-orphan", hours_ago=48)
    temporary = store_dir / "tmpab12cd_9"
    temporary.write_bytes(b"half an upload")
    age(temporary, 48)

    report = storage.prune(set(), older_than=DAY, dry_run=True)

    assert report.dry_run and report.removed == [f"{orphan[:2]}/{orphan[2:4]}/{orphan}"]
    assert report.temporary == ["tmpab12cd_9"] and report.folders == 2
    assert report.bytes_freed == len(b"%PDF-orphan") + len(b"half an upload")
    assert path_for(orphan).exists() and temporary.exists()


def test_stray_temporary_files_older_than_the_grace_period_are_removed(store_dir):
    old_upload = store_dir / "tmpk3j9_x2q"    # NamedTemporaryFile of an upload that crashed
    new_upload = store_dir / "tmp0a1b2c3d"    # an upload being written now
    shard = store_dir / "ab" / "cd"
    shard.mkdir(parents=True)
    old_render = shard / "tmpzzzzzzzz"         # written beside its target by an earlier store_bytes
    for path in (old_upload, new_upload, old_render):
        path.write_bytes(b"partial")
    age(old_upload, 30)
    age(old_render, 30)

    report = storage.prune(set(), older_than=DAY)

    assert sorted(report.temporary) == ["ab/cd/tmpzzzzzzzz", "tmpk3j9_x2q"]
    assert not old_upload.exists() and not old_render.exists() and new_upload.exists()
    assert not (store_dir / "ab").exists()  # the shard folders left empty go too
    assert report.folders == 2


def test_files_a_crash_left_in_the_temporary_area_are_removed_once_old(store_dir, tmp_path):
    area = store_dir / storage.TEMPORARY_AREA
    area.mkdir(parents=True)
    crashed, waiting = area / "tmpq1w2e3r4", area / "tmpa1s2d3f4"  # a commit never settled; one on its way
    for path in (crashed, waiting):
        path.write_bytes(b"pending")
    age(crashed, 30)
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(b"not ours")
    (area / "link").symlink_to(outside)
    age(outside, 100)

    report = storage.prune(set(), older_than=DAY)

    assert report.temporary == [f"{storage.TEMPORARY_AREA}/tmpq1w2e3r4"] and report.ignored == ["tmp/link"]
    assert not crashed.exists() and waiting.exists() and area.is_dir() and outside.exists()


def test_empty_shard_folders_are_removed_and_shared_ones_kept(store_dir):
    orphan = stored(b"%PDF-alone in its folder", hours_ago=48)
    report = storage.prune(set(), older_than=DAY)
    assert report.folders == 2 and not path_for(orphan).parent.parent.exists()
    assert store_dir.is_dir() and list(store_dir.iterdir()) == []


def test_nothing_outside_the_layout_is_followed_or_removed(store_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ("ab" * 32)
    victim.write_bytes(b"not ours")
    (outside / "12").mkdir()
    lure = outside / "12" / ("ef12" + "0" * 60)
    lure.write_bytes(b"not ours either")
    (store_dir / "ab").mkdir(parents=True)
    (store_dir / "ab" / "ab").symlink_to(outside, target_is_directory=True)  # a shard that is a link
    (store_dir / "ef").symlink_to(outside, target_is_directory=True)         # a top shard that is a link
    (store_dir / "cd").mkdir()
    (store_dir / "cd" / "ef").mkdir()
    link = store_dir / "cd" / "ef" / ("cdef" + "0" * 60)
    link.symlink_to(victim)                                                    # a "file" that is a link
    misplaced = store_dir / "cd" / "ef" / ("12" * 32)                          # wrong shard for its name
    misplaced.write_bytes(b"x")
    (store_dir / "notes.txt").write_bytes(b"x")
    (store_dir / "tmpfolder123").mkdir()                                        # a temp-like name, not a file
    for path in (victim, lure, misplaced, store_dir / "notes.txt"):
        age(path, 100)
    os.utime(link, (time.time() - 360000,) * 2, follow_symlinks=False)

    report = storage.prune(set(), older_than=DAY)

    assert report.removed == [] and report.temporary == [] and report.folders == 0
    assert sorted(report.ignored) == ["ab/ab", f"cd/ef/{'12' * 32}", f"cd/ef/cdef{'0' * 60}", "ef", "notes.txt",
                                      "tmpfolder123"]
    assert victim.read_bytes() == b"not ours" and lure.exists() and link.is_symlink() and misplaced.exists()


def test_missing_store_is_an_empty_report(store_dir):
    assert not store_dir.exists()
    report = storage.prune(set(), older_than=DAY)
    assert (report.removed, report.kept, report.folders) == ([], 0, 0)


def test_storing_bytes_already_there_makes_them_new_again():
    """A rendered PDF identical to an old unreferenced one must not be pruned before its commit."""
    first = stored(b"%PDF-rendered twice", hours_ago=48)
    assert storage.store_bytes(b"%PDF-rendered twice", "application/pdf").sha256 == first
    assert storage.prune(set(), older_than=DAY).removed == []


def test_a_file_stored_again_while_being_pruned_stays(monkeypatch):
    """The same bytes uploaded anew between prune's look at the old orphan and its removal."""
    sha = stored(b"%PDF-old orphan, uploaded again", hours_ago=48)
    rename = os.rename

    def upload_then_rename(src, dst):
        stored(b"%PDF-old orphan, uploaded again")  # a new file at the same path, mtime now
        rename(src, dst)

    monkeypatch.setattr(storage.os, "rename", upload_then_rename)
    report = storage.prune(set(), older_than=DAY)

    assert report.removed == [] and (report.kept, report.recent) == (1, 1)
    assert path_for(sha).read_bytes() == b"%PDF-old orphan, uploaded again"
    assert [p.name for p in path_for(sha).parent.iterdir()] == [sha]  # nothing left aside


def test_every_sha256_column_is_a_reference():
    """A new table storing a file hash must be in storage.REFERENCES, or prune deletes its files."""
    columns = {f"{table.name}.{column.name}" for table in db.metadata.tables.values()
               for column in table.columns if "sha" in column.name.lower()}
    referenced = {f"{column.table.name}.{column.name}" for column in storage.REFERENCES}
    assert columns == referenced == {"dossier_file.sha256", "issued_document.sha256", "document_signature.sha256",
                                     "stored_paper.sha256"}


def test_referenced_hashes_come_from_uploads_and_issued_documents(make_user, loaded_catalogue, run_jobs):
    citizen, reception = make_user(), make_user("reception", TICH_SON_DESK)
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception)
    run_jobs()
    db.session.refresh(dossier)
    uploads = {f.sha256 for f in dossier.files}
    (receipt,) = dossier.documents
    assert receipt.sha256 and receipt.sha256 not in uploads  # referenced only by the IssuedDocument
    orphan = stored(b"%PDF-never recorded", hours_ago=48)
    for sha in (*uploads, receipt.sha256):
        age(path_for(sha), 48)

    referenced = storage.referenced_hashes()
    assert referenced == {*uploads, receipt.sha256}
    report = storage.prune(referenced, older_than=DAY)

    assert report.removed == [f"{orphan[:2]}/{orphan[2:4]}/{orphan}"]
    assert path_for(receipt.sha256).exists() and all(path_for(sha).exists() for sha in uploads)


def test_a_drafts_uploads_are_referenced(make_user, loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
    assert dossier.status == "draft"
    assert storage.referenced_hashes() == {f.sha256 for f in dossier.files} == {PDF_SHA, PNG_SHA}
