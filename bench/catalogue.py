"""Catalogue search speed: `make bench`.

Seeds 2,000 generated procedures (the shipped files, each copied under new codes) into a
scratch database, then times, in the same run and on the same database:
- baseline: an endpoint that does one indexed query (a procedure by primary key);
- the catalogue search, through the JSON API and the HTML page, with and without a query.
It prints requests/s and p95 for each, the ratios to the baseline, and the memory the in-memory
listing holds. Targets (issue 3): p95 under 30 ms, and at least half the baseline's requests/s.
It prints; it does not judge.

BENCH_DATABASE_URL picks the database (default: a SQLite file in a temporary folder).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from flask import jsonify
from flask_migrate import upgrade

from app import create_app
from app.config import ROOT, database_url
from app.extensions import db
from app.models import Procedure
from app.services import catalogue

COUNT = 2000
REQUESTS = 400
ROUNDS = 5


def generate_folder(target: Path, count: int) -> None:
    """`count` procedure files: the shipped ones, cycled, each under a new 3.xxxxxx code."""
    shipped = sorted((ROOT / "procedures").glob("*.yaml"))
    shutil.copytree(ROOT / "procedures" / "forms", target / "forms")
    for i in range(count):
        source = shipped[i % len(shipped)]
        text = source.read_text(encoding="utf-8")
        code = text.split('code: "', 1)[1].split('"', 1)[0]
        name = text.split("vi: ", 1)[1].split("\n", 1)[0].strip().strip('"')
        new_code = f"3.{i:06d}"
        text = text.replace(f'code: "{code}"', f'code: "{new_code}"', 1)
        text = text.replace(f'vi: "{name}"', f'vi: "{name} (mẫu {i})"', 1)
        (target / f"{new_code}-{source.stem.split('-', 1)[1]}.yaml").write_text(text, encoding="utf-8")


def timed(client, paths: list[str]) -> tuple[float, list[float]]:
    """(elapsed seconds, each request's seconds) over `paths`, one request after another."""
    timings = []
    start = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
    return time.perf_counter() - start, timings


def measure(client, cases: dict[str, list[str]]) -> dict[str, tuple[float, float]]:
    """{case: (requests per second, p95 in ms)}. The cases take turns, ROUNDS times, so that a
    slow spell of the machine falls on all of them alike; requests/s is the median of the
    rounds, p95 is over every request of the case."""
    rates: dict[str, list[float]] = {name: [] for name in cases}
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, paths in cases.items():
            elapsed, each = timed(client, paths)
            rates[name].append(len(paths) / elapsed)
            timings[name] += each
    return {
        name: (statistics.median(rates[name]), statistics.quantiles(timings[name], n=100)[94] * 1000) for name in cases
    }


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    url = database_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})

    @app.get("/bench/baseline/<int:pk>")
    def baseline(pk: int):
        return jsonify({"code": db.session.get(Procedure, pk).code})

    with app.app_context():
        db.drop_all()
        upgrade()
        generate_folder(workdir / "procedures", COUNT)
        t0 = time.perf_counter()
        catalogue.sync_folder(workdir / "procedures")
        load_seconds = time.perf_counter() - t0
        ids = [p.id for p in db.session.query(Procedure.id)]
        catalogue.invalidate()
        tracemalloc.start()
        catalogue.listings()
        listing_bytes = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        db.session.remove()

    rng = random.Random(7)
    words = ["khai sinh", "giay phep xay dung", "ket hon", "chung thuc", "ho kinh doanh", "dat dai", "mau 1"]
    client = app.test_client()
    cases = {
        "baseline (1 indexed query)": [f"/bench/baseline/{rng.choice(ids)}" for _ in range(REQUESTS)],
        "API search ?q=": [f"/api/v1/procedures?q={rng.choice(words).replace(' ', '+')}" for _ in range(REQUESTS)],
        "API list page": [f"/api/v1/procedures?page={rng.randint(1, 100)}" for _ in range(REQUESTS)],
        "HTML search ?q=": [f"/thu-tuc?q={rng.choice(words).replace(' ', '+')}" for _ in range(REQUESTS)],
    }
    for paths in cases.values():  # warm-up
        timed(client, paths[:20])
    results = measure(client, cases)
    base_rps, base_p95 = results["baseline (1 indexed query)"]

    print(
        f"Catalogue benchmark: {COUNT} procedures on {url.split(':')[0]}, "
        f"{ROUNDS} rounds of {REQUESTS} sequential requests per case, the cases taking turns"
    )
    print(
        f"Loading {COUNT} files took {load_seconds:.1f} s; "
        f"the in-memory listing holds {listing_bytes / 2**20:.1f} MiB per process"
    )
    print(f"{'case':32} {'req/s':>8} {'p95 ms':>8} {'rps / baseline':>15} {'p95 / baseline':>15}")
    for name, (rps, p95) in results.items():
        print(f"{name:32} {rps:8.0f} {p95:8.2f} {rps / base_rps:15.2f} {p95 / base_p95:15.2f}")
    print("Targets: p95 < 30 ms and rps / baseline >= 0.50 for the search cases.")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
