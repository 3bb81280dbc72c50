"""Decision 766/QĐ-TTg service indices: the arithmetic, from counts.

Pure Python on purpose: no Flask, no database. The statistics layer counts
dossiers in SQL for one scope (agency, level, field) and one period and hands
the numbers over as a ``Counts``; this module only divides, rounds and scores,
so every formula can be checked by hand in a unit test.

Sources
    LEGAL.md section 4 (the QĐ 766 index set, 100 points) and DESIGN.md
    section 5 (the indices this portal computes), which follow the national
    portal's "Mô tả công thức tính chỉ số 766.docx" (found transcribed as
    ``formula-document.js`` in public code). Index names below are that
    document's titles, shortened where the title covers more than we compute
    (3.3 covers every submission channel; we compute the online share).

What is confirmed ([V]) and what is not ([?])
    - Group maxima 18 / 20 / 22 / 22 / 18 = 100 points [V] (``GROUP_POINTS``).
    - Index 2.1 is worth 20 points and 5.4 is worth 6 points [V].
    - Thresholds: 3.3 full points from 50%, 4.2 from 80%, 5.4 from 90% [V].
    - Every other index's points are unconfirmed [?]: ``max_points`` is
      ``None`` and so are its ``points``; the rate is still computed.
      2.2 (a duration) has no points of its own.

Rules shared by every index
    - A rate whose denominator is 0 is N/A (``None``), never 0 or 100%
      (DESIGN.md 5).
    - A rate is a fraction 0..1 rounded half-up to 4 decimals, i.e. a percent
      with 2 decimals as the formula document asks ("Làm tròn: 2 chữ số thập
      phân"); a 2.2 average is in its procedures' unit, rounded half-up to 2
      decimals.
    - Scoring with a threshold: ``points = max × min(1, rate / threshold)``
      (LEGAL.md 4; the document's "Đạt từ X% trở lên sẽ đạt điểm tối đa. Dưới
      X% tính theo công thức: Tỷ lệ × Điểm tối đa / X%"); without a threshold
      the points are proportional to the rate. Points are rounded half-up to
      2 decimals and computed from the rounded rate, so the points always
      agree with the percent on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "ALL_INDICES",
    "FEEDBACK_INDICES",
    "GROUP_LABELS",
    "GROUP_POINTS",
    "INDICES",
    "Counts",
    "IndexSpec",
    "IndexValue",
    "compute",
    "label",
    "points",
    "rate",
    "online_dossiers",
    "synchronisation",
]

_RATE_PLACES = Decimal("0.0001")  # 0..1 with 4 decimals = a percent with 2 decimals
_DAYS_PLACES = Decimal("0.01")  # 2.2: working days with 2 decimals
_POINTS_PLACES = Decimal("0.01")
_ONE = Decimal(1)
_ZERO = Decimal(0)

# A rate, or a 2.2 average in the unit of the procedures it averages (their DonViTinh).
DURATION_UNITS = ("working_days", "working_hours", "calendar_days")
_UNITS = ("percent", *DURATION_UNITS)


# --------------------------------------------------------------------------
# The index set
# --------------------------------------------------------------------------

# Group number (the first part of an index id) -> maximum points. LEGAL.md 4 [V]
# (sonoivu.namdinh.gov.vn). Display only: the sum of the indices we compute is
# not a group's score, most per-index points being unconfirmed.
GROUP_POINTS: dict[str, Decimal] = {
    "1": Decimal(18),
    "2": Decimal(20),
    "3": Decimal(22),
    "4": Decimal(22),
    "5": Decimal(18),
}

# Group names as in the formula document ("1. Nhóm chỉ số về công khai, minh bạch", ...).
GROUP_LABELS: dict[str, str] = {
    "1": "Công khai, minh bạch",
    "2": "Tiến độ, kết quả giải quyết",
    "3": "Cung cấp dịch vụ trực tuyến",
    "4": "Số hóa hồ sơ",
    "5": "Mức độ hài lòng",
}


@dataclass(frozen=True)
class IndexSpec:
    """One Decision 766 index: identity, display name and scoring rule.

    ``max_points`` is ``None`` where LEGAL.md does not confirm the points [?];
    ``threshold`` is the rate (0..1) from which full points are earned, or
    ``None`` for points proportional to the rate (full points at 100%);
    ``unit`` is ``"percent"`` (a rate 0..1) or ``"days"`` (2.2).
    """

    id: str
    name: str
    max_points: Decimal | None
    threshold: Decimal | None
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in _UNITS:
            raise ValueError(f"index {self.id}: unit must be one of {_UNITS}, got {self.unit!r}")
        if self.max_points is not None and self.max_points < 0:
            raise ValueError(f"index {self.id}: max_points must not be negative, got {self.max_points}")
        if self.threshold is not None and not _ZERO < self.threshold <= _ONE:
            raise ValueError(f"index {self.id}: threshold must be in (0, 1], got {self.threshold}")


INDICES: dict[str, IndexSpec] = {
    spec.id: spec
    for spec in (
        # 1.4: points [?], no threshold in LEGAL.md; the title is LEGAL.md §4's, in Vietnamese.
        IndexSpec("1.4", "Tỷ lệ hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", None, None, "percent"),
        # 2.1: 20 points [V]; proportional, no threshold in the formula document.
        IndexSpec("2.1", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", Decimal(20), None, "percent"),
        # 2.2: a duration, not scored; the formula averages ThoiGianGiaiQuyet "in the
        # procedure's DonViTinh", so procedures counted in different units are never mixed:
        # one average per unit (2.2 working days, most procedures; 2.2h; 2.2d).
        IndexSpec("2.2", "Thời gian giải quyết TTHC trung bình (thủ tục tính theo ngày làm việc)", None, None,
                  "working_days"),
        IndexSpec("2.2h", "Thời gian giải quyết TTHC trung bình (thủ tục tính theo giờ làm việc)", None, None,
                  "working_hours"),
        IndexSpec("2.2d", "Thời gian giải quyết TTHC trung bình (thủ tục tính theo ngày)", None, None,
                  "calendar_days"),
        # 3.3: threshold 50% [V]; points [?].
        IndexSpec("3.3", "Tỷ lệ hồ sơ nộp trực tuyến", None, Decimal("0.50"), "percent"),
        # 3.6: points [?]; the document gives no threshold.
        IndexSpec("3.6", "Tỷ lệ hồ sơ thanh toán trực tuyến", None, None, "percent"),
        # 4.1: points [?]; the document gives no threshold.
        IndexSpec("4.1", "Tỷ lệ hồ sơ có cấp kết quả giải quyết TTHC điện tử", None, None, "percent"),
        # 4.2: threshold 80% [V]; points [?].
        IndexSpec("4.2", "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ", None, Decimal("0.80"), "percent"),
        # 4.3: threshold 80% [V]; points [?]. 4.4: points [?], no threshold in LEGAL.md.
        IndexSpec("4.3", "Tỷ lệ hồ sơ tái sử dụng dữ liệu đã số hóa", None, Decimal("0.80"), "percent"),
        IndexSpec("4.4", "Tỷ lệ hồ sơ kết nối kho dữ liệu của công dân", None, None, "percent"),
        # 5.4: 6 points [V], threshold 90% [V].
        IndexSpec("5.4", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", Decimal(6), Decimal("0.90"), "percent"),
    )
}

# Indices of feedback (phản ánh, kiến nghị), computed from feedback rows by domain/feedback.py:
# 5.1, the share of each category, not scored [?]; 5.2 and 5.3, points [?], no threshold in LEGAL.md.
FEEDBACK_INDICES: dict[str, IndexSpec] = {
    spec.id: spec
    for spec in (
        IndexSpec("5.1.regulation", "Tỷ lệ phản ánh, kiến nghị về quy định hành chính, chính sách", None, None,
                  "percent"),
        IndexSpec("5.1.procedure", "Tỷ lệ phản ánh, kiến nghị về thủ tục hành chính, giải quyết hồ sơ", None, None,
                  "percent"),
        IndexSpec("5.1.conduct", "Tỷ lệ phản ánh, kiến nghị về hành vi, thái độ của cán bộ, công chức", None, None,
                  "percent"),
        IndexSpec("5.2", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", None, None, "percent"),
        IndexSpec("5.3", "Tỷ lệ hài lòng trong tiếp nhận, xử lý phản ánh, kiến nghị", None, None, "percent"),
    )
}
# Every index the portal shows, for names and units (the pages, the API, the PDF report).
ALL_INDICES: dict[str, IndexSpec] = INDICES | FEEDBACK_INDICES


def label(index_id: str) -> str:
    """Vietnamese name of an index, e.g. ``label("2.1")``; ``KeyError`` if unknown."""
    try:
        return INDICES[index_id].name
    except KeyError:
        raise KeyError(f"unknown Decision 766 index {index_id!r}; known: {', '.join(INDICES)}") from None


# --------------------------------------------------------------------------
# Rates and points
# --------------------------------------------------------------------------


def _amount(value: object, what: str) -> Decimal:
    """A non-negative int or Decimal as a Decimal (bool and float refused)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"{what} must be an int or a Decimal, got {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
    return amount


def _quotient(numerator: int | Decimal, denominator: int | Decimal, places: Decimal) -> Decimal | None:
    top = _amount(numerator, "numerator")
    bottom = _amount(denominator, "denominator")
    if bottom == 0:
        return None
    return (top / bottom).quantize(places, rounding=ROUND_HALF_UP)


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to 4 decimals; ``None`` (N/A) if the denominator is 0.

    DESIGN.md 5: "a rate with a zero denominator is N/A, not 0 or 100". Four
    decimals of a fraction are the two decimals of a percent that the formula
    document asks for (``rate(1, 32) == Decimal("0.0313")``: 3.13%, where
    banker's rounding would give 3.12%). Both arguments must be ints or
    Decimals >= 0. A numerator larger than the denominator is not refused here
    (the result is then above 1); ``points`` caps the score at the maximum.
    """
    return _quotient(numerator, denominator, _RATE_PLACES)


def points(spec: IndexSpec, value: Decimal | None) -> Decimal | None:
    """Points earned by ``value`` under ``spec``, rounded half-up to 2 decimals.

    LEGAL.md 4: ``max × min(1, rate / threshold)``; without a threshold,
    ``max × min(1, rate)`` (proportional, full points at 100%). ``None`` when
    the value is N/A or the index has no confirmed ``max_points`` [?]. The
    product is taken before the division (``max × rate / threshold``) so that
    exact cases stay exact (6 × 0.75 / 0.90 = 5.00, not 4.99...98).
    """
    if value is None or spec.max_points is None:
        return None
    if spec.unit != "percent":
        raise ValueError(f"index {spec.id} is measured in {spec.unit}, not scored as a rate")
    threshold = spec.threshold if spec.threshold is not None else _ONE
    earned = spec.max_points if value >= threshold else spec.max_points * max(value, _ZERO) / threshold
    return earned.quantize(_POINTS_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class IndexValue:
    """The value of one index for one scope and period.

    ``rate`` is a fraction 0..1 with 4 decimals (show it as a percent with 2
    decimals) or, for 2.2, the average in working days with 2 decimals;
    ``None`` means N/A (zero denominator). ``points`` is ``None`` when N/A or
    when the index has no confirmed maximum. ``numerator`` and
    ``denominator`` are the counts the rate came from (for 2.2: total working
    days over finished dossiers).
    """

    id: str
    rate: Decimal | None
    points: Decimal | None
    numerator: Decimal | int
    denominator: Decimal | int

    @property
    def na(self) -> bool:
        """True when the index is not applicable (nothing to divide by)."""
        return self.rate is None

    def as_json(self) -> dict:
        """``{"rate": float|None, "points": float|None, "numerator": ..., "denominator": ...}``.

        Decimals become floats (JSON has no decimal type); int counts stay ints.
        """
        return {
            "rate": _json_number(self.rate),
            "points": _json_number(self.points),
            "numerator": _json_number(self.numerator),
            "denominator": _json_number(self.denominator),
        }


def _json_number(value: Decimal | int | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return float(value)


# --------------------------------------------------------------------------
# Counts -> indices
# --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Counts:
    """What the SQL side provides for one scope and one period (keyword-only).

    Receipt-based counts (dossiers accepted, ``NgayTiepNhan`` in the period):
        ``received``; ``online`` (3.3): those received with ``KenhThucHien = 2``
        and, where the procedure requires a result document and the dossier's
        result is decided, a signed electronic result; ``with_fee`` /
        ``paid_online`` (3.6); ``result_received`` (4.2's denominator): those of
        procedures requiring a result document; ``digitised``: those of them
        whose inputs have files and, once the result is decided, a signed
        electronic result.
    Processing-based counts (dossiers received or processed in the period,
    index 2.1, LEGAL.md 4 "Details for 2.1"; domain/timeline.py):
        ``early`` / ``on_time`` / ``late``: those that ended (resolved, result
        returned, stopped, or waiting for a supplement the applicant has not
        sent), by their stamped verdict; ``finished``: their sum;
        ``open_within`` / ``open_overdue``: still open at the end of the period.
        ``<unit>_total`` / ``<unit>_resolved`` (2.2, unit one of
        ``DURATION_UNITS``): the processing time, in that unit, of the dossiers
        RESOLVED in the period (stopped ones excluded) of procedures counted in
        that unit, and how many they are.
        ``result_required`` (4.1's denominator): those approved in the period,
        of procedures requiring a result document; ``e_result``: those of them
        with a signed electronic result. Our reading of "dossiers of procedures
        requiring a paper result" (LEGAL.md §4): only an approved dossier has a
        result to issue; a denied or open one has none to count as missing.
    Synchronisation (1.4):
        ``synced``: those received in the period that the national portal
        acknowledged with that very receipt time (NgayTiepNhan).
    Satisfaction:
        ``poor_or_complaint``: finished dossiers rated "not satisfied" or with
        a complaint.

    Counts are ints >= 0 and the ``<unit>_total`` durations Decimals >= 0 (an
    int is accepted). ``None`` is read as 0, because an SQL ``SUM`` over no rows
    is NULL. Consistency between counts (e.g. ``online <= received``) is the SQL
    side's business; ``points`` never exceeds the maximum either way.
    """

    received: int
    finished: int
    early: int
    on_time: int
    late: int
    open_within: int
    open_overdue: int
    working_days_total: Decimal = Decimal(0)
    working_days_resolved: int = 0
    working_hours_total: Decimal = Decimal(0)
    working_hours_resolved: int = 0
    calendar_days_total: Decimal = Decimal(0)
    calendar_days_resolved: int = 0
    online: int
    with_fee: int
    paid_online: int
    result_required: int
    e_result: int
    result_received: int = 0
    digitised: int
    poor_or_complaint: int
    reused: int = 0
    national_store: int = 0
    synced: int = 0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_total"):
                value = _amount(0 if value is None else value, field.name)
            else:
                if value is None:
                    value = 0
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{field.name} must be an int, got {value!r}")
                if value < 0:
                    raise ValueError(f"{field.name} must not be negative, got {value!r}")
            object.__setattr__(self, field.name, value)

    @property
    def finished_total(self) -> int:
        """Finished dossiers classified by deadline: ``early + on_time + late``."""
        return self.early + self.on_time + self.late


def synchronisation(synced: int, received: int, received_nationally: int | None = None) -> IndexValue:
    """Index 1.4, dossiers synchronised to the National Public Service Portal (Decision
    766/QĐ-TTg, group 1 "Công khai, minh bạch"; LEGAL.md §4 after the national formula
    document): dossiers synchronised with ``NgayTiepNhan`` in the period / max(dossiers
    received in the national reporting system, dossiers received on the portal).

    - Both sides count by the RECEIPT time (NgayTiepNhan) in the period: a dossier received in
      March and acknowledged by the national portal in April counts in March, and not in April;
      one never received (refused at intake, an online submission not received yet) counts in
      neither.
    - Synchronised means acknowledged by the national portal, not queued or sent: a record
      waiting for a retry, or given up, does not count.
    - The denominator is the larger of the two receipt counts, never the synchronised count or
      the records sent: a dossier never synchronised still counts in it.
      ``received_nationally`` is the national reporting system's own count, which this portal
      cannot read (``None``: only the portal's count is known, and is used).
    Points [?]: none confirmed.
    """
    denominator = max(received, received_nationally or 0)
    return _rate_index("1.4", synced, denominator)


def online_dossiers(online: int, received: int, synchronised: IndexValue) -> IndexValue:
    """Index 3.3 (Decision 766, group 4; LEGAL.md §4, the national formula document): dossiers
    received online (``KenhThucHien = 2``; with their electronic result where the procedure
    requires one, LEGAL.md §8 — ``online`` is counted so) / dossiers received, **× the
    synchronisation rate** (index 1.4): what the national portal does not receive it cannot
    count. A province not connected to it (nothing acknowledged) scores 0, as the national
    portal would score it. The numerator and denominator kept are the online share's (online of
    received): the dashboard shows them beside the 1.4 they are multiplied by. The product is
    computed exactly, (online × synced) / (received × 1.4's denominator), and rounded once.
    Full points from 50% [V]; points [?]."""
    value = None if received == 0 or synchronised.rate is None else _quotient(
        online * synchronised.numerator, received * synchronised.denominator, _RATE_PLACES)
    return IndexValue("3.3", value, points(INDICES["3.3"], value), online, received)


def _rate_index(index_id: str, numerator: int, denominator: int) -> IndexValue:
    value = rate(numerator, denominator)
    return IndexValue(index_id, value, points(INDICES[index_id], value), numerator, denominator)


def compute(counts: Counts) -> dict[str, IndexValue]:
    """All indices of ``INDICES`` for one scope and period, keyed by id.

    Formulas (LEGAL.md 4, DESIGN.md 5, "Mô tả công thức tính chỉ số 766"):

    - 1.4 synchronised = synced / received (``synchronisation``: the national
      reporting system's own receipt count is not known here). Points [?].
    - 2.1 on time or early = (early + on_time + open_within) /
      (early + on_time + late + open_within + open_overdue): "số hồ sơ đã và
      đang xử lý đúng hạn hoặc trong hạn / tổng số hồ sơ được tiếp nhận, xử lý
      trong kỳ". 20 points [V], proportional.
    - 2.2 average processing time = <unit>_total / <unit>_resolved, one
      average per unit of the procedures' time (2.2 working days, 2.2h
      working hours, 2.2d calendar days), 2 decimals: the formula divides
      ThoiGianGiaiQuyet by the dossiers resolved "in the procedure's
      DonViTinh", and an hour and a day do not add up. Stopped dossiers are
      not resolved and not counted. Not scored; N/A when none resolved.
    - 3.3 online dossiers = online / received × the synchronisation rate
      (1.4), as LEGAL.md §4 gives the national formula: "(KenhThucHien=2 and
      e-result issued when a paper result is required) / received × sync
      rate" (``online_dossiers``). Rounded once, from the exact product.
      Full points from 50% [V]; points [?].
    - 3.6 online payment = paid_online / with_fee. Points [?].
    - 4.1 electronic results = e_result / result_required. Points [?].
    - 4.2 digitisation = digitised / result_received: the denominator is
      the dossiers of procedures requiring a result document (issue 10;
      LEGAL.md 8). Full points from 80% [V]; points [?].
    - 4.3 reuse of digitised data = reused / received: dossiers received with at
      least one component taken from the applicant's store (DuocTaiSuDung). Full
      points from 80% [V]; points [?].
    - 4.4 linked to the citizen's store = national_store / received: dossiers with
      a component taken from the national store (DuocLayTuKhoDMQG). The formula
      also counts results pushed to the national store; the portal keeps results
      in its own store (Decree 45/2020 Art. 16) and pushes nothing to the national
      one yet, so that term is 0 — stated, not guessed. Points [?].
    - 5.4 satisfaction = 100% − (late / finished + poor_or_complaint /
      finished), finished = early + on_time + late. Our reading of the formula's
      "late rate": of the dossiers finished (an open overdue one is not yet late
      in the national record's end time); the second term counts the finished
      dossiers rated "not satisfied" or with a feedback (phản ánh, kiến nghị)
      about them (Dossier.has_complaint, issue 17). Clamped at 0 (a late
      dossier that also drew a complaint is counted in both terms, so the sum
      can pass 100%). Computed exactly as (finished − late − poor_or_complaint)
      / finished and rounded once. 6 points [V], full from 90% [V]; N/A when
      nothing finished.
    """
    finished = counts.finished_total
    in_time = counts.early + counts.on_time + counts.open_within
    handled = finished + counts.open_within + counts.open_overdue
    satisfied = max(0, finished - counts.late - counts.poor_or_complaint)

    durations = []
    for spec in INDICES.values():
        if spec.unit in DURATION_UNITS:
            total, resolved = getattr(counts, f"{spec.unit}_total"), getattr(counts, f"{spec.unit}_resolved")
            durations.append(IndexValue(spec.id, _quotient(total, resolved, _DAYS_PLACES), None, total, resolved))
    synchronised = synchronisation(counts.synced, counts.received)
    values = [
        synchronised,
        _rate_index("2.1", in_time, handled),
        *durations,
        online_dossiers(counts.online, counts.received, synchronised),
        _rate_index("3.6", counts.paid_online, counts.with_fee),
        _rate_index("4.1", counts.e_result, counts.result_required),
        _rate_index("4.2", counts.digitised, counts.result_received),
        _rate_index("4.3", counts.reused, counts.received),
        _rate_index("4.4", counts.national_store, counts.received),
        _rate_index("5.4", satisfied, finished),
    ]
    return {value.id: value for value in values}
