"""Loading procedures/ as versioned snapshots; searching the catalogue."""
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.procedure_spec import ProcedureFileError
from app.extensions import db
from app.models import Procedure, ProcedureVersion
from app.services import catalogue
from app.services.demo import DemoAgency
from tests.conftest import PROCEDURES_DIR

BUILDING_PERMIT = "1.009994-cap-giay-phep-xay-dung-nha-o-rieng-le.yaml"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the shipped catalogue that a test may edit."""
    target = tmp_path / "procedures"
    shutil.copytree(PROCEDURES_DIR, target)
    return target


def test_first_load_publishes_every_file_as_version_1(folder):
    report = catalogue.sync_folder(folder)
    files = list(folder.glob("*.yaml"))
    assert len(report.published) == len(files) >= 15
    versions = db.session.query(ProcedureVersion).all()
    assert {v.number for v in versions} == {1} and all(v.valid_to is None for v in versions)
    permit = catalogue.current_version("1.009994")
    assert permit.source_file == BUILDING_PERMIT
    # the Construction Law says "15 ngày"
    assert permit.level == "district" and permit.sector == "construction" and permit.time_unit == "calendar_days"
    assert permit.spec["code"] == "1.009994"


def test_loading_an_unchanged_folder_creates_nothing(folder):
    catalogue.sync_folder(folder)
    before = db.session.query(ProcedureVersion).count()
    report = catalogue.sync_folder(folder)
    assert report.published == [] and len(report.unchanged) == before
    assert db.session.query(ProcedureVersion).count() == before


def test_a_changed_file_publishes_version_2_and_ends_version_1(folder):
    t1 = datetime(2026, 11, 1, tzinfo=UTC)
    t2 = datetime(2026, 11, 20, tzinfo=UTC)
    catalogue.sync_folder(folder, now=t1)
    v1_id = catalogue.current_version("1.009994").id
    path = folder / BUILDING_PERMIT
    path.write_text(path.read_text(encoding="utf-8").replace("amount: 75000", "amount: 100000"), encoding="utf-8")
    report = catalogue.sync_folder(folder, now=t2)
    assert report.published == ["1.009994"]
    v2 = catalogue.current_version("1.009994")
    assert v2.number == 2 and v2.spec["fees"][0]["amount"] == 100000
    v1 = db.session.get(ProcedureVersion, v1_id)
    assert v1.valid_to.replace(tzinfo=UTC) == t2 and v1.spec["fees"][0]["amount"] == 75000


def test_a_removed_file_withdraws_the_procedure(folder):
    catalogue.sync_folder(folder)
    (folder / BUILDING_PERMIT).unlink()
    report = catalogue.sync_folder(folder)
    assert report.withdrawn == ["1.009994"]
    assert catalogue.current_version("1.009994") is None
    assert db.session.query(Procedure).filter_by(code="1.009994").one().versions[0].valid_to is not None


def test_a_bad_file_stops_the_whole_load_and_names_file_and_field(folder):
    path = folder / BUILDING_PERMIT
    path.write_text(path.read_text(encoding="utf-8").replace("unit: calendar_days", "unit: fortnights"),
                    encoding="utf-8")
    with pytest.raises(ProcedureFileError) as error:
        catalogue.sync_folder(folder)
    assert BUILDING_PERMIT in str(error.value) and "processing_time.unit" in str(error.value)
    assert db.session.query(Procedure).count() == 0


def test_search_ignores_diacritics_and_case(loaded_catalogue):
    page = catalogue.search(catalogue.CatalogueFilter(q="GIAY PHEP xay dung"), 1, 20)
    assert [v.code for v in page.items] == ["1.009994"]
    page = catalogue.search(catalogue.CatalogueFilter(q="đăng ký khai sinh"), 1, 20)
    assert "1.001193" in {v.code for v in page.items}


def test_search_treats_like_wildcards_literally(loaded_catalogue):
    assert catalogue.search(catalogue.CatalogueFilter(q="%"), 1, 20).total == 0
    assert catalogue.search(catalogue.CatalogueFilter(q="_"), 1, 20).total == 0


def test_filters_combine(loaded_catalogue):
    page = catalogue.search(catalogue.CatalogueFilter(level="commune", online="full"), 1, 100)
    assert page.total > 0 and all(v.level == "commune" and v.online == "full" for v in page.items)


def test_words_in_any_order_and_filters_narrow_together(loaded_catalogue):
    def codes(**kwargs):
        return [v.code for v in catalogue.search(catalogue.CatalogueFilter(**kwargs), 1, 100).items]

    assert codes(q="dung xay giay") == ["1.009994"]
    assert codes(q="xay dung", level="district", field="Hoạt động xây dựng", online="partial") == ["1.009994"]
    assert codes(q="xay dung", level="commune") == []
    assert codes(q="xay dung", field="Hộ tịch") == []


def test_agency_filter_by_type_key_or_by_agency_code(loaded_catalogue):
    by_key = catalogue.search(catalogue.CatalogueFilter(agency="district:department:construction"), 1, 100)
    by_code = catalogue.search(catalogue.CatalogueFilter(agency=DemoAgency.VINH_YEN_URBAN), 1,
                               100)  # Phòng QLĐT Vĩnh Yên
    assert [v.code for v in by_key.items] == [v.code for v in by_code.items]
    assert "1.009994" in {v.code for v in by_key.items}
    commune = catalogue.search(catalogue.CatalogueFilter(agency=DemoAgency.TICH_SON), 1, 100)  # UBND phường Tích Sơn
    assert commune.total > 0
    assert all(catalogue.current_version(v.code).agency_kind == "committee" and v.level == "commune"
               for v in commune.items)
    with pytest.raises(LookupError):
        catalogue.search(catalogue.CatalogueFilter(agency="000.99.99.H62"), 1, 20)


def test_agency_types_label_the_competent_agencies(loaded_catalogue):
    labels = {t.key: t.label for t in catalogue.agency_types()}
    assert labels["commune:committee"] == "Ủy ban nhân dân cấp xã"
    assert labels["district:department:construction"] == "Phòng Quản lý đô thị / Kinh tế - Hạ tầng (cấp huyện)"


def test_search_sees_a_new_version_at_once_in_the_loading_process(folder):
    catalogue.sync_folder(folder)
    assert catalogue.search(catalogue.CatalogueFilter(q="kiem thu"), 1, 20).total == 0
    path = folder / BUILDING_PERMIT
    old = 'vi: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"'
    new = 'vi: "Cấp giấy phép xây dựng nhà ở riêng lẻ (kiểm thử)"'
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    catalogue.sync_folder(folder)
    page = catalogue.search(catalogue.CatalogueFilter(q="kiem thu"), 1, 20)
    assert [x.name for x in page.items] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ (kiểm thử)"]


def test_other_processes_see_a_change_after_the_cache_time(folder, app):
    catalogue.sync_folder(folder)
    before = catalogue.search(catalogue.CatalogueFilter(), 1, 100).total
    # Another process withdraws a procedure: this one still serves its cached list…
    db.session.execute(ProcedureVersion.__table__.update().where(ProcedureVersion.code == "1.009994")
                       .values(valid_to=datetime.now(UTC)))
    db.session.commit()
    assert catalogue.search(catalogue.CatalogueFilter(), 1, 100).total == before
    # …until its cache time has passed.
    app.extensions["catalogue_listings"]["until"] = 0
    assert catalogue.search(catalogue.CatalogueFilter(), 1, 100).total == before - 1
