"""The cost curve of issue 15 on a database bench.http prepared: `python -m bench.curve`, with
BENCH_DATABASE_URL naming a database that `BENCH_DATABASE_URL=… python -m bench.http` filled
(it leaves a given database as it is). In process (Flask's test client, no gunicorn, one request
at a time), median and max wall time of BENCH_INPROCESS (5) requests after a warm-up, of the
lookup (API and page) and the dashboard (this year, and the closed period bench.http rolled up);
then the dashboard's statements, each timed as sent, and EXPLAIN (ANALYZE, BUFFERS) of the two
heaviest, and of the lookup's. It prints; it does not judge. It never changes the data beyond
what the requests themselves write (the roll-up a closed period reads is already built)."""
from __future__ import annotations

import os
import statistics
import time
from datetime import datetime, timedelta

from sqlalchemy import event, text

from app import create_app
from app.config import database_url
from app.domain.deadlines import OFFICE_TZ
from app.extensions import db


def timed(client, path: str, times: int) -> tuple[float, float]:
    assert client.get(path).status_code == 200, path   # warm-up
    walls = []
    for _ in range(times):
        started = time.perf_counter()
        client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
    return statistics.median(walls), max(walls)


def statements(client, path: str) -> list[tuple[float, str, object]]:
    """(ms, statement, parameters) of each statement one request sends, slowest first."""
    sent, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        sent.append(((time.perf_counter() - started.pop(id(cursor))) * 1000, statement, parameters))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return sorted(sent, key=lambda row: -row[0])


def explain(statement: str, parameters) -> str:
    plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
    text_ = "\n".join(line for (line,) in plan)
    db.session.rollback()
    return text_


def main() -> None:
    url = database_url(os.environ["BENCH_DATABASE_URL"])
    times = int(os.environ.get("BENCH_INPROCESS", "5"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    today = datetime.now(OFFICE_TZ).date()
    closed_end = today.replace(day=1) - timedelta(days=1)
    with app.app_context():
        count = db.session.execute(text("SELECT count(*) FROM dossier")).scalar()
        code = db.session.execute(text("SELECT code FROM dossier WHERE code NOT LIKE 'BENCH-%' LIMIT 1")).scalar()
        db.session.rollback()
        client = app.test_client()
        paths = {
            "GET /api/v1/lookup/<code>": f"/api/v1/lookup/{code}",
            "GET /tra-cuu?ma=<code>": f"/tra-cuu?ma={code}",
            "GET /thong-ke (this year)": "/thong-ke",
            "GET /thong-ke (closed 11 months, roll-up)":
                f"/thong-ke?ky=custom&tu={today - timedelta(days=364)}&den={closed_end}",
        }
        load = os.getloadavg()
        print(f"Curve: {count:,} dossiers; in process, median (max) of {times} after a warm-up; "
              f"load average {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}")
        for name, path in paths.items():
            median, worst = timed(client, path, times)
            print(f"{name:<44} {median:9.1f} ms ({worst:.1f})")
        sent = statements(client, "/thong-ke")
        print(f"GET /thong-ke sends {len(sent)} statements, {sum(ms for ms, _, _ in sent):.1f} ms in all; "
              "the slowest: " + ", ".join(f"{ms:.1f}" for ms, _, _ in sent[:5]) + " ms")
        for rank, (ms, statement, parameters) in enumerate(sent[:2], 1):
            print(f"\n-- dashboard statement {rank} ({ms:.1f} ms as sent):\n{statement}\n-- parameters: {parameters}")
            print(explain(statement, parameters))
        ms, statement, parameters = statements(client, paths["GET /api/v1/lookup/<code>"])[0]
        print(f"\n-- the lookup's statement ({ms:.1f} ms as sent):\n{explain(statement, parameters)}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
