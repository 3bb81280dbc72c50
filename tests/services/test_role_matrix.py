"""Every dossier use case × every kind of user: in a state where the use case is allowed, the
users it belongs to succeed and everybody else is refused with 403 (never 409, which would
tell a stranger what state the dossier is in), and the refusal changes nothing."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.services import catalogue, dossiers, processing
from app.services.demo import DemoAgency
from tests.factories import (
    TICH_SON_DESK,
    birth_input,
    land_at_counter,
    owing_dossier,
    submitted_birth,
)

COMMUNE = DemoAgency.TICH_SON        # UBND phường Tích Sơn: the birth registration's agency

ACTORS = {
    "citizen": (None, None),                       # the applicant (owner)
    "other_citizen": (None, None),
    "desk": ("reception", TICH_SON_DESK),
    "other_desk": ("reception", DemoAgency.LIEN_BAO_DESK),
    "specialist": ("specialist", COMMUNE),
    "leader": ("leader", COMMUNE),
    "clerk": ("clerk", COMMUNE),
    "other_specialist": ("specialist", DemoAgency.LIEN_BAO),   # the same role in another commune
    "admin": ("admin", DemoAgency.PROVINCE),
}


@pytest.fixture
def people(make_user, loaded_catalogue):
    users = {name: make_user(role, agency) for name, (role, agency) in ACTORS.items()}
    users["colleague"] = make_user("specialist", COMMUNE)   # someone to assign the step to
    return users


# States, each reached through the real use cases.
def draft(p):
    dossier = dossiers.start_draft(p["citizen"], catalogue.current_version("1.001193"), TICH_SON_DESK)
    return dossiers.save_draft(dossier, p["citizen"], birth_input(), dossier.lock_version)


def submitted(p):
    return submitted_birth(p["citizen"])


def asked_at_intake(p):
    return dossiers.request_supplement(submitted(p), p["desk"], ["Giấy chứng sinh"], "Thiếu")


def withdrawal_requested(p):
    return dossiers.request_withdrawal(submitted(p), p["citizen"], "")


def at_specialist(p):
    return dossiers.accept(submitted(p), p["desk"])


def at_leader(p):
    dossier = at_specialist(p)
    processing.complete_step(dossier, p["specialist"])
    return dossier


def at_clerk(p):
    dossier = at_leader(p)
    processing.resolve(dossier, p["leader"], "approved")
    return dossier


def at_return(p):
    dossier = at_clerk(p)
    processing.complete_step(dossier, p["clerk"])
    return dossier


def apology_drafted(p):
    dossier = at_specialist(p)
    processing.draft_apology(dossier, p["specialist"], dossier.due_at + timedelta(days=5), "Chờ xác minh")
    return dossier


def land_at_commune(p):
    return land_at_counter(p["citizen"], p["desk"])


def fee_requested(p):
    return owing_dossier(p["citizen"], p["desk"], p["specialist"])


# use case: (state, call, the users it belongs to)
CASES = {
    "submit": (draft, lambda d, u, p: dossiers.submit(d, u), {"citizen"}),
    "accept": (submitted, lambda d, u, p: dossiers.accept(d, u), {"desk"}),
    "refuse": (submitted, lambda d, u, p: dossiers.refuse(d, u, ["Không thuộc thẩm quyền"]), {"desk"}),
    "intake_supplement": (submitted, lambda d, u, p: dossiers.request_supplement(d, u, ["x"], "y"), {"desk"}),
    "request_withdrawal": (submitted, lambda d, u, p: dossiers.request_withdrawal(d, u, ""), {"citizen"}),
    "resubmit": (asked_at_intake, lambda d, u, p: dossiers.resubmit(d, u), {"citizen"}),
    "cancel_withdrawal": (withdrawal_requested, lambda d, u, p: dossiers.cancel_withdrawal(d, u), {"citizen"}),
    "stop": (withdrawal_requested, lambda d, u, p: processing.stop(d, u), {"desk"}),
    "decline_withdrawal": (withdrawal_requested, lambda d, u, p: processing.decline_withdrawal(d, u, "Đã có kết quả"),
                           {"desk"}),
    "complete_step": (at_specialist, lambda d, u, p: processing.complete_step(d, u), {"specialist"}),
    "assign": (at_specialist, lambda d, u, p: processing.assign(d, u, p["colleague"].id), {"specialist"}),
    "processing_supplement": (at_specialist, lambda d, u, p: processing.request_supplement(d, u, ["x"], "y"),
                              {"specialist"}),
    # The step's holder drafts; a leader of the competent agency may draft too, and alone approves.
    "draft_apology": (at_specialist, lambda d, u, p: processing.draft_apology(d, u, d.due_at + timedelta(days=5), "x"),
                      {"specialist", "leader"}),
    "approve_apology": (apology_drafted, lambda d, u, p: processing.approve_apology(d, u), {"leader"}),
    "reject_apology": (apology_drafted, lambda d, u, p: processing.reject_apology(d, u, "Sửa lý do"), {"leader"}),
    "return_step": (at_leader, lambda d, u, p: processing.return_step(d, u, "Thiếu chữ ký"), {"leader"}),
    "resolve": (at_leader, lambda d, u, p: processing.resolve(d, u, "approved"), {"leader"}),
    "hand_result_to_desk": (at_clerk, lambda d, u, p: processing.complete_step(d, u), {"clerk"}),
    "return_result": (at_return, lambda d, u, p: processing.return_result(d, u, "counter"), {"desk"}),
    "request_fee": (land_at_commune, lambda d, u, p: processing.request_fee(d, u), {"specialist"}),
    "record_payment": (fee_requested, lambda d, u, p: processing.record_payment(d, u, 25000, "BL-1"),
                       {"specialist", "desk"}),
}


def snapshot(dossier) -> tuple:
    step = dossier.current_step
    return dossier.status, len(dossier.events), step and step.id, step and step.assignee_id


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_use_case_belongs_to_its_users_only(people, case):
    state, call, allowed = CASES[case]
    dossier = state(people)
    before = snapshot(dossier)
    for actor in sorted(set(ACTORS) - allowed):  # a refusal changes nothing: one dossier serves them all
        with pytest.raises(dossiers.DossierError) as error:
            call(dossier, people[actor], people)
        assert error.value.status == 403, (actor, error.value.message)
        db.session.rollback()
        db.session.refresh(dossier)
        assert snapshot(dossier) == before, actor
    for actor in sorted(allowed):
        dossier = state(people)
        before = snapshot(dossier)
        call(dossier, people[actor], people)
        db.session.expire_all()
        assert snapshot(db.session.get(type(dossier), dossier.id)) != before, actor  # it happened, and was committed


# The same use cases with empty input, or unconfirmed: who may act is checked before what was
# typed or confirmed, so a stranger learns nothing from a validation message.
EMPTY_INPUT = {
    "refuse": (submitted, lambda d, u: dossiers.refuse(d, u, [])),
    "intake_supplement": (submitted, lambda d, u: dossiers.request_supplement(d, u, [], "")),
    "processing_supplement": (at_specialist, lambda d, u: processing.request_supplement(d, u, [], "")),
    "return_step": (at_leader, lambda d, u: processing.return_step(d, u, "")),
    "deny": (at_leader, lambda d, u: processing.resolve(d, u, "denied", "")),
    "return_result": (at_return, lambda d, u: processing.return_result(d, u, "post", "")),
    "record_payment": (fee_requested, lambda d, u: processing.record_payment(d, u, 0)),
    "decline_withdrawal": (withdrawal_requested, lambda d, u: processing.decline_withdrawal(d, u, "")),
    # and without the confirmation an irreversible decision needs
    "refuse_unconfirmed": (submitted, lambda d, u: dossiers.refuse(d, u, ["x"], confirmed=False)),
    "deny_unconfirmed": (at_leader, lambda d, u: processing.resolve(d, u, "denied", "x", confirmed=False)),
    "stop_unconfirmed": (withdrawal_requested, lambda d, u: processing.stop(d, u, confirmed=False)),
}


@pytest.mark.parametrize("case", sorted(EMPTY_INPUT))
def test_a_stranger_is_refused_before_the_input_is_checked(people, case):
    state, call = EMPTY_INPUT[case]
    dossier = state(people)
    for actor in ("other_citizen", "other_desk", "other_specialist"):
        with pytest.raises(dossiers.DossierError) as error:
            call(dossier, people[actor])
        assert error.value.status == 403, (actor, error.value.message)


@pytest.mark.parametrize("case", ["refuse_unconfirmed", "deny_unconfirmed", "stop_unconfirmed"])
def test_an_irreversible_decision_waits_for_its_confirmation(people, case):
    state, call = EMPTY_INPUT[case]
    dossier = state(people)
    actor = {"refuse_unconfirmed": "desk", "deny_unconfirmed": "leader", "stop_unconfirmed": "desk"}[case]
    with pytest.raises(dossiers.DossierError) as error:
        call(dossier, people[actor])
    assert error.value.fields == {"confirm": "Cần đánh dấu ô xác nhận."}
