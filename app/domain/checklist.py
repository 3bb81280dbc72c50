"""The desk's checklist at intake: each paper of the procedure ticked as checked.

The receiving official checks that the dossier is complete and correct before receiving it
(Decree 118/2025 Art. 17; formerly Decree 61/2018 Art. 19(1)): complete means every required
paper (thành phần hồ sơ bắt buộc) is there, so each must be ticked; the receipt (form 01,
"Thành phần hồ sơ nộp gồm") then lists the papers received, the ones ticked. Pure: the
procedure's documents as the file gives them (dicts with "key", "name", "required").
"""
from __future__ import annotations

FIELD = "checked"  # the form field, and the key an error comes back under


def ticked(documents: list[dict], checked: list[str]) -> list[str]:
    """The ticked keys in the file's order, each once; keys the procedure has not are dropped
    by `problems`, not here."""
    wanted = set(checked)
    return [d["key"] for d in documents if d["key"] in wanted]


def problems(documents: list[dict], checked: list[str]) -> dict[str, str]:
    """What stops the dossier from being received on this checklist: a key the procedure does
    not list, or a required paper not ticked (named, so the desk sees which)."""
    keys = {d["key"] for d in documents}
    if unknown := sorted(set(checked) - keys):
        return {FIELD: f"Giấy tờ không thuộc thủ tục này: {', '.join(unknown)}."}
    missing = [d["name"] for d in documents if d["required"] and d["key"] not in checked]
    if missing:
        return {FIELD: "Chưa đánh dấu đã kiểm tra giấy tờ bắt buộc: " + "; ".join(missing) + "."}
    return {}


def papers_received(documents: list[dict], checked: list[str] | None, present: set[str]) -> list[dict]:
    """The papers form 01 lists as received: those the desk ticked; a dossier received with no
    checklist lists those it has a file for and the required ones (which it must have had)."""
    if checked is not None:
        return [d for d in documents if d["key"] in checked]
    return [d for d in documents if d["key"] in present or d["required"]]
