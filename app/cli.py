"""`flask` commands: seed-demo, user create, procedures load/import-national, files prune,
signing check/configure/retry, dossiers import/export, stats rebuild, jobs replay, worker."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app import dates
from app.domain.procedure_spec import ProcedureFileError, check_beside, parse_procedure
from app.integrations import national_catalogue
from app.queue import DOCUMENTS, MESSAGES, queues
from app.services import accounts, catalogue, demo, interchange, jobs, signing, stats, storage
from app.services import history as demo_history

user_cli = AppGroup("user", help="Tài khoản người dùng.")
procedures_cli = AppGroup("procedures", help="Danh mục thủ tục hành chính.")
files_cli = AppGroup("files", help="Kho tệp: tệp đính kèm hồ sơ và giấy tờ đã phát hành.")
signing_cli = AppGroup("signing", help="Chữ ký số: chứng thư số của cơ quan và cán bộ.")
jobs_cli = AppGroup("jobs", help="Công việc nền: gửi thư, tạo và ký văn bản.")
stats_cli = AppGroup("stats", help="Thống kê: bảng tổng hợp các kỳ đã kết thúc.")
dossiers_cli = AppGroup("dossiers",
                        help="Hồ sơ: chuyển dữ liệu từ hệ thống khác sang và ngược lại (docs/interchange.md).")


@click.command("seed-demo")
@click.option("--history", default=0, show_default=True,
              help="Tạo thêm N hồ sơ trong 12 tháng qua, qua các nghiệp vụ thật.")
def seed_demo(history):
    """Nạp tỉnh trình diễn (Vĩnh Phúc), tài khoản mẫu và danh mục thủ tục. Chạy lại không mất dữ liệu."""
    try:
        counts = demo.seed_demo(current_app.config["PROCEDURES_DIR"])
    except ProcedureFileError as error:
        raise click.ClickException(f"Tệp thủ tục không hợp lệ, không nạp gì:\n{error}") from None
    click.echo("Đã nạp: {units} đơn vị hành chính, {agencies} cơ quan, {users} tài khoản, "
               "{procedures_published} phiên bản thủ tục mới.".format(**counts))
    folder = current_app.config["SIGNING_DEMO_DIR"]
    certificates = demo.seed_signing(folder)
    click.echo(f"Chứng thư số DEMO (chỉ để trình diễn, không dùng thật): {certificates} cấu hình mới, "
               f"CA gốc {folder}/demo-root.pem; "
               f"mật khẩu tệp khóa đặt trong ${signing.DEMO_SECRET_ENV}.")
    if history:
        made = demo_history.generate(history)
        click.echo(f"Đã tạo {made} hồ sơ lịch sử.")


@user_cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="Mật khẩu")
@click.option("--name", "full_name", required=True, help="Họ và tên")
@click.option("--role", "roles", multiple=True, help="reception|specialist|leader|clerk|admin (lặp lại được)")
@click.option("--agency", "agencies", multiple=True, help="Mã định danh cơ quan, theo thứ tự --role")
@click.option("--id-number", default=None, help="Số định danh cá nhân (12 số)")
def create_user(email, password, full_name, roles, agencies, id_number):
    """Tạo tài khoản; mỗi cặp --role/--agency là một vai trò tại một cơ quan. Công dân: không có cặp nào."""
    if len(roles) != len(agencies):
        raise click.UsageError("Mỗi --role cần đúng một --agency đi kèm.")
    try:
        user = accounts.create_user(
            email=email, password=password, full_name=full_name, id_number=id_number,
            grants=[accounts.Grant(r, a) for r, a in zip(roles, agencies, strict=True)],
        )
    except accounts.AccountError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Đã tạo tài khoản {user.email} (id {user.id}).")


@procedures_cli.command("load")
@click.option("--folder", default=None, help="Thư mục procedures/ (mặc định: PROCEDURES_DIR)")
def load_procedures(folder):
    """Kiểm tra và đồng bộ procedures/*.yaml vào cơ sở dữ liệu; tệp thay đổi → phiên bản mới."""
    try:
        report = catalogue.sync_folder(folder or current_app.config["PROCEDURES_DIR"])
    except ProcedureFileError as error:
        raise click.ClickException(f"Tệp thủ tục không hợp lệ, không nạp gì:\n{error}") from None
    click.echo(f"Công bố mới: {len(report.published)}; không đổi: {len(report.unchanged)}; "
               f"ngừng công bố: {len(report.withdrawn)}.")
    _list(report.published, "+")
    _list(report.withdrawn, "-")
    if report.portal:
        click.echo(f"Giữ nguyên {len(report.portal)} thủ tục do quản trị viên quản lý trên cổng (/quan-tri/thu-tuc), "
                   "không áp dụng tệp:")
        _list(report.portal, "=")


@procedures_cli.command("import-national")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--folder", default=None, help="Thư mục ghi tệp (mặc định: PROCEDURES_DIR)")
def import_national(file, folder):
    """Chuyển thủ tục xuất từ CSDL quốc gia về TTHC (JSON: một thủ tục, một danh sách, hoặc câu trả lời
    {"result": [...]} của dịch vụ LayThuTuc) thành tệp procedures/<mã>-<tên>.yaml để rà soát; không công bố gì
    (công bố bằng `flask procedures load`). Báo các trường không dùng đến và những gì người rà soát phải bổ sung
    (app/integrations/national_catalogue.py)."""
    try:
        content = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(f"Tệp không phải JSON hợp lệ (dòng {error.lineno}, cột {error.colno}).") from None
    records = content.get("result", content) if isinstance(content, dict) else content
    records = records if isinstance(records, list) else [records]
    if not records or not all(isinstance(r, dict) for r in records):
        raise click.ClickException("Tệp phải chứa một thủ tục (đối tượng JSON) hoặc một danh sách thủ tục.")
    folder = Path(folder or current_app.config["PROCEDURES_DIR"])
    for record in records:
        draft = national_catalogue.draft(record)
        if not draft.code:
            raise click.ClickException("Thủ tục không có mã (MaTTHC): không ghi tệp nào.")
        existing = sorted(folder.glob(f"{draft.code}-*.yaml"))
        if existing:
            raise click.ClickException(f"Đã có tệp của thủ tục {draft.code}: {existing[0]}. So sánh và sửa tay tệp "
                                       "đó, hoặc ghi bản nháp sang thư mục khác (--folder).")
        path = folder / draft.file_name
        text = national_catalogue.to_yaml(draft, Path(file.name).name)
        path.write_text(text, encoding="utf-8")
        click.echo(f"Đã ghi {path}.")
        if draft.unknown:
            click.echo(f"  Trường không dùng đến: {', '.join(draft.unknown)}.")
        for note in draft.notes:
            click.echo(f"  Cần kiểm tra: {note}")
        try:  # the very checks of `flask procedures load`
            check_beside(parse_procedure(text, str(path)), str(path), folder / "forms", path.name)
        except ProcedureFileError as error:
            click.echo("  Người rà soát cần bổ sung trước khi `flask procedures load`:")
            for _name, key, message in error.problems:
                click.echo(f"    {key}: {message}")
        else:
            click.echo("  Tệp hợp lệ; rà soát rồi chạy `flask procedures load` để công bố.")


def _list(names: list[str], mark: str, suffix: str = "") -> None:
    for name in names:
        click.echo(f"  {mark} {name}{suffix}")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} byte"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB".replace(".", ",")
    return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")


@files_cli.command("prune")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(min=1),
              help="Thời gian chờ: chỉ xóa tệp cũ hơn N giờ (tệp vừa tải lên, hồ sơ chưa kịp lưu, được giữ).")
@click.option("--dry-run", is_flag=True, help="Chạy thử: chỉ liệt kê, không xóa gì.")
def prune_files(hours, dry_run):
    """Xóa các tệp trong kho không còn hồ sơ hay giấy tờ nào dùng đến, tệp tạm còn sót và thư mục rỗng."""
    report = storage.prune(storage.referenced_hashes(), older_than=timedelta(hours=hours), dry_run=dry_run)
    verb = "Sẽ xóa" if dry_run else "Đã xóa"
    if dry_run:
        click.echo("Chạy thử: chưa xóa gì.")
    click.echo(f"{verb} {len(report.removed)} tệp không còn được dùng, {len(report.temporary)} tệp tạm "
               f"và {report.folders} thư mục rỗng; dung lượng giải phóng: {_size(report.bytes_freed)}.")
    _list(report.removed, "-")
    _list(report.temporary, "-", " (tệp tạm)")
    recent = f", trong đó {report.recent} tệp chưa được dùng nhưng mới hơn {hours} giờ" if report.recent else ""
    click.echo(f"Giữ lại {report.kept} tệp{recent}.")
    if report.ignored:
        click.echo(f"Bỏ qua {len(report.ignored)} mục không đúng cấu trúc kho (không xóa):")
        _list(report.ignored, "?")


@signing_cli.command("check")
def signing_check():
    """Kiểm tra chứng thư số của từng cơ quan và cán bộ: chủ thể, tổ chức cấp, hiệu lực, số ngày còn lại,
    khóa có dùng được không."""
    results = signing.check()
    if not results:
        click.echo("Chưa cấu hình chứng thư số nào (flask signing configure).")
    for result in results:
        kind = "Chứng thư số cơ quan" if result.kind == "seal" else "Chứng thư số cá nhân"
        click.echo(f"{kind}: {result.owner}")
        click.echo(f"  Nơi lưu khóa: {result.location}")
        if result.facts:
            facts = result.facts
            click.echo(f"  Chủ thể: {facts['subject']}")
            click.echo(f"  Tổ chức cấp: {facts['issuer']}")
            click.echo(f"  Hiệu lực: {dates.date(facts['not_before'])} – {dates.date(facts['not_after'])} "
                       f"(còn {result.days_left} ngày)")
        click.echo(f"  Khóa: {'dùng được' if result.ok else 'KHÔNG dùng được: ' + (result.problem or '')}")
    if any(not r.ok for r in results):
        raise SystemExit(1)


@signing_cli.command("configure")
@click.option("--agency", "agency_code", default=None, help="Mã định danh cơ quan (chứng thư số cơ quan)")
@click.option("--user", "user_email", default=None, help="E-mail của cán bộ (chứng thư số cá nhân)")
@click.option("--module", "pkcs11_module", default=None, help="Thư viện PKCS#11 của token/HSM (.so)")
@click.option("--token-label", default=None, help="Nhãn token")
@click.option("--slot", type=int, default=None, help="Số khe (slot) của token")
@click.option("--key-label", default=None, help="Nhãn khóa (và chứng thư) trên token")
@click.option("--certificate", "certificate_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Tệp PEM chứng thư số, khi token không chứa nó")
@click.option("--chain", "chain_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Tệp PEM các chứng thư trung gian")
@click.option("--pkcs12", "pkcs12_path", default=None, help="Tệp PKCS#12 (.p12/.pfx) thay cho token")
@click.option("--pin-env", "secret_env", required=True,
              help="TÊN biến môi trường chứa mã PIN / mật khẩu (không phải mã PIN)")
def signing_configure(agency_code, user_email, pkcs11_module, token_label, slot, key_label, certificate_file,
                      chain_file, pkcs12_path, secret_env):
    """Khai báo nơi lưu khóa ký số của một cơ quan hoặc một cán bộ. Không lưu khóa bí mật hay mã PIN."""
    try:
        row = signing.configure(
            agency_code=agency_code, user_email=user_email, backend="pkcs12" if pkcs12_path else "pkcs11",
            secret_env=secret_env, pkcs11_module=pkcs11_module, token_label=token_label, slot=slot,
            key_label=key_label, pkcs12_path=pkcs12_path, certificate_pem=_read_pem(certificate_file),
            chain_pem=_read_pem(chain_file))
    except signing.SigningConfigError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Đã lưu cấu hình chứng thư số #{row.id}. Kiểm tra: flask signing check")


def _read_pem(path: str | None) -> str | None:
    if path is None:
        return None
    with open(path, encoding="ascii") as handle:
        return handle.read()


@signing_cli.command("retry")
def signing_retry():
    """Ký lại các văn bản điện tử chưa ký được (sau khi đã sửa chứng thư số); văn bản đã ký không bị ký lại."""
    failed = 0
    documents = signing.unsigned()
    for document in documents:
        try:
            signing.sign(document.id)
        except signing.SigningFailed as error:
            failed += 1
            click.echo(f"  ✗ {document.number}: {error}")
    click.echo(f"Đã thử ký {len(documents)} văn bản; chưa ký được {failed}.")
    if failed:
        raise SystemExit(1)


def _period(value: str) -> tuple:
    """"2026" (the year), "2026-11" (a month), "2026-Q3" (a quarter): (start, end)."""
    try:
        year, _, rest = value.strip().upper().partition("-")
        if not rest:
            return stats.period("year", int(year))
        if rest.startswith("Q") and rest[1:] in ("1", "2", "3", "4"):
            return stats.period("quarter", int(year), int(rest[1:]))
        return stats.period("month", int(year), int(rest))
    except ValueError:
        raise click.BadParameter(f"Kỳ không hợp lệ: {value!r}; ví dụ 2026, 2026-Q3, 2026-11.") from None


@stats_cli.command("rebuild")
@click.option("--period", "period_", default=None, help="Một kỳ: 2026 (năm), 2026-Q3 (quý), 2026-11 (tháng).")
def stats_rebuild(period_):
    """Tính lại bảng tổng hợp từ hồ sơ: một kỳ đã kết thúc, hoặc mọi tháng, quý, năm đã kết thúc."""
    if period_ is None:
        rebuilt = stats.rebuild_all()
        click.echo(f"Đã tính lại {len(rebuilt)} kỳ.")
        return
    start, end = _period(period_)
    try:
        rows = stats.rebuild(start, end)
    except ValueError:
        raise click.ClickException(f"Kỳ {start} – {end} chưa kết thúc: số liệu được tính trực tiếp từ hồ sơ.") \
            from None
    click.echo(f"Đã tính lại kỳ {start} – {end}: {rows} dòng tổng hợp.")


@dossiers_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_dossiers(file):
    """Nhập hồ sơ từ tệp JSON Lines (mỗi dòng một hồ sơ); hồ sơ đã có mã thì bỏ qua, không ghi đè."""
    report = interchange.import_lines(file)
    lines = sorted({r.line for r in report.refused})
    click.echo(f"Đã nhập {len(report.imported)} hồ sơ; bỏ qua {len(report.skipped)} hồ sơ đã có; "
               f"từ chối {len(lines)} dòng" + (f" (dòng {', '.join(map(str, lines))})." if lines else "."))
    for refusal in report.refused:
        click.echo(f"  dòng {refusal.line}, trường {refusal.field}: {refusal.message}")
    if lines:
        raise SystemExit(1)


@dossiers_cli.command("export")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Từ ngày tiếp nhận (YYYY-MM-DD)")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Đến ngày tiếp nhận (YYYY-MM-DD), tính cả ngày này")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="Tệp ghi ra (mặc định: màn hình)")
def export_dossiers(start, end, output):
    """Xuất hồ sơ tiếp nhận trong khoảng ngày ra JSON Lines, cùng cấu trúc với lệnh nhập."""
    if end < start:
        raise click.BadParameter("--to phải từ --from trở đi.", param_hint="--to")
    count = 0
    for line in interchange.export_lines(start.date(), end.date()):
        output.write(line + "\n")
        count += 1
    click.echo(f"Đã xuất {count} hồ sơ.", err=True)


@jobs_cli.command("replay")
@click.option("--older-than", "minutes", default=10, show_default=True, type=click.IntRange(min=0),
              help="Chỉ lấy việc tạo từ N phút trước trở về trước (việc mới hơn có thể còn đang chờ trong hàng đợi).")
@click.option("--failed", is_flag=True,
              help="Tạo lại cả các văn bản đã lỗi khi tạo PDF (sau khi đã khắc phục nguyên nhân).")
def replay_jobs(minutes, failed):
    """Đưa lại vào hàng đợi các việc chưa xong: thư chưa gửi, văn bản chưa tạo PDF, văn bản điện tử chưa ký.
    Chạy lại nhiều lần không làm gì hai lần; đặt trong cron được."""
    done = jobs.replay(timedelta(minutes=minutes), failed=failed)
    mode = "đã chạy" if current_app.extensions["rq_queue"] is None else "đã đưa vào hàng đợi"
    click.echo(f"Việc chưa xong từ {minutes} phút trước, {mode}: {len(done.messages)} thư, "
               f"{len(done.renders)} văn bản cần tạo PDF, {len(done.signatures)} văn bản cần ký.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Xử lý hết hàng đợi rồi dừng.")
@click.option("--queue", "only", type=click.Choice([DOCUMENTS, MESSAGES]), default=None,
              help="Chỉ phục vụ một hàng đợi (văn bản hoặc thư); mặc định: tất cả, thư trước.")
def worker(burst, only):
    """Chạy RQ worker cho các hàng đợi của ứng dụng (cần REDIS_URL)."""
    from rq import Worker

    queue = current_app.extensions["rq_queue"]
    if queue is None:
        raise click.ClickException("Chưa đặt REDIS_URL: công việc đang chạy trực tiếp, không cần worker.")
    Worker(queues(queue, only), connection=queue.connection).work(burst=burst)


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(worker)
    app.cli.add_command(user_cli)
    app.cli.add_command(procedures_cli)
    app.cli.add_command(files_cli)
    app.cli.add_command(signing_cli)
    app.cli.add_command(dossiers_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(jobs_cli)
