"""What a new version of a procedure changes against the published one: a pure structural diff
of two validated specs (``ProcedureSpec.model_dump(mode="json")``, the stored snapshot).

Pure: no Flask, no database. The administrator reads it before publishing (issue 13), because a
published procedure is what every desk applies and what citizens read (Decree 63/2010 Art. 8
lists its components; the ones a change most often touches get their own section here):

* ``time``: the time limit (thời hạn giải quyết, ``processing_time``);
* ``fee``: fees and charges, matched by name (an amount changed, a fee added or removed);
* ``document``: the dossier's components (thành phần hồ sơ), matched by ``key``;
* ``form``: the e-form's fields, matched by ``key``;
* ``field``: every other value (name, level, legal basis, process steps, ...), by path.

A list of plain values (legal basis, methods, subjects, steps) is compared item by item: the
items added and removed, or the new order when only the order changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Lists of mappings matched by one of their keys rather than by position: inserting a
# document must read as one document added, not as every following one changed.
KEYED = {"documents": ("document", "key"), "fees": ("fee", "name"), "form": ("form", "key")}
SECTION_OF = {"processing_time": "time"}


@dataclass(frozen=True)
class Change:
    section: str          # "time" | "fee" | "document" | "form" | "field"
    path: str             # "processing_time.value", "documents[to_khai].count", "fees[Lệ phí]"
    kind: str             # "added" | "removed" | "changed"
    before: Any = None
    after: Any = None


def diff(old: dict | None, new: dict) -> list[Change]:
    """The changes from `old` (None: the procedure is new) to `new`, in the order of `new`'s keys;
    an empty list when they are the same."""
    if old is None:
        return [Change("field", "code", "added", None, new.get("code"))]
    changes: list[Change] = []
    for key in list(new) + [k for k in old if k not in new]:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key in KEYED:
            section, by = KEYED[key]
            changes += _keyed(section, key, by, before or [], after or [])
        else:
            changes += _values(SECTION_OF.get(key, "field"), key, before, after)
    return changes


def _keyed(section: str, name: str, by: str, old: list[dict], new: list[dict]) -> list[Change]:
    before = {item[by]: item for item in old}
    after = {item[by]: item for item in new}
    changes: list[Change] = []
    for key, item in after.items():
        path = f"{name}[{key}]"
        if key not in before:
            changes.append(Change(section, path, "added", None, item))
        elif before[key] != item:
            changes += _values(section, path, before[key], item)
    changes += [Change(section, f"{name}[{key}]", "removed", item, None) for key, item in before.items()
                if key not in after]
    if not changes and list(before) != list(after):
        changes.append(Change(section, name, "changed", list(before), list(after)))  # only the order
    return changes


def _values(section: str, path: str, old: Any, new: Any) -> list[Change]:
    """Changes between two values at `path`: mappings key by key, lists of mappings position
    by position, lists of plain values item by item."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [c for key in list(new) + [k for k in old if k not in new]
                for c in _values(section, f"{path}.{key}", old.get(key), new.get(key))]
    if isinstance(old, list) and isinstance(new, list):
        if all(isinstance(x, dict) for x in old + new):
            changes = [c for i in range(min(len(old), len(new)))
                       for c in _values(section, f"{path}[{i}]", old[i], new[i])]
            changes += [Change(section, f"{path}[{i}]", "added", None, new[i]) for i in range(len(old), len(new))]
            changes += [Change(section, f"{path}[{i}]", "removed", old[i], None) for i in range(len(new), len(old))]
            return changes
        if all(not isinstance(x, (dict, list)) for x in old + new):
            added = [x for x in new if x not in old]
            removed = [x for x in old if x not in new]
            if not added and not removed:
                return [Change(section, path, "changed", old, new)]
            return ([Change(section, path, "added", None, x) for x in added]
                    + [Change(section, path, "removed", x, None) for x in removed])
    if old is None:
        return [Change(section, path, "added", None, new)]
    if new is None:
        return [Change(section, path, "removed", old, None)]
    return [Change(section, path, "changed", old, new)]
