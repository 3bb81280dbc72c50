"""Dashboard statistics speed on a large PostgreSQL database: `make bench`, after the catalogue.

Bulk-generates 1,000,000 dossiers (BENCH_DOSSIERS overrides the number) in SQL
(INSERT … SELECT … FROM generate_series, no Python loop; one statement per table, the indexes
and constraints built after the load), received over the last 12 months, with their files,
issued documents, ratings and payments, then times, in the same run and on the same rows:
- baseline: `SELECT count(*)` of the dossiers received in the period (the same rows);
- stats.figures for the province over the year (all levels): the dashboard's query;
- stats.overview over the same scope: the figures and the per-agency table in one query;
- stats.months over the same scope: the monthly trend (one range query per month);
- the whole dashboard page, `GET /thong-ke` for the same period (all of the above, rendered);
- a closed period (from the same start to the end of last month): stats.overview with its
  roll-up deleted before each run (counted and stored), then read from the roll-up, and its
  whole dashboard page;
- the monthly report PDF of the last closed month, `GET /thong-ke/bao-cao-thang.pdf`, uncached
  (its stored PDF deleted before each request, so WeasyPrint renders it) and cached (issue 18:
  report_cache serves the PDF drawn up once), and the ratio of the two.
Each case runs once to warm up, then 5 times; it prints the median, the max and the ratio of
the median to the baseline's. Targets (issue 15): the province-year dashboard under 300 ms at
1,000,000 dossiers and under 1 s at 10,000,000. It prints; it does not judge.

PostgreSQL only. BENCH_DATABASE_URL picks the database (its tables are dropped and rebuilt,
as the catalogue benchmark does); without it a scratch database `motcua_bench_<random>` is
created on postgresql://postgres@127.0.0.1:5432/ and dropped at the end, also on failure.
If PostgreSQL cannot be reached, one line says the benchmark was not run, and it exits 0.
BENCH_EXPLAIN=1 also prints EXPLAIN (ANALYZE, BUFFERS) of the SQL that stats.figures emits.
"""

from __future__ import annotations

import os
import secrets
import signal
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import ROOT, database_url
from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.models import RenderedReport, StatsPeriod, StatsRollup
from app.models.users import utcnow
from app.services import catalogue, stats
from app.services.structure import seed_structure

SERVER = "postgresql://postgres@127.0.0.1:5432/"
REPEATS = 5

def draw(salt: int, row: str = "id") -> str:
    """SQL for a uniform number in [0, 1) drawn from the dossier's id and `salt`: the dossier's
    insert and its children's draw the same number, so the facts stamped on the dossier
    (has_files, has_e_result, rated_poor, paid_online) and the child rows agree without an
    UPDATE of every dossier afterwards."""
    return f"((hashint4extended({row}, {salt}) & 2147483647) / 2147483648.0)"


FILES, RESULT, RATED, RATING, PAID, PAY_CHANNEL = 1, 2, 3, 4, 5, 6   # the salts of draw()
RATED_SQL = f"finished_at IS NOT NULL AND {draw(RATED)} < 0.4"
PAID_SQL = f"procedure_version_id = ANY(CAST(:fee_versions AS int[])) AND {draw(PAID)} < 0.6"

# The dossiers: one row per number of generate_series. The inner query draws every random
# number once per row (OFFSET 0 keeps PostgreSQL from inlining it, which would draw them again
# at each use); the middle one derives the deadline and, when the dossier is finished, the
# moment it finished from its class (early 60 %, on time 30 %, late 10 %). About 10 % are
# still being processed, and so are those whose finishing moment would be in the future.
# The facts the statistics count are stamped here, from the draws the children are made from.
DOSSIERS_SQL = f"""
INSERT INTO dossier (
    id, code, procedure_version_id, receiving_agency_id, resolving_agency_id, status, channel, delivery,
    applicant_name, applicant_id_number, applicant_address, applicant_phone, applicant_email, form_data,
    created_at, updated_at, submitted_at, received_at, due_at, effective_due_at, finished_at,
    result_class, processing_minutes, outcome, returned_at, return_method,
    intake_supplements, processing_supplements, lock_version,
    has_files, has_e_result, paid_online, rated_poor)
SELECT
    id, 'BENCH-' || g,
    procedure_version_id, desk_id, resolver_id,
    CASE WHEN done THEN 'returned' ELSE 'processing' END,
    channel, 'counter',
    'Người nộp ' || g, lpad(g::text, 12, '0'), 'Tỉnh Vĩnh Phúc', '09' || lpad((g % 100000000)::text, 8, '0'), '',
    '{{}}'::json,
    received_at - interval '20 minutes', CASE WHEN done THEN candidate_finish + interval '2 hours' ELSE received_at END,
    received_at, received_at, due_at, due_at,
    CASE WHEN done THEN candidate_finish END AS finished_at,
    CASE WHEN done THEN result_class END,
    CASE WHEN done THEN (extract(epoch FROM candidate_finish - received_at) / 60 * 450 / 1440)::int END,
    CASE WHEN done THEN 'approved' END,
    CASE WHEN done THEN candidate_finish + interval '2 hours' END,
    CASE WHEN done THEN 'counter' END,
    0, 0, 1,
    {draw(FILES)} < 0.9,
    done AND {draw(RESULT)} < 0.8,
    {PAID_SQL} AND {draw(PAY_CHANNEL)} >= 0.5,
    done AND {draw(RATED)} < 0.4 AND {draw(RATING)} >= 0.92
FROM (
    SELECT *, r_open >= 0.10 AND candidate_finish < CAST(:now AS timestamptz) AS done
    FROM (
        SELECT *,
            CASE result_class
                WHEN 'early' THEN received_at + (due_at - received_at) * (0.2 + 0.7 * r_when)
                WHEN 'on_time' THEN due_at - interval '4 hours' * r_when
                ELSE due_at + interval '1 day' * (0.5 + 5 * r_when)
            END AS candidate_finish
        FROM (
            SELECT *,
                received_at + interval '1 day' * (3 + floor(r_days * 12)) AS due_at,
                CASE WHEN r_class < 0.6 THEN 'early' WHEN r_class < 0.9 THEN 'on_time' ELSE 'late' END AS result_class,
                CASE WHEN r_channel < 0.55 THEN 2 WHEN r_channel < 0.90 THEN 1 ELSE 3 END AS channel
            FROM (
                SELECT g, nextval('dossier_id_seq')::int AS id,
                    CAST(:since AS timestamptz)
                        + random() * (CAST(:now AS timestamptz) - CAST(:since AS timestamptz)) AS received_at,
                    (CAST(:versions AS int[]))
                        [1 + floor(random() * cardinality(CAST(:versions AS int[])))::int] AS procedure_version_id,
                    (CAST(:desks AS int[]))[1 + floor(random() * cardinality(CAST(:desks AS int[])))::int] AS desk_id,
                    (CAST(:resolvers AS int[]))
                        [1 + floor(random() * cardinality(CAST(:resolvers AS int[])))::int] AS resolver_id,
                    random() AS r_channel, random() AS r_open, random() AS r_class,
                    random() AS r_when, random() AS r_days
                FROM generate_series(1, CAST(:n AS int)) AS g
                OFFSET 0
            ) AS drawn
        ) AS dated
    ) AS classified
) AS decided
"""

# The rows behind the facts the statistics count (files, results, ratings, payments), each an
# INSERT … SELECT over the dossiers, from the same draws as the facts stamped on them.
DEPENDENTS_SQL = {
    # ~90 % of dossiers carry their files: two each (the request form and an identity paper).
    "dossier_file": """
INSERT INTO dossier_file (dossier_id, component, name, content_type, size, sha256, created_at)
SELECT d.id, f.component, f.name, f.content_type, 20000 + (random() * 900000)::int,
       md5(d.id::text || f.component) || md5(f.component || d.id::text), d.received_at
FROM dossier AS d
CROSS JOIN (VALUES ('don_de_nghi', 'don.pdf', 'application/pdf'),
                   ('giay_to_tuy_than', 'cccd.jpg', 'image/jpeg')) AS f(component, name, content_type)
WHERE d.has_files
""",
    # Every dossier has its receipt (form 01), so the EXISTS on kind = 'result' has rows to skip.
    "issued_document (receipts)": """
INSERT INTO issued_document (dossier_id, kind, number, agency_id, content, sha256, created_at)
SELECT id, 'receipt', 'BENCH-TN-' || id, receiving_agency_id, '{}'::json,
       md5(id::text) || md5('receipt' || id::text), received_at
FROM dossier
""",
    # ~80 % of finished dossiers have their signed electronic result (sha256 and signed_at set).
    "issued_document (results)": """
INSERT INTO issued_document (dossier_id, kind, number, agency_id, content, sha256, signed_at, created_at)
SELECT id, 'result', 'BENCH-KQ-' || id, resolving_agency_id, '{}'::json,
       md5(id::text || 'result') || md5('result' || id::text), finished_at + interval '1 hour', finished_at
FROM dossier WHERE has_e_result
""",
    # ~40 % of finished dossiers are rated: satisfied 70 %, acceptable 22 %, not satisfied 8 %.
    "rating": f"""
INSERT INTO rating (dossier_id, value, comment, created_at)
SELECT id, CASE WHEN r < 0.70 THEN 'satisfied' WHEN r < 0.92 THEN 'acceptable' ELSE 'not_satisfied' END,
       '', finished_at + interval '1 day'
FROM (SELECT id, finished_at, {draw(RATING)} AS r FROM dossier WHERE {RATED_SQL}) AS rated
""",
    # ~60 % of dossiers of procedures with a fee have a payment recorded; half of those online.
    "payment": f"""
INSERT INTO payment (dossier_id, amount, channel, receipt_number, paid_at)
SELECT id, 50000,
       CASE WHEN r < 0.5 THEN 'counter' WHEN r < 0.8 THEN 'national_portal' ELSE 'provincial_gateway' END,
       'BENCH-BL-' || id, received_at + interval '1 hour'
FROM (SELECT id, received_at, {draw(PAY_CHANNEL)} AS r FROM dossier WHERE {PAID_SQL}) AS paid
""",
}

LOADED = ("dossier", "dossier_file", "issued_document", "rating", "payment")

# What the load sets aside and puts back once the rows are in (an index is built once from the
# table rather than maintained row by row, a foreign key checked in one join rather than a
# trigger per row): every index but the primary keys, and every unique and foreign-key
# constraint of the loaded tables.
SET_ASIDE_SQL = """
SELECT CASE c.contype WHEN 'u' THEN 'unique' ELSE 'foreign key' END, c.conrelid::regclass::text, c.conname,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
FROM pg_constraint c
WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype IN ('u', 'f')
UNION ALL
SELECT 'index', i.indrelid::regclass::text, i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""

BASELINE_SQL = "SELECT count(*) FROM dossier WHERE received_at >= :since AND received_at < :until"


class NotRun(Exception):
    """PostgreSQL is not there: the benchmark says so in one line and exits 0."""


@contextmanager
def database():
    """(url, label): BENCH_DATABASE_URL as given, or a scratch database dropped on the way out."""
    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        url = database_url(given)
        if not url.startswith("postgresql"):
            raise NotRun(f"BENCH_DATABASE_URL is not PostgreSQL ({url.split(':')[0]})")
        _ping(url)
        yield url, make_url(url).database
        return
    name = f"motcua_bench_{secrets.token_hex(4)}"
    admin = create_engine(
        database_url(SERVER + "postgres"), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any failure to reach the server means "not run"
        admin.dispose()
        raise NotRun(f"PostgreSQL unreachable at {SERVER} ({_first_line(exc)})") from exc
    try:
        yield database_url(SERVER + name), f"scratch database {name}, dropped at the end"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_schema() -> None:
    """The database emptied and rebuilt by the migrations, the demo structure and the catalogue."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.drop_all()
    upgrade()
    seed_structure()
    catalogue.sync_folder(ROOT / "procedures")


def _ping(url: str) -> None:
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise NotRun(f"PostgreSQL unreachable at BENCH_DATABASE_URL ({_first_line(exc)})") from exc
    finally:
        engine.dispose()


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _ids(sql: str) -> list[int]:
    return list(db.session.scalars(text(sql)))


def generate(count: int, scope: stats.Scope, now: datetime) -> tuple[dict[str, float], dict[str, int]]:
    """The rows, in SQL; returns seconds per step and rows per table.

    One INSERT … SELECT per table into tables without their secondary indexes and their unique
    and foreign-key constraints, which are put back afterwards (the same definitions, read from
    the catalogue), then VACUUM (ANALYZE)."""
    versions = _ids("SELECT id FROM procedure_version WHERE valid_to IS NULL ORDER BY id")
    desks = _ids("SELECT id FROM agency WHERE kind = 'one_stop' ORDER BY id")
    resolvers = _ids("SELECT id FROM agency WHERE kind IN ('committee', 'department') ORDER BY id")
    fee_versions = stats._versions().fee
    seconds, rows = {}, {}
    db.session.execute(text("SET maintenance_work_mem = '256MB'"))   # this session's index builds
    aside = db.session.execute(text(SET_ASIDE_SQL), {"tables": list(LOADED)}).all()
    order = ("index", "unique", "foreign key")   # built in this order, dropped in the reverse one
    aside.sort(key=lambda row: order.index(row[0]))
    for kind, table, name, _ in reversed(aside):
        db.session.execute(text(f'DROP INDEX "{name}"' if kind == "index"
                                else f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    db.session.commit()
    t0 = time.perf_counter()
    rows["dossier"] = db.session.execute(
        text(DOSSIERS_SQL),
        {"n": count, "since": scope.since, "now": now, "versions": versions, "desks": desks,
         "resolvers": resolvers, "fee_versions": fee_versions},
    ).rowcount
    db.session.commit()
    seconds["dossiers"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for table, sql in DEPENDENTS_SQL.items():
        rows[table] = db.session.execute(text(sql), {"fee_versions": fee_versions}).rowcount
    db.session.commit()
    seconds["files, documents, ratings, payments"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _, _, _, definition in aside:
        db.session.execute(text(definition))
    db.session.commit()
    seconds["indexes and constraints"] = time.perf_counter() - t0
    # VACUUM as well as ANALYZE: a live database has been vacuumed (visibility map, hint bits);
    # without it the first timed runs would write hint bits, or race autovacuum.
    t0 = time.perf_counter()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    seconds["VACUUM (ANALYZE)"] = time.perf_counter() - t0
    return seconds, rows


def timed(call) -> tuple[float, float, object]:
    """(median ms, max ms, last result) over REPEATS runs after one warm-up."""
    call()
    timings, result = [], None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings), max(timings), result


def today_in_office(now: datetime):
    return now.astimezone(OFFICE_TZ).date()


def report_cases(client, today) -> tuple[tuple, tuple, str]:
    """(uncached, cached, url) for the monthly report of the month before today's: a closed month."""
    last = today.replace(day=1) - timedelta(days=1)
    url = f"/thong-ke/bao-cao-thang.pdf?nam={last.year}&thang={last.month}"

    def fresh():
        db.session.execute(delete(RenderedReport))
        db.session.commit()
        return client.get(url).status_code

    uncached = timed(fresh)
    cached = timed(lambda: client.get(url).status_code)
    return uncached, cached, url


def closed_cases(client, scope: stats.Scope) -> tuple[tuple, tuple, tuple, str]:
    """(built, read, page, url) for a closed period: stats.overview with its roll-up deleted
    before each run (counted from the dossiers and stored), then read from the roll-up, and
    the whole dashboard page of that period."""
    def cold():
        db.session.execute(delete(StatsRollup))
        db.session.execute(delete(StatsPeriod))
        db.session.commit()
        return stats.overview(scope)

    built = timed(cold)
    read = timed(lambda: stats.overview(scope))
    url = f"/thong-ke?ky=custom&tu={scope.start.isoformat()}&den={scope.end.isoformat()}"
    page = timed(lambda: client.get(url).status_code)
    return built, read, page, url


def explain_figures(scope: stats.Scope) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statement stats.figures sends, captured as sent."""
    sent = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "count(" in statement and "FROM dossier" in statement:   # the aggregate over the dossiers
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        stats.figures(scope)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = sent[-1]   # of an open period: the part not read from the roll-up
    plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
    return "\n".join(line for (line,) in plan)


def main() -> None:
    # A TERM (a CI timeout, make interrupted) unwinds like an error, so the scratch database is dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    count = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
    today = datetime.now(OFFICE_TZ).date()
    scope = stats.Scope(today - timedelta(days=364), today)  # the last 12 months, province, all levels
    try:
        with database() as (url, label):
            run(url, label, count, scope)
    except NotRun as reason:
        print(f"Dashboard benchmark not run: {reason}.")


def run(url: str, label: str, count: int, scope: stats.Scope) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        try:
            fresh_schema()
            now = utcnow()
            seconds, rows = generate(count, scope, now)
            server = db.session.execute(text("SHOW server_version")).scalar()
            settings = ", ".join(
                f"{name}={db.session.execute(text(f'SHOW {name}')).scalar()}"
                for name in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather")
            )
            window = {"since": scope.since, "until": scope.until}

            base = timed(lambda: db.session.execute(text(BASELINE_SQL), window).scalar())
            figures = timed(lambda: stats.figures(scope))
            agencies = timed(lambda: stats.overview(scope))
            trend = timed(lambda: stats.months(scope))
            client = app.test_client()
            page_url = f"/thong-ke?ky=custom&tu={scope.start.isoformat()}&den={scope.end.isoformat()}"
            page = timed(lambda: client.get(page_url).status_code)
            uncached, cached, report_url = report_cases(client, today_in_office(now))
            closed = stats.Scope(scope.start, today_in_office(now).replace(day=1) - timedelta(days=1))
            built, rolled, closed_page, closed_url = closed_cases(client, closed)
            plan = explain_figures(scope) if os.environ.get("BENCH_EXPLAIN") == "1" else None

            print(f"Dashboard benchmark: {count:,} dossiers on PostgreSQL {server} ({label}); {settings}")
            print(f"Scope: received {scope.start} to {scope.end} (last 12 months), province, all levels")
            print(
                f"Generating took {sum(seconds.values()):.1f} s ("
                + ", ".join(f"{step} {s:.1f} s" for step, s in seconds.items())
                + ")"
            )
            print("Rows: " + ", ".join(f"{table} {n:,}" for table, n in rows.items()))
            print(
                f"Counted in scope: baseline {base[2]:,}, stats.figures received {figures[2].counts.received:,}, "
                f"overview {len(agencies[2][1])} agencies; {REPEATS} timed runs per case after 1 warm-up"
            )
            c = figures[2].counts
            print(
                f"Mix (as stats.figures counts it): finished {c.finished:,} (early {c.early:,}, on time {c.on_time:,}, "
                f"late {c.late:,}), open {c.open_within:,} within / {c.open_overdue:,} overdue, online {c.online:,}, "
                f"with fee {c.with_fee:,} (paid online {c.paid_online:,}), e-result {c.e_result:,}, "
                f"digitised {c.digitised:,}, not satisfied {c.poor_or_complaint:,}"
            )
            print(f"{'case':44} {'median ms':>10} {'max ms':>10} {'median / baseline':>18}")
            for name, (median, worst, _) in {
                "baseline: SELECT count(*) of the same rows": base,
                "stats.figures (province-year dashboard)": figures,
                "stats.overview (figures + per-agency table)": agencies,
                "stats.months (12-month trend)": trend,
                "GET /thong-ke (the whole dashboard page)": page,
                "closed period: overview, roll-up built": built,
                "closed period: overview, from the roll-up": rolled,
                "closed period: GET /thong-ke (whole page)": closed_page,
                "monthly report PDF, uncached (WeasyPrint)": uncached,
                "monthly report PDF, cached (closed month)": cached,
            }.items():
                print(f"{name:44} {median:10.1f} {worst:10.1f} {median / base[0]:18.2f}")
            assert page[2] == 200 and closed_page[2] == 200, (page[2], closed_page[2])
            print(f"Closed period: {closed.start} to {closed.end} ({closed_url}), province, all levels")
            print("Targets (issue 15): province-year dashboard under 300 ms at 1,000,000 dossiers, under 1 s at "
                  "10,000,000.")
            print(f"Monthly report {report_url}: uncached / cached = {uncached[0] / cached[0]:.1f} "
                  f"({uncached[0]:.1f} ms / {cached[0]:.1f} ms, medians)")
            if plan:
                print("EXPLAIN (ANALYZE, BUFFERS) of the stats.figures statement:")
                print(plan)
        finally:
            db.session.remove()
            if os.environ.get("BENCH_DATABASE_URL"):  # a given database: leave it empty, not 1M rows
                db.drop_all()
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            db.engine.dispose()


if __name__ == "__main__":
    main()
