"""The demo province: units from the vietnam-provinces data, agencies, seeding twice."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdministrativeUnit, Agency
from app.services.structure import agency_tree, seed_structure


def test_vinh_phuc_has_9_districts_and_their_communes_with_gso_codes():
    units = {u.code: u for u in db.session.scalars(select(AdministrativeUnit))}
    province = units["26"]
    assert province.name == "Tỉnh Vĩnh Phúc" and province.level == "province" and province.parent is None
    districts = [u for u in units.values() if u.level == "district"]
    assert len(districts) == 9
    assert units["243"].name == "Thành phố Vĩnh Yên" and units["243"].parent is province
    communes = [u for u in units.values() if u.level == "commune"]
    assert len(communes) == 121
    assert units["08707"].name == "Phường Tích Sơn" and units["08707"].parent.code == "243"
    assert all(len(c.code) == 5 for c in communes)


def test_each_district_and_commune_has_committee_and_one_stop_desk():
    for unit in db.session.scalars(select(AdministrativeUnit).where(AdministrativeUnit.level != "province")):
        kinds = {a.kind for a in db.session.scalars(select(Agency).where(Agency.unit_id == unit.id))}
        assert {"committee", "one_stop"} <= kinds, unit.name
        if unit.level == "district":
            sectors = set(db.session.scalars(select(Agency.sector).where(Agency.unit_id == unit.id,
                                                                         Agency.kind == "department")))
            assert sectors == {"justice", "construction", "planning_investment", "natural_resources"}


def test_agency_codes_follow_decision_20_2020_structure():
    codes = list(db.session.scalars(select(Agency.code)))
    assert all(len(c) <= 35 and c.endswith(".H62") and len(c.split(".")) == 4 for c in codes)
    assert len(codes) == len(set(codes))


def test_seeding_again_adds_nothing():
    before = db.session.scalar(select(func.count(Agency.id)))
    assert seed_structure() == (0, 0)
    assert db.session.scalar(select(func.count(Agency.id))) == before


def test_agency_tree_nests_province_districts_communes():
    (province,) = agency_tree()
    assert province.unit.code == "26" and len(province.agencies) == 7
    assert len(province.children) == 9
    assert sum(len(d.children) for d in province.children) == 121


def test_two_tier_province_works_with_the_same_code():
    """A 2025 two-tier province: communes hang directly under the province (Law 72/2025/QH15)."""
    province = AdministrativeUnit(code="99", name="Tỉnh Thử Nghiệm", level="province")
    commune = AdministrativeUnit(code="99001", name="Xã Một", level="commune", parent=province)
    db.session.add_all([province, commune,
                        Agency(code="000.00.00.T99", name="UBND xã Một", kind="committee", unit=commune)])
    db.session.commit()
    try:
        roots = {node.unit.code: node for node in agency_tree()}
        assert [c.unit.code for c in roots["99"].children] == ["99001"]
        assert roots["99"].children[0].agencies[0].code == "000.00.00.T99"
    finally:
        db.session.execute(Agency.__table__.delete().where(Agency.code == "000.00.00.T99"))
        db.session.execute(AdministrativeUnit.__table__.delete().where(AdministrativeUnit.code == "99001"))
        db.session.execute(AdministrativeUnit.__table__.delete().where(AdministrativeUnit.code == "99"))
        db.session.commit()
