"""flask user create, flask seed-demo, flask procedures load (errors), flask files prune, flask worker."""
from app.services import accounts, permissions
from app.services.demo import DEMO_ACCOUNTS, DEMO_DOMAIN, DEMO_PASSWORD, DemoAgency
from app.services.structure import agency_by_code


def test_user_create_citizen_and_staff(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "dan@motcua.example", "--password", "mot-mat-khau", "--name",
                                 "Công Dân"])
    assert result.exit_code == 0, result.output
    assert accounts.find_by_email("dan@motcua.example").is_citizen
    result = runner.invoke(args=[
        "user", "create", "canbo@motcua.example", "--password", "mot-mat-khau", "--name", "Cán Bộ",
        "--role", "reception", "--agency", DemoAgency.CENTRE, "--role", "specialist", "--agency",
        DemoAgency.JUSTICE_DEPARTMENT,
    ])
    assert result.exit_code == 0, result.output
    user = accounts.find_by_email("canbo@motcua.example")
    assert sorted((m.role, m.agency.code) for m in user.memberships) == [
        ("reception", DemoAgency.CENTRE), ("specialist", DemoAgency.JUSTICE_DEPARTMENT)]


def test_user_create_errors_are_clear(app):
    runner = app.test_cli_runner()
    base = ["user", "create", "x@motcua.example", "--password", "p", "--name", "X"]
    assert "đúng một --agency" in runner.invoke(args=base + ["--role", "leader"]).output
    out = runner.invoke(args=base + ["--role", "leader", "--agency", "000.00.99.H99"]).output
    assert "Không có cơ quan mã 000.00.99.H99" in out
    out = runner.invoke(args=base + ["--role", "boss", "--agency", DemoAgency.CENTRE]).output
    assert "Vai trò không hợp lệ" in out
    assert accounts.find_by_email("x@motcua.example") is None


def test_seed_demo_twice_keeps_data_and_creates_demo_accounts(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_ACCOUNTS)} tài khoản" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "0 đơn vị hành chính, 0 cơ quan, 0 tài khoản, 0 phiên bản" in second.output
    reception = accounts.authenticate(f"tiepnhan.xa@{DEMO_DOMAIN}", DEMO_PASSWORD)
    assert [(m.role, m.agency.name) for m in reception.memberships] == [("reception",
                                                                         "Bộ phận Một cửa phường Tích Sơn")]
    admin = accounts.authenticate(f"admin@{DEMO_DOMAIN}", DEMO_PASSWORD)
    assert admin.has_role("admin") and permissions.province_admin(admin)
    city = accounts.authenticate(f"quantri.huyen@{DEMO_DOMAIN}", DEMO_PASSWORD)  # an agency administrator
    assert not permissions.province_admin(city)
    assert permissions.administers(city, agency_by_code(DemoAgency.TICH_SON_DESK))
    assert not permissions.administers(city, agency_by_code(DemoAgency.BINH_XUYEN))


def test_worker_without_redis_explains_itself(app):
    saved, app.extensions["rq_queue"] = app.extensions["rq_queue"], None
    try:
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    finally:
        app.extensions["rq_queue"] = saved
    assert result.exit_code != 0 and "REDIS_URL" in result.output


def test_seed_demo_history_makes_real_dossiers(app):
    from datetime import date, timedelta

    from app.extensions import db
    from app.models import Dossier, StepTask
    from app.services import stats

    result = app.test_cli_runner().invoke(args=["seed-demo", "--history", "12"])
    assert result.exit_code == 0, result.output
    assert "Đã tạo 12 hồ sơ lịch sử." in result.output
    made = db.session.query(Dossier).all()
    # a dossier submitted online near now may still wait for the desk's office hours (on a Monday
    # morning before 08:00, one sent on Saturday): not received, so it has no code yet
    assert len(made) == 12 and all(d.code for d in made if d.received_at)
    assert all(d.status == "submitted" for d in made if not d.received_at)
    assert {d.status for d in made} & {"returned", "resolved", "processing", "accepted", "supplement_requested"}
    assert db.session.query(StepTask).count() >= 12
    today = date.today()
    fig = stats.figures(stats.Scope(today - timedelta(days=400), today))
    assert fig.counts.received == sum(1 for d in made if d.received_at)


def test_files_prune_dry_run_then_real(app, tmp_path, monkeypatch):
    import os
    import time

    from app.services import storage

    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path))

    def orphan(data: bytes) -> str:  # in the store, no row refers to it (a deleted dossier's file)
        sha = storage.digest(data)
        storage.path_for(sha).parent.mkdir(parents=True, exist_ok=True)
        storage.path_for(sha).write_bytes(data)
        return sha

    old, new = orphan(b"%PDF-orphan"), orphan(b"%PDF-in flight")
    os.utime(storage.path_for(old), (time.time() - 25 * 3600,) * 2)
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["files", "prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Chạy thử: chưa xóa gì." in dry.output and "Sẽ xóa 1 tệp không còn được dùng" in dry.output
    assert f"{old[:2]}/{old[2:4]}/{old}" in dry.output and storage.path_for(old).exists()

    assert "Đã xóa 0 tệp" in runner.invoke(args=["files", "prune", "--hours", "26"]).output  # not old enough
    assert storage.path_for(old).exists()
    real = runner.invoke(args=["files", "prune"])
    assert real.exit_code == 0, real.output
    assert ("Đã xóa 1 tệp không còn được dùng, 0 tệp tạm và 2 thư mục rỗng; dung lượng giải phóng: 11 byte."
            in real.output)
    assert "Giữ lại 1 tệp, trong đó 1 tệp chưa được dùng nhưng mới hơn 24 giờ." in real.output
    assert not storage.path_for(old).exists() and storage.path_for(new).exists()
    assert runner.invoke(args=["files", "prune", "--hours", "0"]).exit_code != 0


def test_dossiers_import_prints_summary_and_fails_on_refused_lines(app, loaded_catalogue, tmp_path):
    import json

    from tests.services.test_interchange import record

    file = tmp_path / "ho-so.jsonl"
    good, bad = record("HS-1"), record("HS-2", TrangThaiHoSo=11)
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (good, bad)) + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["dossiers", "import", str(file)])
    assert first.exit_code == 1
    assert "Đã nhập 1 hồ sơ; bỏ qua 0 hồ sơ đã có; từ chối 1 dòng (dòng 2)." in first.output
    assert "dòng 2, trường TrangThaiHoSo: phải nhỏ hơn hoặc bằng 10" in first.output
    file.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    second = runner.invoke(args=["dossiers", "import", str(file)])
    assert second.exit_code == 0 and "Đã nhập 0 hồ sơ; bỏ qua 1 hồ sơ đã có; từ chối 0 dòng." in second.output


def test_dossiers_export_writes_the_import_shape(app, loaded_catalogue, tmp_path):
    from app.services import interchange
    from tests.services.test_interchange import lines, record

    march = "2026-03-02T09:00:00+07:00"
    open_in_march = record("HS-2", NgayTiepNhan=march, NgayHenTra="2026-03-03T17:00:00+07:00", TrangThaiHoSo=2,
                           NgayKetThucXuLy=None, NgayTraKetQua=None, KetQuaGiaiQuyet=None, CoKetQuaDienTu=False,
                           QuaTrinhXuLy=[{"TrangThai": 1, "ThoiDiem": march}, {"TrangThai": 2, "ThoiDiem": march}])
    assert len(interchange.import_lines(lines(record("HS-1"), open_in_march)).imported) == 2
    output = tmp_path / "xuat.jsonl"
    result = app.test_cli_runner().invoke(args=["dossiers", "export", "--from", "2026-02-01", "--to", "2026-02-28",
                                                "--output", str(output)])
    assert result.exit_code == 0 and "Đã xuất 1 hồ sơ." in result.output
    [line] = output.read_text(encoding="utf-8").splitlines()
    assert interchange.DossierRecord.model_validate_json(line).MaHoSo == "HS-1"
    wrong = app.test_cli_runner().invoke(args=["dossiers", "export", "--from", "2026-03-01", "--to", "2026-02-01"])
    assert wrong.exit_code == 2 and "--to phải từ --from trở đi" in wrong.output
