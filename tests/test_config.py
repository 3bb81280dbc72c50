"""PUBLIC_URL (the receipt's QR code, e-mail links): where the portal was started in
development, required in production (issue 14, item 8)."""
import subprocess

import pytest

from app import create_app
from app.config import ROOT, from_environ, public_url


def _env(monkeypatch, **values):
    for name in ("PUBLIC_URL", "HOST", "PORT", "FLASK_RUN_HOST", "FLASK_RUN_PORT", "MOTCUA_ENV", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_development_default_follows_host_and_port(monkeypatch):
    _env(monkeypatch)
    assert from_environ()["PUBLIC_URL"] == "http://127.0.0.1:5000"
    _env(monkeypatch, PORT="8000")
    assert from_environ()["PUBLIC_URL"] == "http://127.0.0.1:8000"
    _env(monkeypatch, HOST="192.168.1.20", PORT="8080")
    assert from_environ()["PUBLIC_URL"] == "http://192.168.1.20:8080"
    _env(monkeypatch, FLASK_RUN_PORT="5050")  # `flask run` started by hand
    assert from_environ()["PUBLIC_URL"] == "http://127.0.0.1:5050"


def test_wildcard_and_ipv6_hosts_give_a_reachable_url():
    assert public_url({"HOST": "0.0.0.0", "PORT": "8000"}) == "http://127.0.0.1:8000"
    assert public_url({"HOST": "::1", "PORT": "8000"}) == "http://[::1]:8000"


def test_a_set_public_url_wins(monkeypatch):
    _env(monkeypatch, PUBLIC_URL="https://dichvucong.vinhphuc.example/", PORT="8000")
    assert from_environ()["PUBLIC_URL"] == "https://dichvucong.vinhphuc.example"


def test_production_refuses_to_start_without_public_url(monkeypatch):
    _env(monkeypatch, MOTCUA_ENV="production", SECRET_KEY="s" * 32, PORT="8000")
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be set"):
        create_app()
    _env(monkeypatch, MOTCUA_ENV="production", SECRET_KEY="s" * 32, PUBLIC_URL="https://dvc.example")
    assert from_environ()["PUBLIC_URL"] == "https://dvc.example"


def test_the_makefile_hands_host_and_port_to_the_app():
    """`make run` must export HOST and PORT, or the app never sees a PORT given to make."""
    recipe = (ROOT / "Makefile").read_text() + "\nshow-env:\n\t@echo $$HOST $$PORT\n"
    shown = subprocess.run(["make", "-s", "-f", "-", "show-env", "PORT=8123"], cwd=ROOT, capture_output=True,
                           text=True, input=recipe, check=True).stdout
    assert shown.split() == ["127.0.0.1", "8123"]


# --- STORAGE_URL (issue 15, scale-out): files in an object store shared by every process ---

@pytest.mark.parametrize("url", ["s3:/bucket", "s3://", "s3:///prefix", "file:///srv/files", "minio://bucket/x"])
def test_a_malformed_storage_url_stops_the_start(monkeypatch, url):
    _env(monkeypatch, STORAGE_URL=url)
    with pytest.raises(RuntimeError, match="STORAGE_URL must look like s3://bucket/prefix"):
        from_environ()


def test_storage_url_chooses_the_object_store_and_unset_the_folder(monkeypatch):
    from app.services import storage
    from app.services.storage_backends import Folder, ObjectStore, parse_url

    _env(monkeypatch, STORAGE_URL="s3://motcua-files/production/", STORAGE_S3_ENDPOINT="http://minio.internal:9000",
         AWS_ACCESS_KEY_ID="test-only", AWS_SECRET_ACCESS_KEY="test-only", AWS_DEFAULT_REGION="us-east-1")
    settings = from_environ()
    assert (settings["STORAGE_URL"], settings["STORAGE_S3_ENDPOINT"]) == ("s3://motcua-files/production/",
                                                                        "http://minio.internal:9000")
    assert parse_url(settings["STORAGE_URL"]) == ("motcua-files", "production")
    assert parse_url("s3://motcua-files") == ("motcua-files", "")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        chosen = storage.backend()
        assert isinstance(chosen, ObjectStore) and storage.backend() is chosen  # one client per process
        assert (chosen.bucket, chosen.base) == ("motcua-files", "production/")
        assert chosen.client.meta.endpoint_url == "http://minio.internal:9000"
        with pytest.raises(TypeError, match="not a folder"):
            storage.path_for("0" * 64)
    _env(monkeypatch)
    monkeypatch.delenv("STORAGE_URL", raising=False)
    assert from_environ()["STORAGE_URL"] is None
    with create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).app_context():
        assert isinstance(storage.backend(), Folder)


# --- Zalo ZNS (issue 16): templates per notice kind, the token store's key ---

def test_zalo_settings_default_to_zalos_endpoints_and_read_the_templates(monkeypatch):
    _env(monkeypatch, ZALO_APP_ID="4291763606161179100", ZALO_TEMPLATES='{"received": "231234", "fee": 231240}')
    settings = from_environ()
    assert settings["ZALO_ZNS_URL"] == "https://business.openapi.zalo.me/message/template"
    assert settings["ZALO_OAUTH_URL"] == "https://oauth.zaloapp.com/v4/oa/access_token"
    assert settings["ZALO_TEMPLATES"] == {"received": "231234", "fee": "231240"}
    assert settings["ZALO_TOKEN_KEY"] is None and settings["ZALO_TIMEOUT"] == 10


@pytest.mark.parametrize("templates", ['["231234"]', "{received: 1}", '{"received": ""}', '{"received": null}'])
def test_malformed_zalo_templates_stop_the_start(monkeypatch, templates):
    _env(monkeypatch, ZALO_TEMPLATES=templates)
    with pytest.raises(RuntimeError, match="ZALO_TEMPLATES must be a JSON object"):
        from_environ()


def test_a_zalo_token_key_must_be_a_fernet_key(monkeypatch):
    _env(monkeypatch, ZALO_TOKEN_KEY="not-a-key")
    with pytest.raises(RuntimeError, match="ZALO_TOKEN_KEY must be a Fernet key"):
        from_environ()
