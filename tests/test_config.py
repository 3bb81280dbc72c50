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
