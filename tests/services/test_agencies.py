"""Administration of agencies and units (issue 13): each operation, its permission, its audit
entry, and where dossiers go after a retirement, a merger or a move of competence."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AdminAuditEntry, AdministrativeUnit, Agency, Membership
from app.services import agencies, catalogue, dossiers, processing
from app.services.agencies import AgencyError, AgencyInput, MergeInput
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code, agency_tree, list_agencies, today
from tests.factories import BIRTH, assigned_at_the_desk, birth_in, tich_son

pytestmark = pytest.mark.usefixtures("structure_changes")

NEW_DESK = AgencyInput(code="002.10.21.H62", name="Điểm tiếp nhận phường Tích Sơn", kind="one_stop",
                       unit_code="08707", parent_code=DemoAgency.TICH_SON)


def entries(action: str) -> list[AdminAuditEntry]:
    return list(db.session.scalars(select(AdminAuditEntry).where(AdminAuditEntry.action == action)
                                   .order_by(AdminAuditEntry.id)))


@pytest.fixture
def province_admin(make_user):
    return make_user("admin", DemoAgency.PROVINCE)


def test_create_checks_the_code_and_records_the_agency(province_admin):
    agency = agencies.create(province_admin, NEW_DESK)
    assert agency_by_code("002.10.21.H62") is agency and agency.parent.code == DemoAgency.TICH_SON
    [entry] = entries("agency.create")
    assert entry.after["code"] == "002.10.21.H62" and entry.actor_name == province_admin.full_name


@pytest.mark.parametrize("changes, field_name, words", [
    ({"code": "000.10.21.H62"}, "code", "phải có mã cấp 4"),  # level 3 under a level-3 committee
    ({"code": "001.10.21.H62"}, "code", "đã được dùng"),
    ({"name": " "}, "name", "Vui lòng nhập tên"),
    ({"kind": "bureau"}, "kind", "không hợp lệ"),
    ({"kind": "department"}, "sector", "lĩnh vực"),
    ({"unit_code": "99999"}, "unit_code", "Không có đơn vị"),
    ({"parent_code": "000.99.21.H62"}, "parent_code", "Không có cơ quan"),
    ({"valid_from": date(2027, 1, 2), "valid_to": date(2027, 1, 1)}, "valid_to", "phải sau"),
])
def test_create_refuses_bad_input_by_field(province_admin, changes, field_name, words):
    with pytest.raises(AgencyError) as refused:
        agencies.create(province_admin, AgencyInput(**{**NEW_DESK.__dict__, **changes}))
    assert refused.value.status == 422 and words in refused.value.fields[field_name]
    assert agency_by_code(NEW_DESK.code) is None and not entries("agency.create")


def test_an_agency_administrator_works_below_their_agency_only(make_user):
    city = make_user("admin", DemoAgency.VINH_YEN)
    assert agencies.create(city, NEW_DESK).code == NEW_DESK.code
    other = make_user("admin", DemoAgency.LIEN_BAO)
    with pytest.raises(AgencyError) as refused:
        agencies.create(other, AgencyInput(**{**NEW_DESK.__dict__, "code": "003.10.21.H62"}))
    assert refused.value.status == 403
    with pytest.raises(AgencyError):
        agencies.merge_communes(city, MergeInput(["08707", "08710"], "99901", "Phường Mới", "000.40.21.H62",
                                                 "001.40.21.H62", today()))
    assert {a.code for a in agencies.administered(city, "tích sơn")} == {
        DemoAgency.TICH_SON, DemoAgency.TICH_SON_DESK, NEW_DESK.code}


def test_rename_move_and_dates_are_audited_once(province_admin):
    desk = agencies.create(province_admin, NEW_DESK)
    renamed = AgencyInput(**{**NEW_DESK.__dict__, "name": "Điểm tiếp nhận số 2"})
    agencies.update(province_admin, desk, renamed)
    agencies.update(province_admin, desk, renamed)  # sent twice: nothing more
    [entry] = entries("agency.rename")
    assert (entry.before, entry.after) == ({"name": NEW_DESK.name}, {"name": "Điểm tiếp nhận số 2"})
    moved = AgencyInput(**{**renamed.__dict__, "code": "002.11.21.H62", "parent_code": DemoAgency.LIEN_BAO,
                           "unit_code": "08710", "valid_from": date(2027, 1, 1)})
    agencies.update(province_admin, desk, moved)
    [entry] = entries("agency.move")
    assert entry.after == {"code": "002.11.21.H62", "unit": "08710", "parent": DemoAgency.LIEN_BAO,
                           "valid_from": "2027-01-01"}
    assert not desk.in_force(date(2026, 12, 31)) and desk.in_force(date(2027, 1, 1))


def test_an_agency_cannot_move_under_itself_or_change_a_code_its_units_repeat(province_admin):
    committee = agency_by_code(DemoAgency.TICH_SON)
    with pytest.raises(AgencyError) as refused:
        agencies.update(province_admin, committee, AgencyInput(
            code="001.10.21.H62", name=committee.name, kind="committee", unit_code="08707",
            parent_code=DemoAgency.TICH_SON_DESK))
    assert "dưới chính nó" in refused.value.fields["parent_code"]
    with pytest.raises(AgencyError) as refused:
        agencies.update(province_admin, committee, AgencyInput(
            code="000.40.21.H62", name=committee.name, kind="committee", unit_code="08707",
            parent_code=DemoAgency.VINH_YEN))
    assert DemoAgency.TICH_SON_DESK in refused.value.fields["code"]


def test_retire_with_open_dossiers_is_refused_without_a_successor(make_user, province_admin, loaded_catalogue):
    office = tich_son(make_user)
    birth_in("submitted", office)
    desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    with pytest.raises(AgencyError) as refused:
        agencies.retire(province_admin, desk)
    assert refused.value.status == 409 and "1 hồ sơ" in refused.value.fields["successor"]
    assert not desk.retired and not entries("agency.retire")
    with pytest.raises(AgencyError) as refused:  # a desk's dossiers need a desk
        agencies.retire(province_admin, desk, agency_by_code(DemoAgency.LIEN_BAO))
    assert "cùng loại" in refused.value.fields["successor"]


def test_retire_hands_the_open_dossiers_to_the_successor_and_new_ones_follow(make_user, province_admin,
                                                                           loaded_catalogue):
    office = tich_son(make_user)
    done = birth_in("returned", office)
    waiting = birth_in("submitted", office)
    old, successor = agency_by_code(DemoAgency.TICH_SON_DESK), agency_by_code(DemoAgency.LIEN_BAO_DESK)
    handover = agencies.retire(province_admin, old, successor)
    assert handover.dossiers == [waiting.reference]
    assert waiting.receiving_agency is successor
    assert done.receiving_agency is old and done.receiving_agency.name == "Bộ phận Một cửa phường Tích Sơn"
    assert old.retired and old.successor is successor and old.valid_to == today()
    [entry] = entries("agency.retire")
    assert entry.after["successor"] == DemoAgency.LIEN_BAO_DESK and entry.after["dossiers"] == [waiting.reference]
    version = catalogue.current_version(BIRTH)
    assert old not in dossiers.receiving_desks(version) and successor in dossiers.receiving_desks(version)
    draft = dossiers.start_draft(office.citizen, version, DemoAgency.TICH_SON_DESK)  # an old link
    assert draft.receiving_agency is successor
    assert old not in list_agencies() and old in list_agencies(include_retired=True)
    assert agencies.retire(province_admin, old, successor).dossiers == []  # the same request again
    assert len(entries("agency.retire")) == 1


def test_retire_refuses_an_agency_with_units_still_under_it(province_admin):
    with pytest.raises(AgencyError) as refused:
        agencies.retire(province_admin, agency_by_code(DemoAgency.TICH_SON), agency_by_code(DemoAgency.LIEN_BAO))
    assert refused.value.status == 409 and "đơn vị trực thuộc" in refused.value.message


MERGE = MergeInput(unit_codes=["08707", "08710"], code="99901", name="Phường Vĩnh Yên Mới",
                   committee_code="000.40.21.H62", desk_code="001.40.21.H62", on=today())


def test_merge_keeps_old_dossiers_under_old_names_and_sends_new_ones_to_the_successor(make_user, province_admin,
                                                                                     loaded_catalogue):
    office = tich_son(make_user)
    done = birth_in("returned", office)
    running = birth_in("accepted", office)  # its step waits at the ward's committee
    unit = agencies.merge_communes(province_admin, MERGE)
    committee, desk = agency_by_code("000.40.21.H62"), agency_by_code("001.40.21.H62")
    assert unit.parent.code == "243" and committee.parent.code == DemoAgency.VINH_YEN and desk.parent is committee
    assert desk.name == "Bộ phận Một cửa phường Vĩnh Yên Mới"
    old_desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    assert old_desk.retired and old_desk.successor is desk
    assert agency_by_code(DemoAgency.LIEN_BAO).successor is committee
    assert done.receiving_agency is old_desk
    assert "Ủy ban nhân dân phường Tích Sơn" in {step.agency.name for step in done.steps}
    assert running.current_step.agency is committee and running.receiving_agency is desk
    specialist = make_user("specialist", "000.40.21.H62")  # the new ward's staff finish it
    processing.complete_step(running, specialist, "Đủ điều kiện")
    version = catalogue.current_version(BIRTH)
    new = dossiers.start_draft(office.citizen, version, DemoAgency.LIEN_BAO_DESK)
    assert new.receiving_agency is desk and processing.step_agency(new, 1) is committee
    assert {d.code for d in dossiers.receiving_desks(version)} & {DemoAgency.TICH_SON_DESK, "001.40.21.H62"} == {
        "001.40.21.H62"}
    old_units = db.session.scalars(select(AdministrativeUnit).where(AdministrativeUnit.code.in_(MERGE.unit_codes)))
    assert all(u.valid_to == today() - timedelta(days=1) for u in old_units)
    city = next(n for n in agency_tree()[0].children if n.unit.code == "243")
    assert "99901" in {n.unit.code for n in city.children} and "08707" not in {n.unit.code for n in city.children}
    [entry] = entries("unit.merge")
    assert entry.after["dossiers_moved"] == 1 and len(entries("agency.retire")) == 4


def test_merge_refuses_bad_input_and_changes_nothing(province_admin):
    with pytest.raises(AgencyError) as refused:
        agencies.merge_communes(province_admin, MergeInput(["08707", "243"], "08707", "", "000.40.22.H62",
                                                           "001.41.21.H62", today()))
    fields = refused.value.fields
    assert set(fields) == {"unit_codes", "code", "name"}
    with pytest.raises(AgencyError) as refused:
        agencies.merge_communes(province_admin, MergeInput(["08707", "08710"], "99901", "Phường Mới",
                                                           "000.40.22.H62", "001.41.21.H62", today()))
    assert set(refused.value.fields) == {"committee_code", "desk_code"}
    assert not agency_by_code(DemoAgency.TICH_SON).retired and not entries("unit.merge")


def test_a_district_competence_moves_to_the_province(make_user, province_admin, loaded_catalogue):
    handovers = agencies.transfer_competence(province_admin, "243", "26", today())
    successors = {h.agency.code: h.successor.code for h in handovers}
    assert successors[DemoAgency.VINH_YEN_DESK] == DemoAgency.CENTRE
    assert successors[DemoAgency.VINH_YEN_URBAN] == "000.00.03.H62"  # Sở Xây dựng
    assert successors[DemoAgency.VINH_YEN] == DemoAgency.PROVINCE
    assert agency_by_code(DemoAgency.TICH_SON).parent.code == DemoAgency.PROVINCE
    permit = catalogue.current_version("1.009994")  # building permit: received and decided at the district
    desks = {d.code for d in dossiers.receiving_desks(permit)}
    assert DemoAgency.CENTRE in desks and DemoAgency.VINH_YEN_DESK not in desks
    citizen = make_user()
    draft = dossiers.start_draft(citizen, permit, DemoAgency.VINH_YEN_DESK)
    assert draft.receiving_agency.code == DemoAgency.CENTRE
    resolving = [i for i, s in enumerate(permit.spec["process"]) if s["where"] == "resolving_agency"][0]
    assert processing.step_agency(draft, resolving).code == "000.00.03.H62"
    province = agency_tree()[0]
    assert "243" not in {n.unit.code for n in province.children} and "08707" in {n.unit.code for n in province.children}
    assert len(entries("unit.transfer_competence")) == 1


def test_a_district_competence_moves_to_a_commune(province_admin):
    handovers = agencies.transfer_competence(province_admin, "243", "08707", today())
    successors = {h.agency.code: h.successor.code for h in handovers}
    assert successors[DemoAgency.VINH_YEN_JUSTICE] == DemoAgency.TICH_SON  # the ward has no departments
    assert successors[DemoAgency.VINH_YEN_DESK] == DemoAgency.TICH_SON_DESK


def test_competence_transfer_refuses_wrong_units(province_admin, make_user):
    with pytest.raises(AgencyError) as refused:
        agencies.transfer_competence(province_admin, "08707", "243", today())
    assert set(refused.value.fields) == {"district_code", "target_code"}
    with pytest.raises(AgencyError) as refused:
        agencies.transfer_competence(make_user("admin", DemoAgency.VINH_YEN), "243", "26", today())
    assert refused.value.status == 403
    assert not db.session.scalars(select(Agency).where(Agency.retired_at.is_not(None))).first()


def test_validity_dates_decide_whether_a_desk_is_offered(province_admin, loaded_catalogue):
    version = catalogue.current_version(BIRTH)
    tomorrow = today() + timedelta(days=1)
    desk = agencies.create(province_admin, AgencyInput(**{**NEW_DESK.__dict__, "valid_from": tomorrow}))
    assert desk not in dossiers.receiving_desks(version)
    agencies.update(province_admin, desk, AgencyInput(**{**NEW_DESK.__dict__, "valid_from": today()}))
    assert desk in dossiers.receiving_desks(version)


def test_a_retirement_or_merger_dated_ahead_is_refused(province_admin):
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(AgencyError) as refused:
        agencies.retire(province_admin, agency_by_code(DemoAgency.TICH_SON_DESK), on=tomorrow)
    assert "on" in refused.value.fields
    with pytest.raises(AgencyError) as refused:
        agencies.merge_communes(province_admin, MergeInput(**{**MERGE.__dict__, "on": tomorrow}))
    assert "on" in refused.value.fields
    assert not agency_by_code(DemoAgency.TICH_SON_DESK).retired


def test_a_moved_step_keeps_its_assignee_who_works_at_the_successor_and_loses_one_who_does_not(
        make_user, province_admin, loaded_catalogue):
    office = tich_son(make_user)
    both = make_user("reception", DemoAgency.TICH_SON_DESK)
    successor = agency_by_code(DemoAgency.LIEN_BAO_DESK)
    both.memberships.append(Membership(agency=successor, role="reception"))
    db.session.commit()
    only_here = make_user("reception", DemoAgency.TICH_SON_DESK)
    kept, cleared = assigned_at_the_desk(office, both), assigned_at_the_desk(office, only_here)
    handover = agencies.retire(province_admin, agency_by_code(DemoAgency.TICH_SON_DESK), successor)
    assert handover.steps == 2
    assert kept.current_step.agency is successor and kept.current_step.assignee is both
    assert cleared.current_step.agency is successor and cleared.current_step.assignee is None
    processing.return_result(kept, both, "counter")  # still theirs to finish, at the successor
    [entry] = entries("agency.retire")
    assert entry.after["assignees_kept"] == [f"{kept.code}: {both.full_name}"]
    assert entry.after["assignees_cleared"] == [f"{cleared.code}: {only_here.full_name}"]
