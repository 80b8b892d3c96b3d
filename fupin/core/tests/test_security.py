"""Production settings: Argon2, headers, CSRF, no debug; SQLite in WAL mode with immediate transactions."""

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import override_settings

import fupin.settings as production


def test_production_defaults():
    assert production.DEBUG is False
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert production.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise")
    assert production.AXES_FAILURE_LIMIT == 5
    assert "'unsafe-inline'" not in production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]


def test_passwords_are_argon2():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert make_password("fupin-demo").startswith("argon2$")


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("ALLOWED_HOSTS", "fupin.example.gov.cn, localhost")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/fupin")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    try:
        settings = importlib.reload(production)
        assert settings.DEBUG is True
        assert settings.ALLOWED_HOSTS == ["fupin.example.gov.cn", "localhost"]
        assert settings.DATABASES["default"]["NAME"] == "fupin"
        key = settings.SECRET_KEY
        assert len(key) > 40 and (tmp_path / "secret_key").read_text() == key
        assert key == importlib.reload(production).SECRET_KEY  # kept across restarts
    finally:
        monkeypatch.undo()
        importlib.reload(production)


def test_security_headers(client, jinxiang):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_forms_need_csrf(jinxiang, sima_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "sima", "password": "correct-horse-battery"})
    assert response.status_code == 403


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_options(db):
    options = production.DATABASES["default"].get("OPTIONS", {})
    if production.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        assert options["transaction_mode"] == "IMMEDIATE"
        assert "journal_mode=WAL" in options["init_command"]
        assert options["timeout"] >= 5
