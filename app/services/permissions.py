"""Who may do what: the one place where access is decided (DESIGN.md §2).

Views call `can()` (or the `require` decorator in app/web.py); a hidden button is never
the only guard."""
from __future__ import annotations

from app.domain.structure import Role

# action → roles that grant it (at any agency, for actions not about one dossier).
ACTION_ROLES: dict[str, set[str]] = {
    "calendar.manage": {Role.ADMIN},
}


def can(user, action: str, obj=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if action not in ACTION_ROLES:
        raise KeyError(f"unknown action {action!r}")
    return any(m.role in ACTION_ROLES[action] for m in user.memberships)
