"""Procedures administered in the portal (issue 13): check, publish, unpublish, each desk's offering."""
import shutil
from pathlib import Path

import pytest

from app.domain.procedure_spec import fingerprint, parse_procedure
from app.extensions import db
from app.models import AdminAuditEntry, Procedure, ProcedureVersion
from app.services import catalogue, dossiers
from app.services import procedure_admin as admin
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code
from tests.conftest import PROCEDURES_DIR
from tests.factories import BIRTH, submitted_birth

BIRTH_FILE = Path(PROCEDURES_DIR) / "1.001193-dang-ky-khai-sinh.yaml"


@pytest.fixture
def province_admin(make_user):
    return make_user("admin", DemoAgency.PROVINCE)


@pytest.fixture
def desk_admin(make_user):
    return make_user("admin", DemoAgency.TICH_SON_DESK)


def birth_text(**replace: str) -> str:
    text = BIRTH_FILE.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


LONGER_NAME = {'vi: "Thủ tục đăng ký khai sinh"': 'vi: "Thủ tục đăng ký khai sinh (sửa đổi)"'}
# The first document's `required` key left out.
NO_REQUIRED = {"copy: original\n    count: 1\n    required: true\n    blank_form: to-khai-dang-ky-khai-sinh.pdf":
               "copy: original\n    count: 1\n    blank_form: to-khai-dang-ky-khai-sinh.pdf"}


def test_a_valid_text_is_checked_like_a_file_and_the_changes_are_listed(loaded_catalogue):
    checked = admin.check(birth_text(**LONGER_NAME))
    assert checked.problems == {} and checked.spec.code == BIRTH and not checked.new
    assert [(c.path, c.kind, c.after) for c in checked.changes] == [
        ("name.vi", "changed", "Thủ tục đăng ký khai sinh (sửa đổi)")]


@pytest.mark.parametrize("replace, path, message", [
    (NO_REQUIRED, "documents[0].required", "Thiếu trường bắt buộc"),
    ({"field: \"Hộ tịch\"": "field: \"Hộ tịch\"\nfeild: x"}, "feild", "không có trong lược đồ"),
    ({"level: commune\n": "level: commune\n  : : :\n"}, "(yaml)", "YAML không hợp lệ tại dòng"),
    ({"blank_form: to-khai-dang-ky-khai-sinh.pdf": "blank_form: khong-co.pdf"},
     "documents[0].blank_form", "Không tìm thấy tệp mẫu đơn"),
])
def test_an_invalid_text_gives_its_problems_by_field_in_vietnamese(replace, path, message):
    checked = admin.check(birth_text(**replace))
    assert checked.spec is None
    assert message in checked.problems[path]


def test_an_uploaded_file_must_be_named_after_its_code():
    checked = admin.check(birth_text(), file_name="khai-sinh.yaml")
    assert "Tên tệp phải bắt đầu bằng mã thủ tục" in checked.problems["code"]
    assert admin.check(birth_text(), file_name=BIRTH_FILE.name).problems == {}


def test_editing_keeps_the_code():
    assert "Mã thủ tục phải giữ là 1.000656" in admin.check(birth_text(), code="1.000656").problems["code"]


def test_publish_makes_a_new_version_and_a_running_dossier_keeps_its_own(loaded_catalogue, make_user,
                                                                          province_admin):
    running = submitted_birth(make_user())
    old = catalogue.current_version(BIRTH)
    version, created = admin.publish(province_admin, birth_text(**LONGER_NAME))
    assert created and version.number == old.number + 1 and version.source_file == admin.TYPED
    assert catalogue.current_version(BIRTH).id == version.id and old.valid_to is not None
    db.session.refresh(running)
    assert running.procedure_version_id == old.id and running.procedure_version.name == "Thủ tục đăng ký khai sinh"
    assert db.session.get(Procedure, version.procedure_id).managed_in_portal
    entry = db.session.query(AdminAuditEntry).filter_by(action="procedure.publish").one()
    assert entry.before["version"] == old.number and entry.after["version"] == version.number
    # A second click publishes nothing more.
    again, created = admin.publish(province_admin, birth_text(**LONGER_NAME))
    assert not created and again.id == version.id
    assert db.session.query(ProcedureVersion).filter_by(code=BIRTH).count() == 2


def test_publish_refuses_an_invalid_text_and_changes_nothing(loaded_catalogue, province_admin):
    with pytest.raises(admin.ProcedureAdminError) as refused:
        admin.publish(province_admin, birth_text(**{"online: full": "online: sometimes"}))
    assert refused.value.status == 422 and "online" in refused.value.fields
    assert catalogue.current_version(BIRTH).number == 1


def test_only_the_province_administrator_publishes(loaded_catalogue, desk_admin):
    with pytest.raises(admin.ProcedureAdminError) as refused:
        admin.publish(desk_admin, birth_text(**LONGER_NAME))
    assert refused.value.status == 403


def test_the_folder_no_longer_overwrites_a_procedure_published_in_the_portal(loaded_catalogue, province_admin,
                                                                              tmp_path):
    admin.publish(province_admin, birth_text(**LONGER_NAME))
    folder = tmp_path / "procedures"
    shutil.copytree(PROCEDURES_DIR, folder)
    (folder / BIRTH_FILE.name).unlink()
    report = catalogue.sync_folder(folder)
    assert BIRTH in report.portal and BIRTH not in report.withdrawn
    assert catalogue.current_version(BIRTH).name == "Thủ tục đăng ký khai sinh (sửa đổi)"


def test_unpublish_stops_new_dossiers_and_running_ones_continue(loaded_catalogue, make_user, province_admin):
    running = submitted_birth(make_user())
    procedure = admin.by_code(BIRTH)
    assert admin.unpublish(province_admin, procedure)
    assert catalogue.current_version(BIRTH) is None
    assert BIRTH not in {x.code for x in catalogue.listings()}
    db.session.refresh(running)
    assert running.procedure_version.code == BIRTH and running.status == "submitted"
    assert not admin.unpublish(province_admin, procedure)  # already: nothing more
    # The folder does not bring it back behind the administrator's back.
    assert BIRTH in catalogue.sync_folder(PROCEDURES_DIR).portal and catalogue.current_version(BIRTH) is None
    # Published again from the portal: a new version.
    version, created = admin.publish(province_admin, birth_text())
    assert created and version.number == 2


def test_a_desk_taken_off_no_longer_receives_and_a_level_2_desk_takes_no_online_dossier(loaded_catalogue,
                                                                                     make_user, desk_admin):
    procedure, version = admin.by_code(BIRTH), catalogue.current_version(BIRTH)
    desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    assert desk in dossiers.receiving_desks(version)
    admin.set_offering(desk_admin, procedure, desk, received=True, online_level=2)
    assert next(o for o in catalogue.offerings(version) if o.desk.id == desk.id).online == "none"
    with pytest.raises(dossiers.DossierError) as refused:
        dossiers.start_draft(make_user(), version, DemoAgency.TICH_SON_DESK)
    assert refused.value.status == 409 and "agency" in refused.value.fields
    admin.set_offering(desk_admin, procedure, desk, received=False, online_level=2)
    assert desk not in dossiers.receiving_desks(version)
    assert agency_by_code(DemoAgency.LIEN_BAO_DESK) in dossiers.receiving_desks(version)
    admin.set_offering(desk_admin, procedure, desk, received=True, online_level=4)  # back to the default
    assert procedure.offerings == [] and desk in dossiers.receiving_desks(version)
    actions = [e.after for e in db.session.query(AdminAuditEntry).filter_by(action="procedure.offering")]
    assert len(actions) == 3


@pytest.mark.parametrize("level", [1, 5])
def test_an_online_level_outside_2_to_the_procedures_own_is_refused(loaded_catalogue, province_admin, level):
    with pytest.raises(admin.ProcedureAdminError) as refused:
        admin.set_offering(province_admin, admin.by_code(BIRTH), agency_by_code(DemoAgency.TICH_SON_DESK),
                           received=True, online_level=level)
    assert "online_level" in refused.value.fields


def test_an_agency_administrator_sets_only_their_desks_offering(loaded_catalogue, desk_admin):
    with pytest.raises(admin.ProcedureAdminError) as refused:
        admin.set_offering(desk_admin, admin.by_code(BIRTH), agency_by_code(DemoAgency.LIEN_BAO_DESK),
                           received=False, online_level=4)
    assert refused.value.status == 403


def test_a_desk_at_another_level_is_refused(loaded_catalogue, province_admin):
    with pytest.raises(admin.ProcedureAdminError) as refused:
        admin.set_offering(province_admin, admin.by_code(BIRTH), agency_by_code(DemoAgency.VINH_YEN_DESK),
                           received=False, online_level=4)
    assert "agency" in refused.value.fields


def test_the_yaml_to_edit_reads_back_to_the_same_version(loaded_catalogue):
    for version in db.session.query(ProcedureVersion).all():
        assert fingerprint(parse_procedure(admin.as_yaml(version), "x")) == version.fingerprint


def test_the_list_searches_code_and_name_and_keeps_unpublished_ones(loaded_catalogue, province_admin):
    assert [p.code for p in admin.procedures("khai sinh").items] == ["1.001193", "1.004884"]
    assert [p.code for p in admin.procedures("1.0011").items] == [BIRTH]
    admin.unpublish(province_admin, admin.by_code(BIRTH))
    assert BIRTH in [p.code for p in admin.procedures("", per_page=100).items]
