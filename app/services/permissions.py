"""Who may do what: the one place where access is decided (DESIGN.md §2).

Views call `can()` (or the `require` decorator in app/web.py); a hidden button is never
the only guard. Rights are granted per agency and role (ANCHORS.md: not per procedure)."""
from __future__ import annotations

from app.domain.structure import AgencyKind, Role
from app.domain.workflow import Action, Actor, actors

# Actions not about one dossier: the roles that grant them, at any agency.
ACTION_ROLES: dict[str, set[str]] = {
    "admin.staff": {Role.ADMIN},  # the staff pages and the audit log, each narrowed to the admin's reach (issue 13)
    "agency.list": {Role.ADMIN},  # the agencies' pages; each agency then by "admin.agency" (issue 13)
    "desk.work": {Role.RECEPTION},  # the one-stop queue and counter intake
    "work.list": {Role.SPECIALIST, Role.LEADER, Role.CLERK, Role.RECEPTION},  # the officials' worklist
}
# Actions on one dossier.
# Who may take a workflow action: `may` (workflow.ACTORS); what may happen now: transitions.available_actions.
DOSSIER_ACTIONS = {"dossier.view", "dossier.edit", "dossier.decide", "dossier.withdraw"}


# Where log-in lands (issue 14): the first of these pages the user may open is their work; a
# citizen (no membership) lands on their own dossiers, staff with none of them on the home page.
LANDINGS: tuple[tuple[str, str], ...] = (
    ("desk.work", "desk.queue"),          # reception at a one-stop desk
    ("work.list", "work.worklist"),       # specialist, leader, clerk
    ("calendar.manage", "admin.calendar"),  # administrator
    ("procedure.offering", "admin_procedures.index"),  # an agency administrator: their desks' offering
)
CITIZEN_LANDING = "citizen.mine"
DEFAULT_LANDING = "public.index"


def landing(user) -> str:
    """The endpoint a user is sent to after log-in when no `next` was asked for."""
    for action, endpoint in LANDINGS:
        if can(user, action):
            return endpoint
    return CITIZEN_LANDING if user.is_authenticated and not user.memberships else DEFAULT_LANDING


def member(user, agency_id: int | None, roles: set[str] | None = None) -> bool:
    """The user works at the agency (in one of `roles`, when given)."""
    return any(m.agency_id == agency_id and (roles is None or m.role in roles) for m in user.memberships)


def holds(user, task) -> bool:
    """The step is at one of the user's (agency, role), or assigned to the user."""
    if task is None or not user.is_authenticated:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return member(user, task.agency_id, {task.role})


def acts_as(user, actor: Actor, dossier) -> bool:
    """Whether the user is, for this dossier, the `actor` the workflow names."""
    if user is None or not user.is_authenticated:
        return False
    if actor is Actor.APPLICANT:
        return dossier.owner_id is not None and dossier.owner_id == user.id
    if actor is Actor.DESK:
        return member(user, dossier.receiving_agency_id, {Role.RECEPTION})
    if actor is Actor.HOLDER:
        return holds(user, dossier.current_step)
    # Actor.LEADER: of the competent agency, whose head signs form 04 (LEGAL.md §2.2, §8)
    return dossier.resolving_agency_id is not None and member(user, dossier.resolving_agency_id, {Role.LEADER})


def may(user, action: Action, dossier) -> bool:
    """The user is one of those who take `action` on the dossier in its status (workflow.ACTORS)."""
    return any(acts_as(user, actor, dossier) for actor in actors(dossier.status, action))


def province_admin(user) -> bool:
    """An administrator at a top agency (one with no parent: the province's), who manages
    every agency, account and procedure, and reads the audit log (issue 13)."""
    return any(m.role == Role.ADMIN and m.agency.parent_id is None for m in user.memberships)


def administers(user, agency) -> bool:
    """Scoped administration (issue 13): the province administrator manages every agency; an
    agency administrator manages their agency and the agencies below it (the parent chain)."""
    if province_admin(user):
        return True
    ruled = {m.agency_id for m in user.memberships if m.role == Role.ADMIN}
    seen: set[int] = set()
    while agency is not None and agency.id not in seen:
        if agency.id in ruled:
            return True
        seen.add(agency.id)
        agency = agency.parent
    return False


def can(user, action: str, obj=None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    # Administration: "admin.province" (the province administrator's own: the audit log, the
    # agencies' tree, procedures), "admin.agency" with the agency concerned (its staff, its offering).
    if action == "admin.province":
        return province_admin(user)
    if action == "admin.agency":
        return obj is not None and administers(user, obj)
    # The working calendar and the procedures' content are province-wide: the province
    # administrator's. Which desk receives a procedure, and how far online, is the desk's own
    # offering: its agency administrators' too (with the desk; without one: may open the pages).
    if action in ("calendar.manage", "procedure.manage"):
        return province_admin(user)
    if action == "procedure.offering":
        return administers(user, obj) if obj is not None else any(m.role == Role.ADMIN for m in user.memberships)
    # Feedback (phản ánh, kiến nghị): its sender sees it; the staff of the agency holding it
    # see and handle it, whatever their role there (Decree 20/2008 Art. 10–11: the agency
    # designates who receives and handles).
    if action == "feedback.handle":
        return member(user, obj.agency_id)
    if action == "feedback.view":
        return obj.sender_id == user.id or member(user, obj.agency_id)
    # An account (issue 13): the province administrator manages everyone; an agency administrator
    # sees an official with a membership in their reach ("admin.user.view", and may change those
    # memberships), and locks, unlocks or resets one whose every membership is in it ("admin.user").
    if action == "admin.user.view":
        return obj is not None and (province_admin(user) or any(administers(user, m.agency) for m in obj.memberships))
    if action == "admin.user":
        return obj is not None and (province_admin(user) or (
            bool(obj.memberships) and all(administers(user, m.agency) for m in obj.memberships)))
    # Form 06, a desk's register (issue 13): its reception staff and its administrators read it;
    # without a desk, whether the user reads any register.
    if action == "register.read":
        if obj is None:
            return any(m.role == Role.ADMIN or (m.role == Role.RECEPTION and m.agency.kind == AgencyKind.ONE_STOP)
                       for m in user.memberships)
        return obj.kind == AgencyKind.ONE_STOP and (member(user, obj.id, {Role.RECEPTION}) or administers(user, obj))
    if action in ACTION_ROLES:
        return any(m.role in ACTION_ROLES[action] and (action != "desk.work" or m.agency.kind == AgencyKind.ONE_STOP)
                   for m in user.memberships)
    if action not in DOSSIER_ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    dossier = obj
    owner = acts_as(user, Actor.APPLICANT, dossier)
    if action == "dossier.view":
        # The applicant, the receiving desk, and every agency the dossier has passed through;
        # staff only once it is submitted: a draft is the applicant's own (issue 18).
        if owner:
            return True
        return dossier.status != "draft" and (
            member(user, dossier.receiving_agency_id) or any(member(user, s.agency_id) for s in dossier.steps))
    if action == "dossier.edit":  # the applicant's own draft, or the answer to a supplement request
        return owner and dossier.status in ("draft", "supplement_requested")
    if action == "dossier.withdraw":
        return owner
    return acts_as(user, Actor.DESK, dossier) and dossier.status != "draft"  # dossier.decide: the receiving desk
