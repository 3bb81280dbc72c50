"""Tests for app.domain.indices.

Every expected rate and score below was worked out by hand and is written as a
literal; nothing is computed with the code under test. The arithmetic is given
next to each case.

The reference period (``REFERENCE``): 10 dossiers received; finished: 4 early,
3 on time, 1 late (8 finished); still open: 1 within, 1 overdue; 37.5 working
days of processing over the 8 finished; 6 online; 4 with a fee, 3 paid online;
7 needing a paper result, 5 with an e-result; 7 digitised; 1 poor rating.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from app.domain.indices import (
    GROUP_LABELS,
    GROUP_POINTS,
    INDICES,
    Counts,
    IndexSpec,
    IndexValue,
    compute,
    label,
    points,
    rate,
    synchronisation,
)

REFERENCE = Counts(
    received=10,
    reused=3,
    national_store=1,
    synced=9,
    finished=8,
    early=4,
    on_time=3,
    late=1,
    open_within=1,
    open_overdue=1,
    working_days_total=Decimal("37.5"),
    working_days_resolved=8,
    working_hours_total=Decimal(6),
    working_hours_resolved=4,
    online=6,
    with_fee=4,
    paid_online=3,
    result_required=7,
    e_result=5,
    result_received=10,
    digitised=7,
    poor_or_complaint=1,
)

ZERO = Counts(
    received=0,
    finished=0,
    early=0,
    on_time=0,
    late=0,
    open_within=0,
    open_overdue=0,
    online=0,
    with_fee=0,
    paid_online=0,
    result_required=0,
    e_result=0,
    digitised=0,
    poor_or_complaint=0,
)


def counts(**changes: object) -> Counts:
    """The reference counts with some fields changed."""
    return dataclasses.replace(REFERENCE, **changes)


def satisfaction(early: int, on_time: int, late: int, poor: int) -> IndexValue:
    return compute(counts(early=early, on_time=on_time, late=late, finished=early + on_time + late,
                          poor_or_complaint=poor))["5.4"]


# -- the index set -----------------------------------------------------------------------------


def test_index_set_and_confirmed_values() -> None:
    # 2.2 once per unit of the procedures' time (issue 10: never an hour added to a day)
    assert list(INDICES) == ["1.4", "2.1", "2.2", "2.2h", "2.2d", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4"]
    assert {i: (s.max_points, s.threshold, s.unit) for i, s in INDICES.items()} == {
        "1.4": (None, None, "percent"),
        "2.1": (Decimal("20"), None, "percent"),
        "2.2": (None, None, "working_days"),
        "2.2h": (None, None, "working_hours"),
        "2.2d": (None, None, "calendar_days"),
        "3.3": (None, Decimal("0.50"), "percent"),
        "3.6": (None, None, "percent"),
        "4.1": (None, None, "percent"),
        "4.2": (None, Decimal("0.80"), "percent"),
        "4.3": (None, Decimal("0.80"), "percent"),
        "4.4": (None, None, "percent"),
        "5.4": (Decimal("6"), Decimal("0.90"), "percent"),
    }
    assert all(spec.id == index_id for index_id, spec in INDICES.items())


def test_group_points_sum_to_100() -> None:
    assert GROUP_POINTS == {"1": Decimal(18), "2": Decimal(20), "3": Decimal(22), "4": Decimal(22), "5": Decimal(18)}
    assert sum(GROUP_POINTS.values()) == Decimal(100)
    assert set(GROUP_LABELS) == set(GROUP_POINTS)
    assert GROUP_LABELS["5"] == "Mức độ hài lòng"


def test_labels() -> None:
    assert label("2.1") == "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"
    assert label("2.2") == "Thời gian giải quyết TTHC trung bình (thủ tục tính theo ngày làm việc)"
    assert label("3.3") == "Tỷ lệ hồ sơ nộp trực tuyến"
    assert label("3.6") == "Tỷ lệ hồ sơ thanh toán trực tuyến"
    assert label("4.1") == "Tỷ lệ hồ sơ có cấp kết quả giải quyết TTHC điện tử"
    assert label("4.2") == "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ"
    assert label("5.4") == "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC"
    assert label("1.4") == "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia"
    with pytest.raises(KeyError, match="1.3"):
        label("1.3")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit": "hours"}, "unit"),
        ({"threshold": Decimal(0)}, "threshold"),
        ({"threshold": Decimal("1.5")}, "threshold"),
        ({"max_points": Decimal(-1)}, "max_points"),
    ],
)
def test_index_spec_is_validated(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(INDICES["3.3"], **changes)


# -- rate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (8, 10, "0.8000"),
        (0, 7, "0.0000"),
        (7, 7, "1.0000"),
        (2, 3, "0.6667"),  # 0.66666...
        (1, 3, "0.3333"),  # 0.33333...
        (5, 7, "0.7143"),  # 0.714285...
        (1, 32, "0.0313"),  # 0.03125 exactly: half-up (banker's rounding would give 0.0312)
        (5, 32, "0.1563"),  # 0.15625 exactly: half-up (banker's: 0.1562)
        (1, 80000, "0.0000"),  # 0.0000125
        (1, 20000, "0.0001"),  # 0.00005 exactly: half-up
        (Decimal("1.5"), 2, "0.7500"),
        (3, 2, "1.5000"),  # not refused; points() caps
    ],
)
def test_rate(numerator: int | Decimal, denominator: int, expected: str) -> None:
    value = rate(numerator, denominator)
    assert value == Decimal(expected)
    assert str(value) == expected  # always 4 decimals


@pytest.mark.parametrize("numerator", [0, 5, Decimal("2.5")])
def test_rate_with_zero_denominator_is_na(numerator: int | Decimal) -> None:
    assert rate(numerator, 0) is None
    assert rate(numerator, Decimal("0.00")) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "error"),
    [
        (-1, 5, ValueError),
        (1, -5, ValueError),
        (0.5, 1, TypeError),
        (1, 2.0, TypeError),
        (True, 1, TypeError),
        ("1", 2, TypeError),
        (Decimal("NaN"), 1, ValueError),
    ],
)
def test_rate_refuses_bad_input(numerator: object, denominator: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        rate(numerator, denominator)  # type: ignore[arg-type]


# -- points ----------------------------------------------------------------------------------------

SPEC_2_1 = INDICES["2.1"]
SPEC_5_4 = INDICES["5.4"]
# 3.3 and 4.2 have confirmed thresholds but unconfirmed points; give them a
# made-up maximum to exercise the threshold rule.
SPEC_3_3_FOUR = dataclasses.replace(INDICES["3.3"], max_points=Decimal(4))
SPEC_4_2_TWO = dataclasses.replace(INDICES["4.2"], max_points=Decimal(2))


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        # 2.1, proportional: 20 × rate
        (SPEC_2_1, "0.8000", "16.00"),
        (SPEC_2_1, "0.6667", "13.33"),  # 13.334
        (SPEC_2_1, "1.0000", "20.00"),
        (SPEC_2_1, "0.0000", "0.00"),
        (SPEC_2_1, "1.5000", "20.00"),  # a rate above 100% is capped at the maximum
        # 5.4, threshold 90%: 6 × min(1, rate / 0.90)
        (SPEC_5_4, "0.7500", "5.00"),  # 4.5 / 0.9
        (SPEC_5_4, "0.8500", "5.67"),  # 5.1 / 0.9 = 5.666...
        (SPEC_5_4, "0.4500", "3.00"),  # 2.7 / 0.9
        (SPEC_5_4, "0.8999", "6.00"),  # 5.3994 / 0.9 = 5.99933...: below the threshold, 6.00 after rounding
        (SPEC_5_4, "0.8990", "5.99"),  # 5.394 / 0.9 = 5.99333...
        (SPEC_5_4, "0.9000", "6.00"),  # at the threshold: full points
        (SPEC_5_4, "0.9500", "6.00"),  # above the threshold: capped
        (SPEC_5_4, "1.0000", "6.00"),
        (SPEC_5_4, "0.0000", "0.00"),
        # 3.3 with a made-up maximum of 4, threshold 50%
        (SPEC_3_3_FOUR, "0.6000", "4.00"),  # above the threshold
        (SPEC_3_3_FOUR, "0.5000", "4.00"),
        (SPEC_3_3_FOUR, "0.2500", "2.00"),  # 4 × 0.25 / 0.5
        (SPEC_3_3_FOUR, "0.3333", "2.67"),  # 1.3332 / 0.5 = 2.6664
        # 4.2 with a made-up maximum of 2, threshold 80%
        (SPEC_4_2_TWO, "0.7000", "1.75"),  # 1.4 / 0.8
        (SPEC_4_2_TWO, "0.8500", "2.00"),
    ],
)
def test_points(spec: IndexSpec, value: str, expected: str) -> None:
    result = points(spec, Decimal(value))
    assert result == Decimal(expected)
    assert str(result) == expected  # always 2 decimals


def test_points_round_half_up() -> None:
    one = IndexSpec("x.1", "test", Decimal(1), None, "percent")
    five = IndexSpec("x.2", "test", Decimal(5), None, "percent")
    assert points(one, Decimal("0.1250")) == Decimal("0.13")  # banker's: 0.12
    assert points(one, Decimal("0.1350")) == Decimal("0.14")
    assert points(five, Decimal("0.4050")) == Decimal("2.03")  # 2.025; banker's: 2.02
    assert points(five, Decimal("0.4049")) == Decimal("2.02")  # 2.0245


@pytest.mark.parametrize("index_id", list(INDICES))
def test_points_of_na_is_none(index_id: str) -> None:
    assert points(INDICES[index_id], None) is None


@pytest.mark.parametrize("index_id", ["2.2", "2.2h", "2.2d", "3.3", "3.6", "4.1", "4.2"])
def test_no_points_without_confirmed_maximum(index_id: str) -> None:
    assert points(INDICES[index_id], Decimal("0.9000")) is None


def test_a_duration_is_not_scored_as_a_rate() -> None:
    scored_days = dataclasses.replace(INDICES["2.2"], max_points=Decimal(2))
    with pytest.raises(ValueError, match="days"):
        points(scored_days, Decimal("4.69"))


# -- compute: the reference period ---------------------------------------------------------------


def test_compute_reference_period() -> None:
    result = compute(REFERENCE)
    assert list(result) == ["1.4", "2.1", "2.2", "2.2h", "2.2d", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "5.4"]
    assert result == {
        # 9 of the 10 received were acknowledged by the national portal
        "1.4": IndexValue("1.4", Decimal("0.9000"), None, 9, 10),
        # (4 early + 3 on time + 1 open within) / (4 + 3 + 1 late + 1 + 1 open overdue) = 8/10; 20 × 0.8
        "2.1": IndexValue("2.1", Decimal("0.8000"), Decimal("16.00"), 8, 10),
        # 37.5 / 8 = 4.6875 working days
        "2.2": IndexValue("2.2", Decimal("4.69"), None, Decimal("37.5"), 8),
        # 6 / 4 = 1.5 working hours; no calendar-day procedure resolved: N/A
        "2.2h": IndexValue("2.2h", Decimal("1.50"), None, Decimal(6), 4),
        "2.2d": IndexValue("2.2d", None, None, Decimal(0), 0),
        # 6 online of 10 received × 1.4's 9 / 10 synchronised = 54 / 100 (the online share, 60%,
        # is above the 50% threshold; the national formula multiplies it by the sync rate)
        "3.3": IndexValue("3.3", Decimal("0.5400"), None, 6, 10),
        # 3 / 4
        "3.6": IndexValue("3.6", Decimal("0.7500"), None, 3, 4),
        # 5 / 7 = 0.714285...
        "4.1": IndexValue("4.1", Decimal("0.7143"), None, 5, 7),
        # 7 / 10
        "4.2": IndexValue("4.2", Decimal("0.7000"), None, 7, 10),
        # 3 / 10 reused a stored paper; 1 / 10 took one from the national store
        "4.3": IndexValue("4.3", Decimal("0.3000"), None, 3, 10),
        "4.4": IndexValue("4.4", Decimal("0.1000"), None, 1, 10),
        # 1 − (1/8 late + 1/8 poor) = 6/8 = 0.75; 6 × 0.75 / 0.90 = 5
        "5.4": IndexValue("5.4", Decimal("0.7500"), Decimal("5.00"), 6, 8),
    }
    assert str(result["2.2"].rate) == "4.69"
    assert [i for i, value in result.items() if value.na] == ["2.2d"]


def test_compute_with_rounding() -> None:
    # 2.1: (2 + 0 + 0) / (2 + 0 + 1 + 0 + 0) = 2/3 -> 0.6667; 20 × 0.6667 = 13.334
    # 2.2: 10 days / 3 finished = 3.333... -> 3.33
    # 3.3: 1/32 × 32/32 synchronised = 0.03125 -> 0.0313 (half-up)
    result = compute(counts(early=2, on_time=0, late=1, finished=3, open_within=0, open_overdue=0,
                            working_days_total=Decimal(10), working_days_resolved=3, poor_or_complaint=0,
                            received=32, result_received=32, online=1, digitised=5, synced=32))
    assert result["2.1"] == IndexValue("2.1", Decimal("0.6667"), Decimal("13.33"), 2, 3)
    assert result["2.2"] == IndexValue("2.2", Decimal("3.33"), None, Decimal(10), 3)
    assert result["3.3"] == IndexValue("3.3", Decimal("0.0313"), None, 1, 32)
    # 4.2: 5/32 = 0.15625 -> 0.1563 (half-up)
    assert result["4.2"] == IndexValue("4.2", Decimal("0.1563"), None, 5, 32)
    # 5.4: 1 − 1/3 = 2/3 -> 0.6667; 6 × 0.6667 / 0.9 = 4.0002 / 0.9 = 4.4446... -> 4.44
    assert result["5.4"] == IndexValue("5.4", Decimal("0.6667"), Decimal("4.44"), 2, 3)


def test_compute_2_2_half_up_at_the_second_decimal() -> None:
    # 2.2: 9 / 8 = 1.125 -> 1.13 (banker's: 1.12)
    assert compute(counts(working_days_total=Decimal(9)))["2.2"].rate == Decimal("1.13")
    # an int total is accepted: 30 / 8 = 3.75
    assert compute(counts(working_days_total=30))["2.2"].rate == Decimal("3.75")


def test_compute_2_1_counts_open_dossiers() -> None:
    # only open dossiers: 3 within / (3 within + 1 overdue) = 0.75; 20 × 0.75 = 15
    value = compute(counts(early=0, on_time=0, late=0, finished=0, open_within=3, open_overdue=1))["2.1"]
    assert value == IndexValue("2.1", Decimal("0.7500"), Decimal("15.00"), 3, 4)
    # everything late or overdue: 0/5 -> 0 points, not N/A
    value = compute(counts(early=0, on_time=0, late=3, finished=3, open_within=0, open_overdue=2))["2.1"]
    assert value == IndexValue("2.1", Decimal("0.0000"), Decimal("0.00"), 0, 5)
    assert not value.na


def test_compute_full_rates() -> None:
    result = compute(counts(received=10, online=10, with_fee=4, paid_online=4, result_required=7, e_result=7,
                            result_received=10, digitised=10, late=0, open_overdue=0, finished=7, poor_or_complaint=0,
                            synced=10))
    # 2.1: (4 + 3 + 1) / (4 + 3 + 0 + 1 + 0) = 8/8
    assert result["2.1"] == IndexValue("2.1", Decimal("1.0000"), Decimal("20.00"), 8, 8)
    # 5.4: 1 − (0 + 0) over 7 finished
    assert result["5.4"] == IndexValue("5.4", Decimal("1.0000"), Decimal("6.00"), 7, 7)
    for index_id in ("3.3", "3.6", "4.1", "4.2"):
        assert result[index_id].rate == Decimal("1.0000")
        assert result[index_id].points is None  # unconfirmed maximum


# -- compute: 5.4 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("early", "on_time", "late", "poor", "expected"),
    [
        # (early, on time, late, poor) -> (rate, points, numerator, denominator)
        (15, 3, 2, 1, ("0.8500", "5.67", 17, 20)),  # 1 − (2/20 + 1/20) = 0.85; 5.1 / 0.9 = 5.666...
        (9, 0, 1, 0, ("0.9000", "6.00", 9, 10)),  # 1 − 1/10 = 0.90: exactly the threshold
        (18, 1, 1, 0, ("0.9500", "6.00", 19, 20)),  # 0.95 is above the threshold: capped at 6
        (2, 1, 1, 1, ("0.5000", "3.33", 2, 4)),  # 1 − (1/4 + 1/4) = 0.5; 3 / 0.9 = 3.333...
        (1, 1, 1, 1, ("0.3333", "2.22", 1, 3)),  # 1 − 2/3; 6 × 0.3333 / 0.9 = 2.222
        (2, 0, 2, 2, ("0.0000", "0.00", 0, 4)),  # 1 − (2/4 + 2/4) = 0
        (1, 0, 2, 2, ("0.0000", "0.00", 0, 3)),  # 1 − (2/3 + 2/3) = −1/3: clamped at 0
        (0, 0, 3, 3, ("0.0000", "0.00", 0, 3)),  # 1 − (1 + 1) = −1: clamped at 0
        (5, 0, 0, 9, ("0.0000", "0.00", 0, 5)),  # complaints counted past the finished: clamped
    ],
)
def test_compute_5_4(early: int, on_time: int, late: int, poor: int, expected: tuple) -> None:
    value_rate, value_points, numerator, denominator = expected
    assert satisfaction(early, on_time, late, poor) == IndexValue(
        "5.4", Decimal(value_rate), Decimal(value_points), numerator, denominator
    )


def test_compute_5_4_clamped_value_is_zero_not_na() -> None:
    value = satisfaction(0, 0, 3, 3)
    assert not value.na
    assert value.as_json() == {"rate": 0.0, "points": 0.0, "numerator": 0, "denominator": 3}


# -- compute: N/A ----------------------------------------------------------------------------------


def test_compute_all_zero_is_all_na() -> None:
    result = compute(ZERO)
    assert set(result) == set(INDICES)
    for index_id, value in result.items():
        assert value.id == index_id
        assert value.na
        assert value.rate is None
        assert value.points is None
        assert value.denominator == 0
        assert value.as_json() == {"rate": None, "points": None, "numerator": 0, "denominator": 0}


@pytest.mark.parametrize(
    ("changes", "na"),
    [
        # nothing handled at all: 2.1, and with it 2.2 and 5.4 (nothing finished)
        ({"early": 0, "on_time": 0, "late": 0, "finished": 0, "open_within": 0, "open_overdue": 0,
          "working_days_resolved": 0, "working_hours_resolved": 0, "poor_or_complaint": 0},
         {"2.1", "2.2", "2.2h", "2.2d", "5.4"}),
        # only open dossiers: 2.1 is 1/2, but nothing finished for 2.2 and 5.4
        ({"early": 0, "on_time": 0, "late": 0, "finished": 0, "working_days_resolved": 0, "working_hours_resolved": 0,
          "poor_or_complaint": 0}, {"2.2", "2.2h", "2.2d", "5.4"}),
        # nothing received in the period: 3.3, 4.2, 4.3 and 4.4
        ({"received": 0, "result_received": 0, "online": 0, "digitised": 0, "synced": 0},
         {"1.4", "2.2d", "3.3", "4.2", "4.3", "4.4"}),
        # no dossier with a fee: 3.6
        ({"with_fee": 0, "paid_online": 0}, {"2.2d", "3.6"}),
        # no procedure requiring a paper result: 4.1
        ({"result_required": 0, "e_result": 0}, {"2.2d", "4.1"}),
    ],
)
def test_compute_zero_denominator_is_na(changes: dict, na: set[str]) -> None:
    result = compute(counts(**changes))
    assert {index_id for index_id, value in result.items() if value.na} == na
    for index_id in na:
        assert result[index_id].rate is None
        assert result[index_id].points is None
        assert result[index_id].denominator == 0
    for index_id in set(INDICES) - na:
        assert result[index_id].rate is not None


def test_compute_only_open_dossiers_keeps_2_1() -> None:
    result = compute(counts(early=0, on_time=0, late=0, finished=0, working_days_resolved=0, poor_or_complaint=0))
    # (0 + 0 + 1 within) / (0 + 0 + 0 + 1 within + 1 overdue) = 1/2; 20 × 0.5
    assert result["2.1"] == IndexValue("2.1", Decimal("0.5000"), Decimal("10.00"), 1, 2)


def test_3_3_is_the_online_share_times_the_synchronisation_rate() -> None:
    """LEGAL.md §4: 3.3 = online / received × sync rate (1.4), rounded once from the product."""
    assert compute(counts(received=3, online=1, synced=2))["3.3"] == IndexValue("3.3", Decimal("0.2222"), None, 1, 3)
    # nothing acknowledged by the national portal (not connected): 0, as the national portal scores it
    assert compute(counts(received=10, online=6, synced=0))["3.3"].rate == Decimal("0.0000")
    # all acknowledged: the online share itself
    assert compute(counts(received=10, online=6, synced=10))["3.3"].rate == Decimal("0.6000")


def test_na_numerator_is_kept() -> None:
    # a numerator with a zero denominator (inconsistent SQL) still gives N/A, and is shown as is
    value = compute(counts(received=0))["3.3"]
    assert value.na
    assert value.as_json() == {"rate": None, "points": None, "numerator": 6, "denominator": 0}


# -- IndexValue --------------------------------------------------------------------------------


def test_as_json_shapes() -> None:
    result = compute(REFERENCE)
    assert result["2.1"].as_json() == {"rate": 0.8, "points": 16.0, "numerator": 8, "denominator": 10}
    assert result["2.2"].as_json() == {"rate": 4.69, "points": None, "numerator": 37.5, "denominator": 8}
    assert result["4.1"].as_json() == {"rate": 0.7143, "points": None, "numerator": 5, "denominator": 7}
    assert result["5.4"].as_json() == {"rate": 0.75, "points": 5.0, "numerator": 6, "denominator": 8}
    as_json = result["2.1"].as_json()
    assert type(as_json["rate"]) is float
    assert type(as_json["points"]) is float
    assert type(as_json["numerator"]) is int
    assert type(as_json["denominator"]) is int
    assert type(result["2.2"].as_json()["numerator"]) is float


def test_index_value_is_frozen() -> None:
    value = compute(REFERENCE)["2.1"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.rate = Decimal(1)  # type: ignore[misc]


# -- Counts ----------------------------------------------------------------------------------------


def test_counts_read_sql_null_as_zero() -> None:
    read = counts(late=None, poor_or_complaint=None, working_days_total=None)
    assert read.late == 0
    assert read.poor_or_complaint == 0
    assert read.working_days_total == Decimal(0)
    assert isinstance(read.working_days_total, Decimal)


def test_counts_finished_total() -> None:
    assert REFERENCE.finished_total == 8
    assert ZERO.finished_total == 0


def test_counts_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Counts(10, 8, 4, 3, 1, 1, 1, Decimal(0), 6, 4, 3, 7, 5, 7, 1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"received": -1}, ValueError),
        ({"late": -2}, ValueError),
        ({"working_days_total": Decimal("-0.5")}, ValueError),
        ({"online": 1.0}, TypeError),
        ({"online": True}, TypeError),
        ({"with_fee": Decimal(3)}, TypeError),
        ({"working_hours_total": 1.5}, TypeError),
        ({"calendar_days_total": "1.5"}, TypeError),
    ],
)
def test_counts_are_validated(changes: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        counts(**changes)


# -- 1.4: dossiers synchronised to the national portal (LEGAL.md §4) -----------------------------


def test_1_4_divides_the_synchronised_by_the_larger_count_of_dossiers_received() -> None:
    # 45 of the 50 received here acknowledged: 90%
    assert synchronisation(45, 50) == IndexValue("1.4", Decimal("0.9000"), None, 45, 50)
    # the national reporting system knows 60 received (dossiers reported by other systems):
    # the denominator is the larger count, not ours
    assert synchronisation(45, 50, received_nationally=60) == IndexValue("1.4", Decimal("0.7500"), None, 45, 60)
    # a smaller national count does not shrink it
    assert synchronisation(45, 50, received_nationally=40).denominator == 50
    # the denominator is what was received, never what was synchronised: 0 synchronised is 0%, not N/A
    assert synchronisation(0, 50).rate == Decimal("0.0000")
    assert synchronisation(0, 0).na and synchronisation(0, 0).points is None
