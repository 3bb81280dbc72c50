"""The citizen's store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân; Decree 45/2020/NĐ-CP
Art. 16; issue 17): every paper a citizen uploads for a document that names its kind of paper,
and every signed electronic result issued to them, kept as a reference to the stored file; a
new dossier takes a paper of the same kind from it instead of a new upload (index 4.3's reuse).

Files are content-addressed (services/storage.py): a reused paper is the same file, never a
copy, so a signed result reused as an input keeps its signature byte for byte."""
from __future__ import annotations

from sqlalchemy import exists, select

from app.extensions import db
from app.models import Dossier, DossierFile, IssuedDocument, StoredPaper, User
from app.services.errors import ServiceError

# A dossier in these statuses is over: a paper it used may leave the store.
FINISHED = ("returned", "refused", "stopped", "resolved")


class StoreError(ServiceError):
    """A refused store request (Vietnamese message, HTTP status)."""


def _paper_kinds(spec: dict) -> dict[str, str]:
    """Document key → kind of paper, for the documents that name one."""
    return {d["key"]: d["paper"] for d in spec["documents"] if d.get("paper")}


def _keep(owner: User, kind: str, name: str, content_type: str, size: int, sha256: str, source: str,
          dossier: Dossier | None) -> None:
    """Add the paper unless the owner already keeps these bytes as this kind (the caller commits)."""
    for pending in db.session.new:  # an earlier file of the same request
        if isinstance(pending, StoredPaper) and (pending.owner_id, pending.sha256, pending.kind) == (
                owner.id, sha256, kind):
            return
    if db.session.scalar(select(exists().where(StoredPaper.owner_id == owner.id, StoredPaper.sha256 == sha256,
                                               StoredPaper.kind == kind))):
        return
    db.session.add(StoredPaper(owner_id=owner.id, kind=kind, name=name[:255], content_type=content_type, size=size,
                               sha256=sha256, source=source, origin_dossier=dossier))


def _owned_by(dossier: Dossier, user: User) -> bool:
    """The user is the dossier's applicant (also before the new dossier's row is flushed)."""
    return dossier.owner is not None and dossier.owner.id == user.id


def keep_upload(dossier: Dossier, file: DossierFile, actor: User) -> None:
    """A file the applicant uploaded themselves, for a document with a kind of paper."""
    kind = _paper_kinds(dossier.procedure_version.spec).get(file.component)
    if kind and not file.reused and _owned_by(dossier, actor) and actor.is_citizen:
        _keep(actor, kind, file.name, file.content_type, file.size, file.sha256, "uploaded", dossier)


def keep_result(document: IssuedDocument, size: int) -> None:
    """A fully signed electronic result goes into its applicant's store (the caller commits)."""
    dossier = document.dossier
    kind = dossier.procedure_version.spec.get("result_paper") if dossier is not None else None
    if kind and dossier.owner is not None and document.kind == "result" and document.sha256:
        name = f"{dossier.procedure_version.name} — {dossier.code or dossier.reference}"
        _keep(dossier.owner, kind, name, "application/pdf", size, document.sha256, "issued", dossier)


def papers(user: User, kind: str | None = None) -> list[StoredPaper]:
    query = select(StoredPaper).where(StoredPaper.owner_id == user.id)
    if kind:
        query = query.where(StoredPaper.kind == kind)
    return list(db.session.scalars(query.order_by(StoredPaper.created_at.desc(), StoredPaper.id.desc())))


def offers(user: User, spec: dict) -> dict[str, list[StoredPaper]]:
    """For each document of the procedure with a kind of paper, the user's papers of that kind."""
    kinds = _paper_kinds(spec)
    if not kinds or not user.is_citizen:
        return {}
    mine = papers(user)
    return {key: [p for p in mine if p.kind == kind] for key, kind in kinds.items()
            if any(p.kind == kind for p in mine)}


def reuse(dossier: Dossier, actor: User, chosen: dict[str, list[int]]) -> tuple[list[DossierFile], dict[str, str]]:
    """The files to add for the papers chosen by document key, and the refusals by field
    (`documents.<key>`): a paper must be the applicant's own and of the kind the document asks."""
    kinds = _paper_kinds(dossier.procedure_version.spec)
    files, errors = [], {}
    present = {(f.component, f.sha256) for f in dossier.files}
    for key, ids in chosen.items():
        for paper_id in ids:
            paper = db.session.get(StoredPaper, paper_id) if isinstance(paper_id, int) else None
            if paper is None or paper.owner_id != actor.id or not _owned_by(dossier, actor):
                errors[f"documents.{key}"] = "Giấy tờ đã chọn không có trong kho của bạn."
            elif kinds.get(key) != paper.kind:
                errors[f"documents.{key}"] = "Giấy tờ đã chọn không đúng loại giấy tờ của thành phần này."
            elif (key, paper.sha256) not in present:
                present.add((key, paper.sha256))
                files.append(DossierFile(component=key, name=paper.name, content_type=paper.content_type,
                                         size=paper.size, sha256=paper.sha256, uploaded_by_id=actor.id, reused=True,
                                         stored_paper_id=paper.id))
    return files, errors


def from_national_store(files: list[DossierFile]) -> bool:
    """Whether one of the files was taken from a paper the national store provided (4.4)."""
    ids = [f.stored_paper_id for f in files if f.reused and f.stored_paper_id]
    return bool(ids) and bool(db.session.scalar(select(exists().where(
        StoredPaper.id.in_(ids), StoredPaper.source == "national"))))


def _own(user: User, paper_id: int) -> StoredPaper:
    paper = db.session.get(StoredPaper, paper_id)
    if paper is None or paper.owner_id != user.id:  # another's paper is not there for this user
        raise StoreError("Không tìm thấy giấy tờ trong kho của bạn.", status=404)
    return paper


def get(user: User, paper_id: int) -> StoredPaper:
    return _own(user, paper_id)


def in_use(paper: StoredPaper) -> bool:
    """Used by a dossier still running (not yet finished)."""
    return bool(db.session.scalar(select(exists().where(
        DossierFile.stored_paper_id == paper.id, DossierFile.dossier_id == Dossier.id,
        Dossier.status.not_in(FINISHED)))))


def delete(user: User, paper_id: int) -> None:
    """The paper leaves the store; its file stays while a dossier references it (storage.prune
    collects a file nothing references any more)."""
    paper = _own(user, paper_id)
    if in_use(paper):
        raise StoreError("Giấy tờ đang được dùng trong một hồ sơ chưa giải quyết xong; chưa xóa được.", status=409)
    db.session.delete(paper)
    db.session.commit()
