"""Scale-out (issue 15): two web instances (gunicorn, on two ports) and two RQ workers (`flask
worker`) on one PostgreSQL database, one Redis and one object store (moto's S3 server), and a
dossier taken from intake to result across them over HTTP with the API's bearer tokens: the
citizen submits on A, the desk accepts on B, a worker renders the receipt, the officials decide
on B and A, a worker renders the result, and the citizen downloads both on A (the same bytes on B).

Nothing may live in one process or on one disk: each process gets a STORAGE_DIR of its own
that must never be created (every file is in the object store), the rate limit's counters are
Redis's (the lookup's limit holds across the two instances), and a token issued by one
instance is valid on the other (one SECRET_KEY, the tokens and the browser sessions in the database).

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI (.ci/run); it makes a scratch
database of its own, dropped at the end, and uses Redis database 15, emptied before and after."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy.engine import make_url

from app.config import ROOT
from app.config import database_url as normalise_url
from app.services.demo import DemoAgency
from tests.factories import BIRTH, BIRTH_FORM, PDF, PNG, TICH_SON_DESK
from tests.object_store import new_bucket

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in CI")

BIN = Path(sys.executable).parent
REDIS_DB = 15
PASSWORD = "mat-khau-thu-nghiem"
LOOKUP_LIMIT = 4  # per minute and client address, across every instance
PEOPLE = {"citizen": None, "desk": ("reception", TICH_SON_DESK), "specialist": ("specialist", DemoAgency.TICH_SON),
          "leader": ("leader", DemoAgency.TICH_SON), "clerk": ("clerk", DemoAgency.TICH_SON)}
APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "026090001234", "address": "Phường Tích Sơn",
             "phone": "0912345678", "email": "an@motcua.example"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scratch_database():
    """A fresh PostgreSQL database beside DATABASE_URL's, dropped (connections and all) at the end."""
    import psycopg

    base = make_url(normalise_url(os.environ["DATABASE_URL"]))
    name = f"motcua_scaleout_{os.getpid()}_{int(time.time())}"
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield base.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    from redis import Redis

    parts = urlsplit(os.environ["REDIS_URL"])
    url = parts._replace(path=f"/{REDIS_DB}").geturl()
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


def seed(database: str) -> dict[str, int]:
    """The schema (the migrations), the demo province's units and agencies, the procedures and
    the five people of the journey, written by an app of the test's own on the scratch database."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.services import accounts, catalogue
    from app.services.structure import seed_structure

    seeder = create_app({"SQLALCHEMY_DATABASE_URI": normalise_url(database), "REDIS_URL": None,
                         "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with seeder.app_context():
        upgrade()
        seed_structure()
        catalogue.sync_folder(str(ROOT / "procedures"))
        ids = {}
        for n, (who, grant) in enumerate(PEOPLE.items()):
            grants = [accounts.Grant(*grant)] if grant else []
            ids[who] = accounts.create_user(email=f"{who}@scaleout.example", password=PASSWORD,
                                            full_name=f"Người thử {n}", id_number=None if grant else "026090001234",
                                            grants=grants).id
        db.session.remove()
        db.engine.dispose()
    return ids


class Processes:
    """The processes the test started, ended by their own ids."""

    def __init__(self, logs: Path):
        self.logs, self.started = logs, []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append((name, process, log))
        return process

    def output(self) -> str:
        return "\n".join(f"--- {name}\n{(self.logs / f'{name}.log').read_text(errors='replace')[-3000:]}"
                         for name, _, _ in self.started)

    def stop(self) -> None:
        """SIGTERM each; a second one after a second (an RQ worker waiting on the queue takes
        the first as "finish the job, then stop", the second as "stop now"); SIGKILL at 10 s."""
        for signals in range(2):
            for _, process, _ in self.started:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            if not signals:
                time.sleep(1)
        for _, process, log in self.started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def wait_until(check, what: str, processes: Processes, timeout: float = 40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process, _ in processes.started:
            assert process.poll() is None, f"{name} exited ({process.returncode}) while waiting for {what}\n" \
                                           f"{processes.output()}"
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}\n{processes.output()}")


def answering(base: str) -> bool:
    try:
        return requests.get(f"{base}/", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still importing the app
        return False


def test_intake_to_result_across_two_instances_and_two_workers(scratch_database, redis_url, object_store_server,
                                                               tmp_path):
    import boto3
    from redis import Redis
    from rq import Worker

    bucket = new_bucket(object_store_server)
    ports = {"a": free_port(), "b": free_port()}
    a, b = (f"http://127.0.0.1:{ports[x]}" for x in "ab")
    queue = f"scaleout-{os.getpid()}"
    common = {**os.environ, "DATABASE_URL": scratch_database, "REDIS_URL": redis_url, "RQ_QUEUE": queue,
              "STORAGE_URL": f"s3://{bucket}/motcua", "STORAGE_S3_ENDPOINT": object_store_server,
              "SECRET_KEY": "scale-out-test-only", "PUBLIC_URL": a, "FLASK_APP": "wsgi.py",
              "LOOKUP_RATE_LIMIT": f"{LOOKUP_LIMIT} per minute", "LOGIN_RATE_LIMIT": "100 per minute",
              "SUBMIT_RATE_LIMIT": "100 per hour"}
    processes = Processes(tmp_path)

    def env(name: str) -> dict:
        own = tmp_path / name  # a folder per process: none of it may hold a stored file
        return {**common, "STORAGE_DIR": str(own / "files"), "OUTBOX_DIR": str(own / "outbox"),
                "SIGNING_DEMO_DIR": str(own / "signing")}

    try:
        for name in "ab":
            processes.start(f"web-{name}", [str(BIN / "gunicorn"), "--workers", "1", "--threads", "2",
                                            "--bind", f"127.0.0.1:{ports[name]}", "wsgi:app"], env(f"web-{name}"))
        for n in (1, 2):
            processes.start(f"worker-{n}", [str(BIN / "flask"), "worker"], env(f"worker-{n}"))
        seed(scratch_database)  # while they start (they read nothing before their first request or job)
        wait_until(lambda: answering(a) and answering(b), "both web instances", processes, timeout=60)
        redis = Redis.from_url(redis_url)
        wait_until(lambda: len(Worker.all(connection=redis)) == 2, "both workers", processes)

        def token(base: str, who: str) -> dict:
            answer = requests.post(f"{base}/api/v1/auth/token", json={"email": f"{who}@scaleout.example",
                                                                      "password": PASSWORD}, timeout=10)
            assert answer.status_code == 200, answer.text
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        citizen, desk = token(a, "citizen"), token(b, "desk")
        # A token from A is good on B: one secret, one database.
        assert requests.get(f"{b}/api/v1/dossiers", headers=citizen, timeout=10).status_code == 200

        sent = requests.post(f"{a}/api/v1/dossiers", headers=citizen, timeout=30, data={
            "procedure": BIRTH, "agency": TICH_SON_DESK, "delivery": "online", "data": json.dumps(BIRTH_FORM),
            "applicant": json.dumps(APPLICANT)}, files={"to_khai": ("to-khai.pdf", PDF, "application/pdf"),
                                                        "giay_chung_sinh": ("cs.png", PNG, "image/png")})
        assert sent.status_code == 201, sent.text
        accepted = requests.post(f"{b}/api/v1/dossiers/{sent.json()['reference']}/actions/accept", headers=desk,
                                 timeout=30)
        assert accepted.status_code == 200, accepted.text
        code = accepted.json()["code"]

        def rendered(kind: str):
            def check():
                listed = requests.get(f"{a}/api/v1/dossiers/{code}/documents", headers=citizen, timeout=10)
                assert listed.status_code == 200, listed.text
                return next((d for d in listed.json() if d["kind"] == kind and d["url"]), None)
            return check

        receipt = wait_until(rendered("receipt"), "the receipt rendered by a worker", processes)
        for who, role in (("specialist", "complete_step"), ("leader", "resolve"), ("clerk", "complete_step")):
            base = b if who != "leader" else a
            done = requests.post(f"{base}/api/v1/dossiers/{code}/actions/{role}", headers=token(base, who),
                                 json={"outcome": "approved"} if who == "leader" else {}, timeout=30)
            assert done.status_code == 200, (who, done.text)
        assert done.json()["status"] == "resolved"
        result = wait_until(rendered("result"), "the result rendered by a worker", processes)

        for document in (receipt, result):
            path = urlsplit(document["url"]).path
            on_a = requests.get(f"{a}{path}", headers=citizen, timeout=30)
            on_b = requests.get(f"{b}{path}", headers=citizen, timeout=30)
            assert on_a.status_code == on_b.status_code == 200
            assert on_a.content.startswith(b"%PDF-") and on_a.content == on_b.content
            assert on_a.headers["ETag"] == f'"{document["sha256"]}"'

        # Every file is in the object store, none waits in its temporary area, none on a disk.
        keys = [item["Key"] for item in boto3.client("s3", endpoint_url=object_store_server)
                .list_objects_v2(Bucket=bucket).get("Contents", [])]
        assert {receipt["sha256"], result["sha256"]} <= {key.rsplit("/", 1)[-1] for key in keys}
        assert len(keys) >= 4 and not [key for key in keys if key.startswith("motcua/tmp/")]
        assert not [name for name, _, _ in processes.started if (tmp_path / name / "files").exists()]
        # The two workers did the jobs between them (renders, signatures, e-mails).
        assert sum(w.successful_job_count for w in Worker.all(connection=redis)) >= 2

        # The lookup's limit is counted in Redis: its hits on A and B add up.
        answers = [requests.get(f"{(a, b)[n % 2]}/api/v1/lookup/{code}", timeout=10).status_code
                   for n in range(LOOKUP_LIMIT + 1)]
        assert 429 not in answers[:LOOKUP_LIMIT] and answers[LOOKUP_LIMIT] == 429, answers
    finally:
        processes.stop()
