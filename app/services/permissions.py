"""Who may do what: the one place where access is decided (DESIGN.md §2).

Views call `can()` (or the `require` decorator in app/web.py); a hidden button is never
the only guard. Rights are granted per agency and role (ANCHORS.md: not per procedure)."""
from __future__ import annotations

from app.domain.structure import AgencyKind, Role

# Actions not about one dossier: the roles that grant them, at any agency.
ACTION_ROLES: dict[str, set[str]] = {
    "calendar.manage": {Role.ADMIN},
    "desk.work": {Role.RECEPTION},  # the one-stop queue and counter intake
    "work.list": {Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.RECEPTION},  # the officials' worklist
}
# Actions on one dossier.
DOSSIER_ACTIONS = {"dossier.view", "dossier.edit", "dossier.decide", "dossier.withdraw", "apology.draft", "apology.approve"}


def _member(user, agency_id: int, roles: set[str] | None = None) -> bool:
    return any(m.agency_id == agency_id and (roles is None or m.role in roles) for m in user.memberships)


def holds(user, task) -> bool:
    """The step is at one of the user's (agency, role), or assigned to the user."""
    if task is None or not user.is_authenticated:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return any(m.agency_id == task.agency_id and m.role == task.role for m in user.memberships)


def can(user, action: str, obj=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if action in ACTION_ROLES:
        return any(m.role in ACTION_ROLES[action] and (action != "desk.work" or m.agency.kind == AgencyKind.ONE_STOP)
                   for m in user.memberships)
    if action not in DOSSIER_ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    dossier = obj
    owner = dossier.owner_id is not None and dossier.owner_id == user.id
    desk = _member(user, dossier.receiving_agency_id, {Role.RECEPTION})
    if action == "dossier.view":
        # The applicant, the receiving desk, and every agency the dossier has passed through;
        # staff only once it is submitted: a draft is the applicant's own (issue 18).
        if owner:
            return True
        return dossier.status != "draft" and (
            _member(user, dossier.receiving_agency_id) or any(_member(user, s.agency_id) for s in dossier.steps))
    if action == "dossier.edit":  # the applicant's own draft, or the answer to a supplement request
        return owner and dossier.status in ("draft", "supplement_requested")
    if action == "dossier.withdraw":
        return owner
    if action == "apology.approve":
        # Form 04 is the agency head's letter (LEGAL.md §2.2, §8): a leader of the competent agency.
        return dossier.resolving_agency_id is not None and _member(user, dossier.resolving_agency_id, {Role.LEADER})
    if action == "apology.draft":  # whoever holds the step drafts it; a leader may draft and approve at once
        return holds(user, dossier.current_step) or can(user, "apology.approve", dossier)
    return desk and dossier.status != "draft"  # dossier.decide: the receiving desk's reception staff
