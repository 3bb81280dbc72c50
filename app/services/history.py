"""`flask seed-demo --history N`: N realistic past dossiers over the last 12 months, made
through the real use cases with the clock passed in (so every date, code, hand-off, form and
statistic is what the portal itself would have produced). Only procedures whose every step
has a demo official are used; the demo accounts act."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cache
from io import BytesIO
from types import SimpleNamespace

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app.domain.deadlines import add_working_minutes
from app.domain.vocabulary import RatingValue
from app.extensions import db
from app.models import Membership, User
from app.models.users import utcnow
from app.services import catalogue, dossiers, processing, ratings
from app.services.calendar import work_calendar
from app.services.dossiers import Applicant, DraftInput
from app.services.transitions import DossierError

SAMPLE = {"text": "Nội dung kê khai", "textarea": "Nội dung kê khai chi tiết", "date": "2025-06-01", "number": "100",
          "checkbox": True, "id_number": "026090001234", "phone": "0912345678", "email": "congdan@motcua.example"}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hà", "Khánh", "Lan", "Nam", "Phương", "Quân", "Thảo"]


@cache
def _scan() -> bytes:
    """A blank one-page PDF standing in for a scanned paper (the store parses what it accepts).
    pikepdf is imported here: this module is loaded with the `flask` commands, in every process."""
    import pikepdf

    buffer, pdf = BytesIO(), pikepdf.new()
    pdf.add_blank_page()
    pdf.save(buffer)
    return buffer.getvalue()


def _holder(agency_id: int, role: str) -> User | None:
    return db.session.scalar(select(User).join(Membership).where(Membership.agency_id == agency_id,
                                                                 Membership.role == role)
                             .order_by(User.id))


def _input(spec: dict, rng: random.Random, online: bool) -> DraftInput:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    form = {f["key"]: f["choices"][0]["value"] if f["type"] == "select" else SAMPLE[f["type"]]
            for f in spec["form"] if f["required"]}
    return DraftInput(
        applicant=Applicant(name, f"026{rng.randint(10**8, 10**9 - 1)}", "Phường Tích Sơn, thành phố Vĩnh Yên",
                            f"09{rng.randint(10**7, 10**8 - 1)}", "congdan@motcua.example"),
        form_data=form, delivery="online" if online and spec["online"] == "full" else "counter",
        uploads={d["key"]: [FileStorage(BytesIO(_scan()), "ban-scan.pdf")] for d in spec["documents"] if d["required"]},
    )


def _candidates() -> list[tuple]:
    """(version, desk) pairs whose every step has a demo official."""
    out = []
    for row in catalogue.search(catalogue.CatalogueFilter(), 1, 1000).items:
        full = catalogue.current_version(row.code)
        for desk in dossiers.receiving_desks(full):
            if _holder(desk.id, "reception") is None:
                continue
            where = SimpleNamespace(procedure_version=full, receiving_agency=desk)  # what step_agency reads
            try:
                agencies = [processing.step_agency(where, i) for i in range(len(full.spec["process"]))]
            except DossierError:
                continue
            if all(_holder(a.id, step["role"]) for a, step in zip(agencies, full.spec["process"], strict=True)):
                out.append((full, desk))
    return out


def generate(count: int, seed: int = 766, now: datetime | None = None) -> int:
    """Make `count` dossiers; returns how many were made. Some are late, some supplemented,
    some still open, some rated."""
    now = now or utcnow()
    rng = random.Random(seed)
    citizen = db.session.scalar(select(User).where(User.email == "congdan@motcua.example"))
    pairs = _candidates()
    if not pairs or citizen is None:
        return 0
    calendar = work_calendar()
    made = 0
    for _ in range(count):
        version, desk = rng.choice(pairs)
        desk_staff = _holder(desk.id, "reception")
        t = now - timedelta(days=rng.uniform(2, 365))
        t = t.replace(hour=rng.randint(1, 9), minute=rng.randint(0, 59))  # 08:00–16:59 in Vietnam
        online = version.online != "none" and rng.random() < 0.6
        data = _input(version.spec, rng, online)
        if online:
            dossier = dossiers.submit_new(citizen, version, desk.code, data, now=t)
            # The desk accepts during its office hours.
            t = add_working_minutes(t + timedelta(hours=rng.uniform(0.5, 20)), 0, calendar)
            if t > now:
                made += 1
                continue
            dossiers.accept(dossier, desk_staff, now=t)
        else:
            dossier = dossiers.counter_intake(desk_staff, version, desk.code, rng.choice([1, 1, 1, 3]), data, now=t)
        made += 1
        late = rng.random() < 0.12
        supplement = rng.random() < 0.08
        while dossier.current_step is not None:
            task = dossier.current_step
            actor = _holder(task.agency_id, task.role)
            span = (task.due_at - task.given_at) * rng.uniform(0.2, 0.9)
            if late:
                span = (task.due_at - task.given_at) + timedelta(days=rng.uniform(1, 4))
            t = max(t, task.given_at) + span
            if t > now:
                break
            if supplement and dossier.owner and task.role == "specialist" and dossier.processing_supplements == 0:
                processing.request_supplement(dossier, actor, ["Bản chính giấy tờ đã nộp bản chụp"],
                                              "Bản chụp không rõ", now=t)
                t += timedelta(days=rng.uniform(1, 5))
                if t > now:
                    break
                dossiers.resubmit(dossier, dossier.owner, now=t)
                continue
            if processing.is_decision_step(dossier, task.position) and dossier.status != "resolved":
                outcome = "approved" if rng.random() < 0.95 else "denied"
                processing.resolve(dossier, actor, outcome, "" if outcome == "approved" else "Không đủ điều kiện",
                                   now=t)
            elif processing.is_return_step(dossier, task.position):
                processing.return_result(dossier, actor,
                                         "online" if dossier.delivery == "online" and dossier.has_e_result
                                         else "counter", now=t)  # online only once signed
            else:
                processing.complete_step(dossier, actor, now=t)
        if dossier.status == "returned" and dossier.owner and rng.random() < 0.6:
            value = rng.choices([v.value for v in RatingValue], weights=[7, 2, 1])[0]
            ratings.rate(dossier, dossier.owner, value,
                         now=t + timedelta(hours=2) if t + timedelta(hours=2) < now else now)
    return made
