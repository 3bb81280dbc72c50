"""Tests for app.domain.workflow.

Expected statuses, codes and labels are literals copied from DESIGN.md §3 and LEGAL.md §4
(the national TrangThai table); none is computed with the code under test.
"""

from __future__ import annotations

import pytest

from app.domain.workflow import (
    ACTORS,
    BACK,
    KEEPS,
    STATUS_TABLE,
    TRANSITIONS,
    Action,
    Actor,
    ApologyStage,
    DossierState,
    Status,
    WorkflowError,
    actors,
    allowed_actions,
    next_status,
    possible_actions,
)

# Every move allowed from a fresh state (counters 0, no previous status), written by hand.
# (WITHDRAWAL_REQUESTED, CANCEL_WITHDRAWAL) needs a previous status: see its own tests.
EXPECTED: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",
    ("submitted", "accept"): "accepted",
    ("submitted", "request_supplement"): "supplement_requested",
    ("submitted", "refuse"): "refused",
    ("submitted", "request_withdrawal"): "withdrawal_requested",
    ("accepted", "start_processing"): "processing",
    ("accepted", "request_withdrawal"): "withdrawal_requested",
    ("processing", "request_supplement"): "supplement_requested",
    ("processing", "request_fee"): "fee_requested",
    ("processing", "request_withdrawal"): "withdrawal_requested",
    ("processing", "resolve"): "resolved",
    ("supplement_requested", "resubmit"): "submitted",
    ("supplement_requested", "request_withdrawal"): "withdrawal_requested",
    ("fee_requested", "record_payment"): "processing",
    ("fee_requested", "request_withdrawal"): "withdrawal_requested",
    ("withdrawal_requested", "stop"): "stopped",
    ("resolved", "return_result"): "returned",
}
# Actions that keep the status, written by hand: where each may happen (issue 12).
KEEPING: dict[str, tuple[str, ...]] = {
    "complete_step": ("accepted", "processing", "resolved"),
    "return_step": ("accepted", "processing"),
    "assign": ("accepted", "processing", "supplement_requested", "fee_requested", "withdrawal_requested", "resolved"),
    "draft_apology": ("accepted", "processing", "fee_requested"),
    "approve_apology": ("accepted", "processing", "fee_requested"),
    "reject_apology": ("accepted", "processing", "fee_requested"),
}
EXPECTED |= {(status, action): status for action, statuses in KEEPING.items() for status in statuses}

ALL_PAIRS = [(status, action) for status in Status for action in Action]


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=[f"{s}-{a}" for s, a in ALL_PAIRS])
def test_every_status_action_pair(status: Status, action: Action) -> None:
    # Approving or sending back needs a pending draft; the stages are tested apart below.
    pending = action in (Action.APPROVE_APOLOGY, Action.REJECT_APOLOGY)
    state = DossierState(status, apology=ApologyStage.DRAFTED if pending else ApologyStage.NONE)
    expected = EXPECTED.get((status.value, action.value))
    if expected is None:
        with pytest.raises(WorkflowError):
            next_status(state, action)
    else:
        assert next_status(state, action) == expected


def test_transition_table_lists_exactly_the_allowed_pairs() -> None:
    listed = {(s.value, a.value) for (s, a) in TRANSITIONS} | {(s.value, a.value) for a in KEEPS for s in KEEPS[a]}
    assert listed == set(EXPECTED) | {("withdrawal_requested", "cancel_withdrawal"),
                                      ("withdrawal_requested", "decline_withdrawal")}
    assert TRANSITIONS[(Status.SUPPLEMENT_REQUESTED, Action.RESUBMIT)] is BACK
    assert TRANSITIONS[(Status.WITHDRAWAL_REQUESTED, Action.CANCEL_WITHDRAWAL)] is BACK
    assert TRANSITIONS[(Status.WITHDRAWAL_REQUESTED, Action.DECLINE_WITHDRAWAL)] is BACK


# -- statuses: codes and words ------------------------------------------------------------

NATIONAL = [
    ("draft", 0, "Nháp"),
    ("submitted", 1, "Mới đăng ký"),
    ("accepted", 2, "Được tiếp nhận"),
    ("refused", 3, "Không được tiếp nhận"),
    ("processing", 4, "Đang xử lý"),
    ("supplement_requested", 5, "Yêu cầu bổ sung giấy tờ"),
    ("fee_requested", 6, "Yêu cầu thực hiện nghĩa vụ tài chính"),
    ("withdrawal_requested", 7, "Công dân yêu cầu rút hồ sơ"),
    ("stopped", 8, "Dừng xử lý"),
    ("resolved", 9, "Đã xử lý xong"),
    ("returned", 10, "Đã trả kết quả"),
]


@pytest.mark.parametrize(("value", "code", "label"), NATIONAL)
def test_national_code_and_label(value: str, code: int, label: str) -> None:
    status = Status(value)
    assert status.national_code == code
    assert status.label == label
    assert Status.from_national_code(code) is status


def test_status_values_and_order() -> None:
    assert [s.value for s in Status] == [value for value, _, _ in NATIONAL]


def test_status_table_lists_every_status_in_code_order() -> None:
    assert [(row.status.value, row.code, row.label) for row in STATUS_TABLE] == NATIONAL


def test_unknown_national_code() -> None:
    with pytest.raises(ValueError):
        Status.from_national_code(11)


def test_citizen_labels() -> None:
    assert Status.SUBMITTED.citizen_label == "Đã gửi, chờ tiếp nhận"
    assert Status.RETURNED.citizen_label == "Đã trả kết quả"
    assert all(s.citizen_label.strip() for s in Status)


def test_final_statuses() -> None:
    assert {s.value for s in Status if s.is_final} == {"refused", "stopped", "returned"}


def test_action_labels() -> None:
    assert Action.ACCEPT.label == "Tiếp nhận hồ sơ"
    assert Action.REQUEST_SUPPLEMENT.label == "Yêu cầu bổ sung hồ sơ"
    assert all(a.label.strip() for a in Action)
    assert len({a.label for a in Action}) == len(Action)  # no two buttons with the same words


# -- guards: supplements --------------------------------------------------------------------


def test_second_supplement_at_intake_refused() -> None:
    state = DossierState(Status.SUBMITTED, intake_supplements=1)
    with pytest.raises(WorkflowError) as caught:
        next_status(state, Action.REQUEST_SUPPLEMENT)
    assert "không được yêu cầu bổ sung lần thứ hai" in str(caught.value)
    # The desk must now accept or refuse (or the applicant withdraws).
    assert allowed_actions(state) == [
        Action.ACCEPT,
        Action.REFUSE,
        Action.REQUEST_WITHDRAWAL,
    ]


def test_second_supplement_during_processing_refused() -> None:
    state = DossierState(Status.PROCESSING, processing_supplements=1)
    with pytest.raises(WorkflowError) as caught:
        next_status(state, Action.REQUEST_SUPPLEMENT)
    assert "một lần" in str(caught.value)
    assert Action.REQUEST_SUPPLEMENT not in allowed_actions(state)


def test_first_supplement_during_processing_allowed_after_one_at_intake() -> None:
    state = DossierState(Status.PROCESSING, intake_supplements=1)
    assert next_status(state, Action.REQUEST_SUPPLEMENT) == "supplement_requested"


def test_processing_supplements_do_not_block_intake_count() -> None:
    # The two counters are independent; only the one of the current stage matters.
    state = DossierState(Status.SUBMITTED, processing_supplements=1)
    assert next_status(state, Action.REQUEST_SUPPLEMENT) == "supplement_requested"


# -- guards: going back -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "expected"),
    [(None, "submitted"), ("submitted", "submitted"), ("processing", "processing")],
)
def test_resubmit_returns_to_the_stage_of_the_request(previous: str | None, expected: str) -> None:
    state = DossierState(Status.SUPPLEMENT_REQUESTED, previous_status=previous)
    assert next_status(state, Action.RESUBMIT) == expected


@pytest.mark.parametrize("previous", ["accepted", "fee_requested", "resolved", "draft"])
def test_resubmit_to_a_status_no_supplement_comes_from(previous: str) -> None:
    state = DossierState(Status.SUPPLEMENT_REQUESTED, previous_status=previous)
    with pytest.raises(WorkflowError):
        next_status(state, Action.RESUBMIT)


@pytest.mark.parametrize(
    "previous",
    ["submitted", "accepted", "processing", "supplement_requested", "fee_requested"],
)
def test_cancel_withdrawal_returns_to_previous_status(previous: str) -> None:
    state = DossierState(Status.WITHDRAWAL_REQUESTED, previous_status=previous)
    assert next_status(state, Action.CANCEL_WITHDRAWAL) == previous
    assert next_status(state, Action.DECLINE_WITHDRAWAL) == previous
    assert allowed_actions(state) == [Action.STOP, Action.CANCEL_WITHDRAWAL, Action.DECLINE_WITHDRAWAL, Action.ASSIGN]


def test_cancel_withdrawal_needs_previous_status() -> None:
    state = DossierState(Status.WITHDRAWAL_REQUESTED)
    with pytest.raises(WorkflowError) as caught:
        next_status(state, Action.CANCEL_WITHDRAWAL)
    assert "Hủy yêu cầu rút hồ sơ" in str(caught.value)
    assert allowed_actions(state) == [Action.STOP, Action.ASSIGN]


@pytest.mark.parametrize("previous", ["draft", "resolved", "returned", "withdrawal_requested"])
def test_cancel_withdrawal_to_a_status_no_withdrawal_comes_from(previous: str) -> None:
    state = DossierState(Status.WITHDRAWAL_REQUESTED, previous_status=previous)
    with pytest.raises(WorkflowError):
        next_status(state, Action.CANCEL_WITHDRAWAL)


# -- final statuses and errors -------------------------------------------------------------------


@pytest.mark.parametrize("final", ["refused", "stopped", "returned"])
def test_final_statuses_are_frozen(final: str) -> None:
    state = DossierState(Status(final), previous_status=Status.PROCESSING)
    assert allowed_actions(state) == []
    for action in Action:
        with pytest.raises(WorkflowError) as caught:
            next_status(state, action)
        assert "đã kết thúc" in str(caught.value)


def test_error_names_status_and_action() -> None:
    with pytest.raises(WorkflowError) as caught:
        next_status(DossierState(Status.DRAFT), Action.ACCEPT)
    message = str(caught.value)
    assert '"Tiếp nhận hồ sơ"' in message
    assert '"Nháp"' in message
    assert caught.value.status is Status.DRAFT
    assert caught.value.action is Action.ACCEPT


def test_stop_only_after_a_withdrawal_request() -> None:
    for status in Status:
        state = DossierState(status)
        if status is Status.WITHDRAWAL_REQUESTED:
            assert next_status(state, Action.STOP) == "stopped"
        else:
            with pytest.raises(WorkflowError):
                next_status(state, Action.STOP)


# -- allowed_actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", ["submit"]),
        ("submitted", ["accept", "request_supplement", "refuse", "request_withdrawal"]),
        # No apology yet (the default stage): it may be drafted, nothing is there to approve.
        ("accepted", ["start_processing", "request_withdrawal", "complete_step", "return_step", "assign",
                      "draft_apology"]),
        ("processing", ["request_supplement", "request_fee", "request_withdrawal", "resolve", "complete_step",
                        "return_step", "assign", "draft_apology"]),
        ("supplement_requested", ["resubmit", "request_withdrawal", "assign"]),
        ("fee_requested", ["record_payment", "request_withdrawal", "assign", "draft_apology"]),
        ("resolved", ["return_result", "complete_step", "assign"]),
    ],
)
def test_allowed_actions_in_action_order(status: str, expected: list[str]) -> None:
    assert allowed_actions(DossierState(Status(status))) == expected


def test_possible_actions_start_processing_with_the_first_act() -> None:
    # Accepted: the holder's first act starts processing, so what processing allows is possible now.
    assert possible_actions(DossierState(Status.ACCEPTED)) == [
        "request_supplement", "request_fee", "request_withdrawal", "resolve", "complete_step", "return_step",
        "assign", "draft_apology"]
    assert possible_actions(DossierState(Status.SUBMITTED)) == allowed_actions(DossierState(Status.SUBMITTED))


def test_every_action_has_its_actors() -> None:
    assert set(ACTORS) == set(Action)
    assert actors(Status.SUBMITTED, Action.REQUEST_SUPPLEMENT) == {Actor.DESK}
    assert actors(Status.PROCESSING, Action.REQUEST_SUPPLEMENT) == {Actor.HOLDER}
    assert actors(Status.FEE_REQUESTED, Action.RECORD_PAYMENT) == {Actor.HOLDER, Actor.DESK}
    assert actors(Status.PROCESSING, Action.APPROVE_APOLOGY) == {Actor.LEADER}
    assert actors(Status.WITHDRAWAL_REQUESTED, Action.STOP) == {Actor.DESK}
    assert actors(Status.PROCESSING, Action.REQUEST_WITHDRAWAL) == {Actor.APPLICANT}


# -- DossierState --------------------------------------------------------------------------------


def test_state_accepts_plain_strings_from_the_database() -> None:
    state = DossierState("processing", previous_status="submitted")  # type: ignore[arg-type]
    assert state.status is Status.PROCESSING
    assert state.previous_status is Status.SUBMITTED
    assert next_status(state, "resolve") == "resolved"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"status": "archived"},
        {"status": "processing", "intake_supplements": -1},
        {"status": "processing", "processing_supplements": True},
        {"status": "processing", "previous_status": "nowhere"},
    ],
)
def test_state_rejects_nonsense(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        DossierState(**kwargs)


def test_unknown_action_is_a_bug_not_a_workflow_error() -> None:
    with pytest.raises(ValueError):
        next_status(DossierState(Status.SUBMITTED), "approve")  # type: ignore[arg-type]


def test_a_whole_life() -> None:
    """Counter dossier: supplement at intake, accepted, supplement and fee in processing."""
    steps = [
        (DossierState(Status.DRAFT), Action.SUBMIT, "submitted"),
        (DossierState(Status.SUBMITTED), Action.REQUEST_SUPPLEMENT, "supplement_requested"),
        (
            DossierState(Status.SUPPLEMENT_REQUESTED, 1, 0, Status.SUBMITTED),
            Action.RESUBMIT,
            "submitted",
        ),
        (DossierState(Status.SUBMITTED, 1), Action.ACCEPT, "accepted"),
        (DossierState(Status.ACCEPTED, 1), Action.START_PROCESSING, "processing"),
        (DossierState(Status.PROCESSING, 1), Action.REQUEST_SUPPLEMENT, "supplement_requested"),
        (
            DossierState(Status.SUPPLEMENT_REQUESTED, 1, 1, Status.PROCESSING),
            Action.RESUBMIT,
            "processing",
        ),
        (DossierState(Status.PROCESSING, 1, 1), Action.REQUEST_FEE, "fee_requested"),
        (DossierState(Status.FEE_REQUESTED, 1, 1), Action.RECORD_PAYMENT, "processing"),
        (DossierState(Status.PROCESSING, 1, 1), Action.RESOLVE, "resolved"),
        (DossierState(Status.RESOLVED, 1, 1), Action.RETURN_RESULT, "returned"),
    ]
    for state, action, expected in steps:
        assert next_status(state, action) == expected, (state, action)


def test_replay_walks_a_history_through_the_table_and_counts_supplements():
    from app.domain.workflow import HistoryError, replay

    S = Status
    state = replay([S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.SUBMITTED, S.ACCEPTED, S.PROCESSING,
                    S.SUPPLEMENT_REQUESTED, S.WITHDRAWAL_REQUESTED, S.SUPPLEMENT_REQUESTED, S.PROCESSING,
                    S.RESOLVED, S.RETURNED])
    assert (state.status, state.intake_supplements, state.processing_supplements) == (S.RETURNED, 1, 1)
    for history, step in (([S.RETURNED], 0), ([S.SUBMITTED, S.ACCEPTED, S.RESOLVED], 2),
                          ([S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.SUBMITTED, S.SUPPLEMENT_REQUESTED], 3)):
        with pytest.raises(HistoryError) as error:
            replay(history)
        assert error.value.step == step


@pytest.mark.parametrize(("stage", "possible"), [
    (ApologyStage.NONE, {"draft_apology"}),
    (ApologyStage.DRAFTED, {"approve_apology", "reject_apology"}),
    (ApologyStage.ISSUED, set()),
])
def test_the_apology_actions_follow_its_stage(stage, possible) -> None:
    # Decree 61/2018 Art. 21: one apology; a leader approves or sends back a pending draft only.
    apology_actions = {"draft_apology", "approve_apology", "reject_apology"}
    assert set(possible_actions(DossierState(Status.PROCESSING, apology=stage))) & apology_actions == possible
    for action in apology_actions - possible:
        with pytest.raises(WorkflowError):
            next_status(DossierState(Status.PROCESSING, apology=stage), Action(action))
