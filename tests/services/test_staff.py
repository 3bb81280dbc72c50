"""Staff administration (issue 13): invitation with a one-time set-password link, roles per
agency, lock and unlock, reset, search; each change checked and written to the audit log."""
from __future__ import annotations

import re

import pytest
from itsdangerous import TimestampSigner

from app.extensions import db
from app.models import AdminAuditEntry, OutboxMessage, User
from app.services import accounts, audit, login_sessions, staff, tokens
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code


def grants(*pairs):
    return staff.grants_by_code(pairs)


def link_token(message: OutboxMessage) -> str:
    return re.search(r"/dat-mat-khau/(\S+)", message.body).group(1)


@pytest.fixture
def province(make_user):
    return make_user("admin", DemoAgency.PROVINCE)


@pytest.fixture
def city(make_user):
    return make_user("admin", DemoAgency.VINH_YEN)


def invite(actor, email="moi@motcua.example", *pairs):
    return staff.invite(actor, email=email, full_name="Cán bộ Mới",
                        grants=grants(*(pairs or [(DemoAgency.TICH_SON_DESK, "reception")])))


def test_an_invitation_creates_an_account_without_a_usable_password_and_mails_the_link(province, app):
    user = invite(province, " Moi@MotCua.Example ")
    assert user.email == "moi@motcua.example" and user.active
    assert [(m.agency.code, m.role) for m in user.memberships] == [(DemoAgency.TICH_SON_DESK, "reception")]
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.recipient == user.email and "72 giờ" in message.body and message.dossier_id is None
    assert accounts.authenticate(user.email, "") is None
    entry = db.session.scalars(db.select(AdminAuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.target_id, entry.agency.code) == (
        "user.invite", province.id, str(user.id), DemoAgency.TICH_SON_DESK)
    assert entry.after["memberships"] == [f"reception@{DemoAgency.TICH_SON_DESK}"]

    user = staff.set_password(link_token(message), "mot-mat-khau-moi-dai")
    assert accounts.authenticate("moi@motcua.example", "mot-mat-khau-moi-dai") == user
    taken_up = AdminAuditEntry.query.filter_by(action="user.password_set").one()
    assert (taken_up.actor_id, taken_up.before, taken_up.after) == (user.id, None, None)  # never the hash
    with pytest.raises(tokens.LinkError) as used:  # one-time: the link carried the old hash's digest
        staff.set_password(link_token(message), "mat-khau-khac-nua")
    assert used.value.status == 404 and "đã được dùng" in used.value.message


def at(monkeypatch, seconds: int) -> None:
    """The signer's clock (itsdangerous stamps and checks links with it) set to `seconds`."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: seconds)


def test_the_link_expires_after_72_hours_and_a_forged_one_is_refused(province, app, monkeypatch):
    sent = 1_800_000_000
    at(monkeypatch, sent)
    invite(province)
    token = link_token(db.session.scalars(db.select(OutboxMessage)).one())
    at(monkeypatch, sent + 72 * 3600)
    assert staff.user_for_link(token).email == "moi@motcua.example"
    at(monkeypatch, sent + 72 * 3600 + 1)
    with pytest.raises(tokens.LinkError) as expired:
        staff.user_for_link(token)
    assert expired.value.status == 410 and "hết hạn" in expired.value.message
    with pytest.raises(tokens.LinkError) as forged:
        staff.user_for_link(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert forged.value.status == 404


def test_the_same_address_cannot_be_invited_twice(province, make_user):
    existing = make_user("reception", DemoAgency.CENTRE)
    with pytest.raises(staff.StaffError) as error:
        invite(province, existing.email.upper())
    assert error.value.status == 409 and "email" in error.value.fields
    assert AdminAuditEntry.query.count() == 0


def test_an_invitation_racing_another_for_the_same_address_is_409(province, make_user, monkeypatch):
    existing = make_user("reception", DemoAgency.CENTRE)
    monkeypatch.setattr(accounts, "find_by_email", lambda email: None)  # the other request not committed when asked
    with pytest.raises(staff.StaffError) as error:
        invite(province, existing.email)
    assert error.value.status == 409 and AdminAuditEntry.query.count() == 0 and OutboxMessage.query.count() == 0


def test_an_agency_administrator_invites_below_them_only(city, app):
    assert invite(city, "phuong@motcua.example").memberships[0].agency.code == DemoAgency.TICH_SON_DESK
    with pytest.raises(staff.StaffError) as error:
        invite(city, "huyen-khac@motcua.example", (DemoAgency.BINH_XUYEN, "specialist"))
    assert error.value.status == 403 and User.query.filter_by(email="huyen-khac@motcua.example").count() == 0


def test_bad_grants_are_named():
    for pairs, message in ([("không-có", "reception")], "Không có cơ quan"), ([(DemoAgency.CENTRE, "chef")], "Vai trò"):
        with pytest.raises(staff.StaffError) as error:
            staff.grants_by_code(pairs)
        assert message in error.value.fields["memberships"]


def test_memberships_change_within_reach_with_one_entry_per_agency(city, province, make_user):
    official = make_user("specialist", DemoAgency.TICH_SON)
    staff.set_memberships(province, official, grants((DemoAgency.TICH_SON, "leader"),
                                                     (DemoAgency.JUSTICE_DEPARTMENT, "specialist")))
    assert {(m.agency.code, m.role) for m in official.memberships} == {
        (DemoAgency.TICH_SON, "leader"), (DemoAgency.JUSTICE_DEPARTMENT, "specialist")}
    entries = {e.agency.code: e for e in AdminAuditEntry.query.filter_by(action="user.memberships")}
    assert entries[DemoAgency.TICH_SON].before == {"memberships": [f"specialist@{DemoAgency.TICH_SON}"]}
    assert entries[DemoAgency.TICH_SON].after == {"memberships": [f"leader@{DemoAgency.TICH_SON}"]}
    assert entries[DemoAgency.JUSTICE_DEPARTMENT].before == {"memberships": []}

    # The city's administrator changes the ward's role, keeping the department's as it is...
    staff.set_memberships(city, official, grants((DemoAgency.TICH_SON, "clerk"),
                                                 (DemoAgency.JUSTICE_DEPARTMENT, "specialist")))
    assert (DemoAgency.TICH_SON, "clerk") in {(m.agency.code, m.role) for m in official.memberships}
    # ...but may not drop the department's, nor lock an account that also works above them.
    with pytest.raises(staff.StaffError) as error:
        staff.set_memberships(city, official, grants((DemoAgency.TICH_SON, "clerk")))
    assert error.value.status == 403
    with pytest.raises(staff.StaffError):
        staff.deactivate(city, official)
    with pytest.raises(staff.StaffError) as empty:
        staff.set_memberships(province, official, [])
    assert "khóa tài khoản" in empty.value.fields["memberships"]


def test_deactivation_ends_sessions_keeps_everything_and_is_idempotent(province, make_user):
    official = make_user("reception", DemoAgency.TICH_SON_DESK)
    browser = login_sessions.start(official)
    staff.deactivate(province, official)
    ended = browser.ended_at
    staff.deactivate(province, official)
    assert not official.active and ended is not None and browser.ended_at == ended and official.memberships
    assert login_sessions.active(official) == []
    assert accounts.authenticate(official.email, "mat-khau-thu-nghiem") is None
    assert AdminAuditEntry.query.filter_by(action="user.deactivate").count() == 1
    with pytest.raises(staff.StaffError) as locked:
        staff.reset_password(province, official)
    assert locked.value.status == 409
    staff.reactivate(province, official)
    assert accounts.authenticate(official.email, "mat-khau-thu-nghiem") == official
    entry = AdminAuditEntry.query.filter_by(action="user.reactivate").one()
    assert (entry.before, entry.after, entry.agency.code) == ({"active": False}, {"active": True},
                                                              DemoAgency.TICH_SON_DESK)


def test_nobody_locks_or_changes_their_own_account(province):
    for change in (staff.deactivate, staff.reset_password):
        with pytest.raises(staff.StaffError) as error:
            change(province, province)
        assert error.value.status == 403
    with pytest.raises(staff.StaffError):
        staff.set_memberships(province, province, grants((DemoAgency.CENTRE, "reception")))


def test_a_reset_mails_a_link_and_keeps_the_password_until_it_is_used(province, make_user):
    official = make_user("leader", DemoAgency.TICH_SON)
    message = staff.reset_password(province, official)
    assert message.recipient == official.email and "Đặt lại mật khẩu" in message.subject
    assert accounts.authenticate(official.email, "mat-khau-thu-nghiem") == official
    staff.set_password(link_token(message), "mat-khau-moi-cua-toi")
    assert accounts.authenticate(official.email, "mat-khau-thu-nghiem") is None
    assert AdminAuditEntry.query.filter_by(action="user.password_reset", target_id=str(official.id)).count() == 1


def test_search_is_narrowed_to_the_reach_and_the_filters(city, province, make_user):
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    make_user()  # a citizen: not staff
    staff.deactivate(province, ward)
    assert {u.id for u in staff.search(city, staff.StaffFilter()).items} == {city.id, ward.id}
    assert {u.id for u in staff.search(province, staff.StaffFilter(role="reception")).items} == {ward.id, other.id}
    assert [u.id for u in staff.search(province, staff.StaffFilter(q=ward.full_name.upper())).items] == [ward.id]
    assert [u.id for u in staff.search(province, staff.StaffFilter(role="reception", active=True)).items] == [other.id]
    bx = agency_by_code(DemoAgency.BINH_XUYEN)
    assert staff.search(city, staff.StaffFilter(agency_id=bx.id)).total == 0
    with pytest.raises(staff.StaffError) as outside:
        staff.official(city, other.id)
    assert outside.value.status == 403
    with pytest.raises(staff.StaffError) as missing:
        staff.official(city, 999999)
    assert missing.value.status == 404


def test_the_agency_administrator_reads_the_log_of_their_reach(city, province, make_user):
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    staff.deactivate(province, ward)
    staff.deactivate(province, other)
    audit.record(province, "agency.rename", "agency", 1, before={"name": "a"}, after={"name": "b"})  # province-wide
    assert {e.target_id for e in staff.audit_log(city, audit.AuditFilter()).items} == {str(ward.id)}
    assert len(staff.audit_log(province, audit.AuditFilter()).items) == 3


def test_who_may_manage_an_account_and_read_a_register(city, province, make_user):
    from app.services.permissions import can

    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    both = make_user("specialist", DemoAgency.TICH_SON)
    staff.set_memberships(province, both, grants((DemoAgency.TICH_SON, "specialist"), (DemoAgency.CENTRE, "reception")))
    citizen = make_user()
    assert can(city, "admin.user", ward) and can(city, "admin.user.view", both) and not can(city, "admin.user", both)
    assert can(province, "admin.user", both) and can(province, "admin.user", citizen)
    assert not can(city, "admin.user.view", citizen) and not can(ward, "admin.user.view", both)
    for desk, city_reads in ((DemoAgency.TICH_SON_DESK, True), (DemoAgency.VINH_YEN_DESK, True),
                             (DemoAgency.CENTRE, False)):
        agency = agency_by_code(desk)
        assert can(province, "register.read", agency) and can(city, "register.read", agency) is city_reads
    assert can(ward, "register.read", agency_by_code(DemoAgency.TICH_SON_DESK))
    assert not can(ward, "register.read", agency_by_code(DemoAgency.LIEN_BAO_DESK))
    assert not can(province, "register.read", agency_by_code(DemoAgency.TICH_SON))  # not a desk
    assert can(city, "register.read") and can(both, "register.read")  # `both` is reception at the centre
    assert not can(make_user("leader", DemoAgency.TICH_SON), "register.read")
