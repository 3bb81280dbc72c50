"""The administrators' audit log and scoped administration (issue 13): the foundation the
administration pages build on."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AdminAuditEntry
from app.models.audit import AppendOnly
from app.models.users import utcnow
from app.services import audit, permissions
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code


def test_the_province_administrator_administers_every_agency(make_user, app):
    admin = make_user("admin", DemoAgency.PROVINCE)
    assert permissions.province_admin(admin) and permissions.can(admin, "admin.province")
    for code in (DemoAgency.PROVINCE, DemoAgency.JUSTICE_DEPARTMENT, DemoAgency.TICH_SON_DESK):
        assert permissions.can(admin, "admin.agency", agency_by_code(code))


def test_an_agency_administrator_administers_theirs_and_those_below_only(make_user, app):
    city = make_user("admin", DemoAgency.VINH_YEN)
    assert not permissions.province_admin(city) and not permissions.can(city, "admin.province")
    assert permissions.administers(city, agency_by_code(DemoAgency.VINH_YEN))
    assert permissions.administers(city, agency_by_code(DemoAgency.TICH_SON_DESK))     # a ward of the city
    assert not permissions.administers(city, agency_by_code(DemoAgency.BINH_XUYEN))    # another district
    assert not permissions.administers(city, agency_by_code(DemoAgency.PROVINCE))      # above it
    assert not permissions.can(city, "admin.agency", None)
    desk = make_user("reception", DemoAgency.VINH_YEN)                                  # staff, not admin
    assert not permissions.administers(desk, agency_by_code(DemoAgency.TICH_SON_DESK))


def test_an_entry_is_recorded_with_the_change_and_is_append_only(make_user, app):
    admin = make_user("admin", DemoAgency.PROVINCE)
    entry = audit.record(admin, "user.deactivate", "user", 42, before={"active": True}, after={"active": False},
                         agency=agency_by_code(DemoAgency.TICH_SON_DESK))
    db.session.commit()
    assert (entry.actor_name, entry.target_id, entry.before, entry.after) == (
        admin.full_name, "42", {"active": True}, {"active": False})
    entry.after = {"active": True}
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AdminAuditEntry, entry.id))
    with pytest.raises(AppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AdminAuditEntry, entry.id).after == {"active": False}


def test_the_log_is_read_newest_first_and_filtered(make_user, app):
    one, two = make_user("admin", DemoAgency.PROVINCE), make_user("admin", DemoAgency.VINH_YEN)
    desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    audit.record(one, "agency.rename", "agency", desk.id, before={"name": "A"}, after={"name": "B"}, agency=desk)
    audit.record(two, "user.invite", "user", 7, after={"email": "x@motcua.example"}, agency=desk)
    audit.record(one, "user.deactivate", "user", 7)
    db.session.commit()

    def actions(**where) -> list[str]:
        return [e.action for e in audit.entries(audit.AuditFilter(**where)).items]

    assert actions() == ["user.deactivate", "user.invite", "agency.rename"]
    assert actions(actor_id=one.id) == ["user.deactivate", "agency.rename"]
    assert actions(action="user.") == ["user.deactivate", "user.invite"]
    assert actions(action="user.invite") == ["user.invite"]
    assert actions(target_type="user", target_id="7") == ["user.deactivate", "user.invite"]
    assert actions(agency_id=desk.id) == ["user.invite", "agency.rename"]
    assert actions(start=utcnow() + timedelta(minutes=1)) == []
    assert actions(end=utcnow() + timedelta(minutes=1)) == ["user.deactivate", "user.invite", "agency.rename"]
    assert audit.entries(audit.AuditFilter(), page=2, per_page=2).items[0].action == "agency.rename"
