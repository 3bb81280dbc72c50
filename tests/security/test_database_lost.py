"""A pooled connection the database closed (a restart, a failover) costs the one request that
finds it a clear 503, and the next request connects afresh: the portal does not ping the
database before every request (app/config.py, issue 15)."""
import pytest
from sqlalchemy import event

from app.extensions import db

pytestmark = pytest.mark.usefixtures("loaded_catalogue")


def test_a_lost_connection_is_a_503_once_then_the_pool_reconnects(app, client):
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert client.get("/thu-tuc/1.001193").status_code == 200
    cut = []

    def close_underneath(conn, cursor, statement, parameters, context, executemany):
        if not cut:   # the server's side of the connection goes away before the next statement
            cut.append(statement)
            conn.connection.dbapi_connection.close()

    event.listen(db.engine, "before_cursor_execute", close_underneath)
    try:
        answer = client.get("/thu-tuc/1.001193")
    finally:
        event.remove(db.engine, "before_cursor_execute", close_underneath)
    assert cut and answer.status_code == 503
    assert "mất kết nối tới cơ sở dữ liệu" in answer.get_data(as_text=True)
    assert client.get("/thu-tuc/1.001193").status_code == 200
    assert client.get("/api/v1/procedures/1.001193").status_code == 200


def test_other_database_errors_stay_500(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.services import catalogue

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    monkeypatch.setattr(catalogue, "published", broken)
    assert client.get("/thu-tuc/1.001193").status_code == 500
