"""Where stored files' bytes live: a local folder (the default) or an S3-compatible object
store (MinIO, Ceph, a cloud store), chosen by STORAGE_URL. A backend only moves bytes; what is
kept, when a file enters the store and what prune removes is decided once, in storage.py.

Both use the same layout under their root (the folder, or the bucket's prefix):
`ab/cd/<sha256>` for a stored file and `tmp/<name>` for a file waiting for the commit that
references it (the temporary area)."""
from __future__ import annotations

import os
import re
import secrets
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, Protocol

TEMPORARY_AREA = "tmp"

_SHARD = re.compile(r"[0-9a-f]{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# tempfile.NamedTemporaryFile's default names: "tmp" + 8 characters from [a-z0-9_].
_TEMPORARY = re.compile(r"tmp[a-z0-9_]{8}")


def stored_name(sha256: str) -> str:
    """A stored file's name under the root: `ab/cd/<sha256>`."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError("not a sha256")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _temporary_name() -> str:
    return f"tmp{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Opened:
    """A stored file opened for reading (a stream, read in chunks) and its size in bytes."""

    stream: BinaryIO
    size: int


class Pruner(Protocol):
    """What a backend's walk reports each entry of its layout to (storage._Pruner decides).
    `remove` deletes the entry and says whether it did (False: gone or made new meanwhile)."""

    cutoff: float

    def stored(self, name: str, sha256: str, mtime: float, size: int, remove: Callable[[], bool]) -> bool: ...
    def temporary(self, name: str, mtime: float, size: int, remove: Callable[[], bool]) -> bool: ...
    def folder(self, remove: Callable[[], bool]) -> bool: ...
    def ignored(self, name: str) -> None: ...


class Backend(ABC):
    """A store of files by content hash, with a temporary area for the pending ones."""

    @abstractmethod
    def spool(self) -> IO[bytes]:
        """A new local file (NamedTemporaryFile, not deleted on close) to write and check an
        incoming file in before it is staged."""

    @abstractmethod
    def stage(self, local_path: str) -> str:
        """Put a finished spool file in the temporary area; return its name there (the handle
        `promote` and `discard` take). The spool file is gone afterwards."""

    @abstractmethod
    def promote(self, handle: str, sha256: str) -> None:
        """Move a pending file from the temporary area to its hash name (the commit is done)."""

    @abstractmethod
    def discard(self, handle: str) -> None:
        """Delete a pending file; one already gone (a prune meanwhile) is no error."""

    @abstractmethod
    def touch(self, sha256: str) -> bool:
        """If the bytes are stored, make them new again (so prune's grace period counts from
        now) and say True; False when they are not there."""

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def open(self, sha256: str) -> Opened:
        """The stored file for reading; FileNotFoundError when it is not there."""

    @abstractmethod
    def walk(self, pruner: Pruner) -> None:
        """Report every entry of the layout to `pruner`, for `storage.prune`."""


# --- the local folder -----------------------------------------------------------------------

class Folder(Backend):
    """STORAGE_DIR on a local (or shared network) file system. The temporary area is inside
    it, so moving a pending file into place is an atomic rename."""

    def __init__(self, root: Path):
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / stored_name(sha256)

    @property
    def temporary_area(self) -> Path:
        return self.root / TEMPORARY_AREA

    def spool(self) -> IO[bytes]:
        self.temporary_area.mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile(dir=self.temporary_area, delete=False)

    def stage(self, local_path: str) -> str:
        return local_path  # the spool file is already in the temporary area

    def promote(self, handle: str, sha256: str) -> None:
        """Rename to the hash path (atomic: the same content twice lands on the same path, with
        a new mtime). A concurrent prune may remove an empty shard folder between the mkdir and
        the rename, hence the retries."""
        target = self.path_for(sha256)
        for attempt in range(3):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(handle, target)
                return
            except FileNotFoundError:
                if attempt == 2 or not os.path.exists(handle):
                    raise

    def discard(self, handle: str) -> None:
        try:
            os.unlink(handle)
        except FileNotFoundError:
            pass

    def touch(self, sha256: str) -> bool:
        try:
            os.utime(self.path_for(sha256))
        except FileNotFoundError:
            return False
        return True

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> Opened:
        stream = open(self.path_for(sha256), "rb")  # noqa: SIM115 (the caller streams and closes it)
        return Opened(stream, os.fstat(stream.fileno()).st_size)

    def walk(self, pruner: Pruner) -> None:
        """Only the layout is touched: `ab/cd/<64 hex>` regular files, regular files in the
        temporary area, temporary files in the root or a shard folder (left by earlier versions,
        or set aside by a prune), and `ab`, `ab/cd` folders. Symbolic links and any other name
        are reported as ignored, never followed or removed."""
        if not self.root.is_dir():
            return
        with os.scandir(self.root) as top:
            for first in sorted(top, key=lambda e: e.name):
                if first.name == TEMPORARY_AREA and first.is_dir(follow_symlinks=False):
                    # Pending files a crash left (their commit never settled them); the area stays.
                    with os.scandir(first.path) as waiting:
                        for entry in sorted(waiting, key=lambda e: e.name):
                            name = f"{TEMPORARY_AREA}/{entry.name}"
                            if entry.is_file(follow_symlinks=False):
                                self._temporary(pruner, entry, name)
                            else:
                                pruner.ignored(name)
                elif first.is_file(follow_symlinks=False) and _TEMPORARY.fullmatch(first.name):
                    self._temporary(pruner, first, first.name)
                elif first.is_dir(follow_symlinks=False) and _SHARD.fullmatch(first.name):
                    if not self._walk_first(pruner, first):
                        pruner.folder(lambda path=first.path: _rmdir(path))
                else:
                    pruner.ignored(first.name)

    def _walk_first(self, pruner: Pruner, first: os.DirEntry) -> int:
        """The `ab` folder; returns how many entries stay in it."""
        left = 0
        with os.scandir(first.path) as middle:
            for second in sorted(middle, key=lambda e: e.name):
                shard = f"{first.name}/{second.name}"
                if not (second.is_dir(follow_symlinks=False) and _SHARD.fullmatch(second.name)):
                    pruner.ignored(shard)
                    left += 1
                    continue
                left_in_second = 0
                with os.scandir(second.path) as files:
                    for entry in sorted(files, key=lambda e: e.name):
                        name = f"{shard}/{entry.name}"
                        if not entry.is_file(follow_symlinks=False):
                            pruner.ignored(name)
                        elif _SHA256.fullmatch(entry.name) and entry.name[:4] == first.name + second.name:
                            stat = entry.stat(follow_symlinks=False)
                            if pruner.stored(name, entry.name, stat.st_mtime, stat.st_size,
                                             lambda path=entry.path: _remove_if_still_old(path, pruner.cutoff)):
                                continue
                        elif _TEMPORARY.fullmatch(entry.name):  # set aside by a prune, or an old store_bytes
                            if self._temporary(pruner, entry, name):
                                continue
                        else:
                            pruner.ignored(name)
                        left_in_second += 1
                if left_in_second or not pruner.folder(lambda path=second.path: _rmdir(path)):
                    left += 1
        return left

    @staticmethod
    def _temporary(pruner: Pruner, entry: os.DirEntry, name: str) -> bool:
        stat = entry.stat(follow_symlinks=False)
        return pruner.temporary(name, stat.st_mtime, stat.st_size, lambda path=entry.path: _unlink(path))


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:  # removed meanwhile (another prune): nothing freed
        return False
    return True


def _rmdir(path: str) -> bool:
    try:
        os.rmdir(path)
    except OSError:  # a file arrived meanwhile: keep the folder
        return False
    return True


def _remove_if_still_old(path: str, cutoff: float) -> bool:
    """Move aside, then look again: the same bytes stored since the first look (an old orphan
    uploaded anew) replaced the file with a new one, which must stay. The aside name is a
    temporary file's, so a crash here leaves what a later prune collects."""
    aside = os.path.join(os.path.dirname(path), _temporary_name())
    try:
        os.rename(path, aside)
    except FileNotFoundError:
        return False
    if os.stat(aside).st_mtime >= cutoff:
        os.replace(aside, path)
        return False
    return _unlink(aside)


# --- an S3-compatible object store ----------------------------------------------------------

class ObjectStore(Backend):
    """`s3://bucket/prefix` through boto3. Incoming files are written and checked in a local
    spool file (the system's temporary folder), uploaded to `prefix/tmp/<name>` when staged,
    and copied to `prefix/ab/cd/<sha256>` (then the temporary object deleted) when their commit
    is done; reads stream the object. An object's LastModified is its mtime for prune."""

    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket = client, bucket
        self.base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""

    def _key(self, name: str) -> str:
        return self.base + name

    def spool(self) -> IO[bytes]:
        return tempfile.NamedTemporaryFile(delete=False)

    def stage(self, local_path: str) -> str:
        handle = self._key(f"{TEMPORARY_AREA}/{_temporary_name()}")
        try:
            self.client.upload_file(local_path, self.bucket, handle)
        finally:
            os.unlink(local_path)
        return handle

    def promote(self, handle: str, sha256: str) -> None:
        # copy_object takes up to 5 GB in one request; uploads here are bounded far below.
        self.client.copy_object(Bucket=self.bucket, Key=self._key(stored_name(sha256)),
                                CopySource={"Bucket": self.bucket, "Key": handle})
        self.discard(handle)

    def discard(self, handle: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=handle)  # no error when it is gone

    def touch(self, sha256: str) -> bool:
        key = self._key(stored_name(sha256))
        try:  # copying an object onto itself with new metadata renews its LastModified
            self.client.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                                    MetadataDirective="REPLACE")
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(stored_name(sha256)))
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def open(self, sha256: str) -> Opened:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(stored_name(sha256)))
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                raise FileNotFoundError(sha256) from None
            raise
        return Opened(answer["Body"], answer["ContentLength"])

    def walk(self, pruner: Pruner) -> None:
        """Every object under the prefix: `tmp/<name>` are temporary, `ab/cd/<sha256>` stored,
        anything else ignored. There are no folders to remove in an object store."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.base)
        for page in pages:
            for item in page.get("Contents", []):
                key, name = item["Key"], item["Key"][len(self.base):]
                mtime, size = item["LastModified"].timestamp(), item["Size"]
                parts = name.split("/")
                if len(parts) == 2 and parts[0] == TEMPORARY_AREA:
                    pruner.temporary(name, mtime, size, lambda key=key: self._delete(key))
                elif len(parts) == 3 and _SHA256.fullmatch(parts[2]) and parts[2][:4] == parts[0] + parts[1]:
                    pruner.stored(name, parts[2], mtime, size,
                                  lambda key=key: self._delete_if_still_old(key, pruner.cutoff))
                else:
                    pruner.ignored(name)

    def _delete(self, key: str) -> bool:
        self.client.delete_object(Bucket=self.bucket, Key=key)
        return True

    def _delete_if_still_old(self, key: str, cutoff: float) -> bool:
        """Look again just before deleting: the same bytes stored since the listing renewed the
        object, which must stay. (An object store has no rename to make the look and the delete
        one step: a re-upload in the milliseconds between them is the remaining window; the
        grace period makes it need an orphan older than it uploaded again at that instant.)"""
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.ClientError as error:
            if _missing(error):
                return False
            raise
        if head["LastModified"].timestamp() >= cutoff:
            return False
        return self._delete(key)


def _missing(error) -> bool:
    return error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix` (checked by config.storage_url) → (bucket, prefix); the prefix may be empty."""
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


def object_store(url: str, endpoint: str | None) -> ObjectStore:
    """A backend for STORAGE_URL; boto3 reads the region and the keys from the environment
    (AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or its other sources)."""
    import boto3  # only when an object store is configured
    from botocore.config import Config as BotoConfig

    bucket, prefix = parse_url(url)
    # A store that does not answer fails the request in seconds, not after boto3's default
    # retries (a 503 page, app/errors.py), as the Redis connections do (config.redis_options).
    config = BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"})
    return ObjectStore(boto3.client("s3", endpoint_url=endpoint or None, config=config), bucket, prefix)
