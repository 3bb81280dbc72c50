"""Versions of reference data (issue 15, services/versions.py): every change to the units,
agencies or calendar made through the session gives their data a new version in the change's
transaction; what a process built from the data is reused while the version holds."""
from datetime import date

from sqlalchemy import event, select, update

from app.extensions import db
from app.models import Agency
from app.services import calendar as calendar_service
from app.services import versions
from app.services.demo import DemoAgency


def statements(run) -> list[str]:
    seen = []

    def record(conn, cursor, sql, *rest):
        seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def test_the_calendar_is_built_once_per_version_and_a_change_shows_at_once(make_user):
    admin = make_user("admin", DemoAgency.PROVINCE)
    day = date(2027, 3, 3)   # a Wednesday
    first = calendar_service.work_calendar()
    assert first.is_working_day(day)
    again = []
    read = statements(lambda: again.append(calendar_service.work_calendar()))
    assert again[0] is first and not [sql for sql in read if "calendar_day" in sql or "calendar_swap" in sql]
    before = versions.number("calendar")
    calendar_service.add_override(admin, day, "day_off", "Nghỉ bù")
    assert versions.number("calendar") != before
    assert not calendar_service.work_calendar().is_working_day(day)


def test_a_rolled_back_change_leaves_the_version_and_a_statement_renews_it():
    before, calendar = versions.number("structure"), versions.number("calendar")
    agency = db.session.scalar(select(Agency).where(Agency.code == DemoAgency.TICH_SON))
    agency.name = agency.name + " (thử)"
    db.session.flush()
    assert versions.number("structure") != before      # in the change's own transaction
    db.session.rollback()
    assert versions.number("structure") == before
    # (the same name written again: the agencies are reference data, kept between tests)
    db.session.execute(update(Agency).where(Agency.id == agency.id).values(name=Agency.name))
    db.session.commit()
    assert versions.number("structure") != before
    assert versions.number("calendar") == calendar   # another kind's version untouched
