"""Issue 18: with the rate limits' store (Redis) down, limited pages still answer — the limits
go on in the process's memory, with a log line — never a 500."""
from __future__ import annotations

from app import create_app


def test_rate_limited_pages_answer_when_the_limit_store_is_down(app, tmp_path):
    down = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "LOOKUP_RATE_LIMIT": "2 per minute", "SERVER_NAME": "localhost",
        "STORAGE_DIR": str(tmp_path / "files"), "OUTBOX_DIR": str(tmp_path / "outbox"),
    })
    client = down.test_client()
    codes = [client.get("/tra-cuu?ma=000.00.01.H62-260101-0001").status_code for _ in range(3)]
    assert codes == [404, 404, 429]  # an unknown code, twice; then limited in memory instead
    assert client.post("/api/v1/auth/token", json={"email": "x@motcua.example", "password": "p"}).status_code == 401
