"""The portal over real HTTP (issue 15): `make bench`, after the in-process benchmarks.

On a scratch PostgreSQL database (bench.dashboard.database: BENCH_DATABASE_URL, left filled for
bench.curve, or one created and dropped) with BENCH_DOSSIERS dossiers (default 1,000,000, generated in SQL by
bench.dashboard.generate), a citizen owning one of them and an official with 10,000 open steps,
it starts the portal under gunicorn (workers = cores) and the bare baseline (bench/bare.py:
Flask + Flask-SQLAlchemy, one indexed query) under the same gunicorn, and drives both with wrk
over HTTP, BENCH_CONNECTIONS connections (32) for BENCH_HTTP_SECONDS (10) per case. The cases
take turns over BENCH_HTTP_ROUNDS rounds (3), the baseline in every round, so a slow spell of the
machine falls on all of them; it prints each case's median requests/s, p50 and p99, its ratio
to the baseline's requests/s, and each worker's resident memory at the end. Then each case
alone, one connection for BENCH_ALONE_SECONDS (3): its p50 is a request's own time, without
the queue that 32 connections on a few workers make. It prints; it never judges. Rate limits
are off for the run (they would answer 429 to one address).

Besides, for each case, what does not depend on how loaded the machine is: the SQL statements
one request runs and the CPU time it takes in process (Flask's test client, median of
BENCH_INPROCESS (5) requests after a warm-up), and the load average before and after.
BENCH_CASES=worklist,dossier runs only the named cases (keys: lookup, tra-cuu, procedure, home,
api-search, search, dossier, worklist, dashboard, dashboard-closed), e.g. for a quick check.
BENCH_REUSE=1 with BENCH_DATABASE_URL measures the database as an earlier run left it, without
generating it again (a second look at 10,000,000 dossiers, after a change of code).

Needs PostgreSQL and wrk (Debian's package); without either, one line says it was not run.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import event, text

from app import create_app
from app.config import ROOT
from app.domain.codes import format_code
from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.models.users import utcnow
from app.services import accounts, stats
from app.services.demo import DemoAgency
from bench.dashboard import NotRun, database, fresh_schema, generate

PASSWORD = "bench-only-password"  # bench only: the scratch database is dropped at the end
OPEN_STEPS = 10_000


@dataclass
class Case:
    key: str                        # BENCH_CASES names cases by it
    name: str
    path: str
    who: str | None = None          # None: anonymous; "citizen" / "official": that session's cookie
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    errors: int = 0
    alone_p50: float | None = None  # p50 with one connection: the latency without the queue
    statements: int | None = None   # SQL statements of one request, in process
    cpu_ms: float | None = None     # CPU time of one request, in process (median)


def prepare(count: int) -> dict[str, str]:
    """The rows, the two accounts, and what the paths name (a code, a dossier id)."""
    fresh_schema()
    today = datetime.now(OFFICE_TZ).date()
    generate(count, stats.Scope(today - timedelta(days=364), today), utcnow())
    citizen = accounts.create_user(email="citizen@bench.example", password=PASSWORD, full_name="Công dân thử tải",
                                   id_number="099000000001", phone=None)
    official = accounts.create_user(email="official@bench.example", password=PASSWORD, full_name="Chuyên viên thử tải",
                                    id_number=None, phone=None,
                                    grants=[accounts.Grant("specialist", DemoAgency.TICH_SON)])
    agency_id = official.memberships[0].agency_id
    own = db.session.execute(text("UPDATE dossier SET owner_id = :owner WHERE id = (SELECT min(id) FROM dossier) "
                                  "RETURNING id"), {"owner": citizen.id}).scalar()
    db.session.execute(text(
        "INSERT INTO step_task (dossier_id, position, name, role, agency_id, given_at, due_at, note) "
        "SELECT id, 0, 'Thẩm định hồ sơ', 'specialist', :agency, received_at, due_at, '' FROM dossier "
        "WHERE status = 'processing' ORDER BY id LIMIT :n"), {"agency": agency_id, "n": OPEN_STEPS})
    # The generated codes are not in the national format, which the lookup checks first: give
    # the looked-up dossier a real one (its desk, the day received, a sequence).
    row = db.session.execute(text(
        "SELECT d.id, a.code AS desk, d.received_at FROM dossier d JOIN agency a ON a.id = d.receiving_agency_id "
        "ORDER BY d.id OFFSET :half LIMIT 1"), {"half": count // 2}).one()
    code = format_code(row.desk, row.received_at.astimezone(OFFICE_TZ).date(), 9999)
    db.session.execute(text("UPDATE dossier SET code = :code WHERE id = :id"), {"code": code, "id": row.id})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    # The roll-up the dashboard cases read (the closed period and its months; this year's part
    # before this month), built before the timed rounds as `flask stats rebuild` would be.
    for scope in (last_closed(today), stats.Scope(*stats.period("year", today.year))):
        stats.overview(scope)
        stats.months(scope)
    # and its statistics, as autovacuum would gather them (it is off on some machines: the
    # planner then takes 64,000 roll-up rows for 28 and sorts them on disk)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE stats_rollup"))
    return names(code, own, today)


def last_closed(today) -> stats.Scope:
    """The last 12 months up to the end of last month: a closed period, read from the roll-up."""
    return stats.Scope(today - timedelta(days=364), today.replace(day=1) - timedelta(days=1))


def names(code: str, own: int, today) -> dict[str, str]:
    closed = f"ky=custom&tu={last_closed(today).start}&den={last_closed(today).end}"
    return {"code": code, "own": str(own), "procedure": "1.001193", "closed": closed}


def reused() -> dict[str, str]:
    """What the paths name, found in a database an earlier prepare() filled."""
    code = db.session.scalar(text("SELECT code FROM dossier WHERE code LIKE '%-9999' LIMIT 1"))
    own = db.session.scalar(text("SELECT d.id FROM dossier d JOIN user_account u ON u.id = d.owner_id "
                                 "WHERE u.email = 'citizen@bench.example'"))
    if code is None or own is None:
        raise NotRun("BENCH_REUSE: the database was not filled by bench.http")
    return names(code, own, datetime.now(OFFICE_TZ).date())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `target` on a free port; returns (process, base URL) once it answers."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-secret", "RATELIMIT_ENABLED": "false",
           "PUBLIC_URL": f"http://127.0.0.1:{port}", "MOTCUA_ENV": "development"}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", target], cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(base + "/", timeout=2)
            return process, base
        except requests.RequestException:
            time.sleep(0.1)
    stop(process)
    raise NotRun(f"{target} did not start under gunicorn")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def session_cookie(base: str, email: str) -> str:
    """Log in through the page, as a browser does (CSRF token included); the Cookie header."""
    browser = requests.Session()
    page = browser.get(base + "/dang-nhap").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"email": email, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    answer = browser.post(base + "/dang-nhap", data=form, allow_redirects=False)
    if answer.status_code != 302:
        raise NotRun(f"log-in as {email} answered {answer.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, connections: int, cookie: str | None) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx/3xx answers) of one wrk run."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    # --timeout 30s: a slow page (the dashboard) queues behind 32 connections; wrk's default 2 s
    # would count its answers as timeouts and print 0 requests/s
    out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
                          "--latency", *headers, url], capture_output=True, text=True, check=True).stdout

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * _UNITS[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, latency("50"), latency("99"), int(bad.group(1)) if bad else 0


def rss_mb(process: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    sizes = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(process.pid) and "VmRSS" in fields:
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def in_process(app, cases: list[Case]) -> None:
    """Each case's statements and CPU time per request through Flask's test client (the same
    database, no HTTP, no gunicorn): figures that do not move with the machine's load."""
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    times = int(os.environ.get("BENCH_INPROCESS", "5"))
    clients = {}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    try:
        for case in cases:
            if case.who not in clients:
                clients[case.who] = client = app.test_client()
                if case.who:
                    client.post("/dang-nhap", data={"email": f"{case.who}@bench.example", "password": PASSWORD})
            client = clients[case.who]
            client.get(case.path)   # warm-up
            cpu = []
            for _ in range(times):
                counted.clear()
                started = time.process_time()
                client.get(case.path)
                cpu.append((time.process_time() - started) * 1000)
            case.statements, case.cpu_ms = len(counted), statistics.median(cpu)
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)


def run(url: str, label: str, count: int) -> None:
    seconds = int(os.environ.get("BENCH_HTTP_SECONDS", "10"))
    rounds = int(os.environ.get("BENCH_HTTP_ROUNDS", "3"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "32"))
    workers = os.cpu_count() or 2
    # CSRF off for the in-process pass's log-in only (the HTTP cases log in through the page)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    load_before = os.getloadavg()
    started = time.perf_counter()
    with app.app_context():
        if os.environ.get("BENCH_REUSE"):
            paths, count = reused(), db.session.scalar(text("SELECT count(*) FROM dossier"))
        else:
            paths = prepare(count)
        db.session.remove()
        db.engine.dispose()
    prepared = time.perf_counter() - started
    portal, portal_base = serve("wsgi:app", url, workers)
    bare, bare_base = serve("bench.bare:app", url, workers)
    try:
        cookies = {"citizen": session_cookie(portal_base, "citizen@bench.example"),
                   "official": session_cookie(portal_base, "official@bench.example")}
        baseline = Case("bare", "bare endpoint: one indexed query (baseline)", f"/dossier/{paths['code']}")
        cases = chosen(all_cases(paths))
        def timed(case: Case, seconds: int, connections: int) -> tuple[float, float, float, int]:
            base = bare_base if case is baseline else portal_base
            # wait for the workers to finish the requests the previous case left queued (wrk
            # closes its connections, the sync workers still answer them): else a case after
            # a slow one (the dashboard after the worklist) is timed behind that backlog
            requests.get(base + ("/" if case is not baseline else baseline.path), timeout=600)
            return wrk(base + case.path, seconds, connections, cookies.get(case.who))

        for _ in range(rounds):
            for case in (baseline, *cases):
                rate, p50, p99, bad = timed(case, seconds, connections)
                case.rates.append(rate)
                case.p50.append(p50)
                case.p99.append(p99)
                case.errors += bad
        alone = int(os.environ.get("BENCH_ALONE_SECONDS", "3"))
        for case in (baseline, *cases):
            case.alone_p50 = timed(case, alone, 1)[1]
        portal_rss, bare_rss = rss_mb(portal), rss_mb(bare)
    finally:
        stop(portal)
        stop(bare)
    in_process(app, cases)
    load_after = os.getloadavg()
    base_rate = statistics.median(baseline.rates)
    filled = "as an earlier run left it" if os.environ.get("BENCH_REUSE") else f"prepared in {prepared:.0f} s"
    print(f"\nHTTP benchmark: {count:,} dossiers on PostgreSQL ({label}), {filled}; "
          f"gunicorn {workers} sync workers each; wrk {connections} connections, {seconds} s per case, "
          f"median of {rounds} interleaved rounds")
    print("load average (1, 5, 15 min) before: " + ", ".join(f"{x:.1f}" for x in load_before)
          + "; after: " + ", ".join(f"{x:.1f}" for x in load_after))
    print(f"{'case':<52} {'req/s':>9} {'× bare':>7} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'SQL/req':>8} {'CPU ms':>7} {'p50 alone':>9}")
    for case in (baseline, *cases):
        rate = statistics.median(case.rates)
        inproc = f"{case.statements:>8} {case.cpu_ms:>7.1f}" if case.statements is not None else f"{'—':>8} {'—':>7}"
        print(f"{case.name:<52} {rate:>9.1f} {rate / base_rate:>7.2f} {statistics.median(case.p50):>8.1f} "
              f"{statistics.median(case.p99):>8.1f} {case.errors:>8} {inproc} {case.alone_p50:>9.1f}")
    print("resident memory per worker at the end (MB): portal "
          + ", ".join(f"{mb:.0f}" for mb in portal_rss) + "; bare " + ", ".join(f"{mb:.0f}" for mb in bare_rss))


def all_cases(names: dict[str, str]) -> list[Case]:
    """The portal's cases; `names` as prepare() returns them."""
    return [
        Case("lookup", "GET /api/v1/lookup/<code>", f"/api/v1/lookup/{names['code']}"),
        Case("tra-cuu", "GET /tra-cuu?ma=<code>", f"/tra-cuu?ma={names['code']}"),
        Case("procedure", "GET /thu-tuc/<code> (procedure page)", f"/thu-tuc/{names['procedure']}"),
        Case("home", "GET / (home)", "/"),
        Case("api-search", "GET /api/v1/procedures?q=khai sinh", "/api/v1/procedures?q=khai%20sinh"),
        Case("search", "GET /thu-tuc?q=khai sinh", "/thu-tuc?q=khai%20sinh"),
        Case("dossier", "GET /ho-so/<id> (the citizen's dossier)", f"/ho-so/{names['own']}", "citizen"),
        Case("worklist", f"GET /xu-ly/ (worklist, {OPEN_STEPS:,} open steps)", "/xu-ly/", "official"),
        Case("dashboard", "GET /thong-ke (dashboard, province, this year)", "/thong-ke"),
        Case("dashboard-closed", "GET /thong-ke (dashboard, closed 11 months, roll-up)",
             f"/thong-ke?{names['closed']}"),
    ]


def chosen(cases: list[Case]) -> list[Case]:
    """The cases BENCH_CASES names (comma-separated keys), all of them when it is not set."""
    keys = [k.strip() for k in os.environ.get("BENCH_CASES", "").split(",") if k.strip()]
    unknown = set(keys) - {case.key for case in cases}
    if unknown:
        raise NotRun(f"BENCH_CASES names unknown cases {', '.join(sorted(unknown))}; known: "
                     + ", ".join(case.key for case in cases))
    return [case for case in cases if case.key in keys] if keys else cases


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    count = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
    try:
        chosen(all_cases(dict.fromkeys(("code", "own", "procedure", "closed"), "")))   # BENCH_CASES checked first
        if shutil.which("wrk") is None:
            raise NotRun("wrk is not installed (Debian package wrk)")
        with database() as (url, label):
            run(url, label, count)
    except NotRun as reason:
        print(f"HTTP benchmark not run: {reason}.")


if __name__ == "__main__":
    main()
