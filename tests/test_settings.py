"""Settings fail loudly: a bad value or a missing secret stops the start with a message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from berjasa.env import env_bool, env_int

PROJECT = Path(__file__).resolve().parent.parent


def load_settings(
    show: str = "s.DEBUG, s.DATABASES['default']['ENGINE']", **env: str
) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DATABASE_REPLICA_URL"}
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed expression
        [sys.executable, "-c", f"import berjasa.settings as s; print({show})"],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_it_starts_in_debug_by_default_without_a_secret_key():
    result = load_settings()
    assert result.returncode == 0, result.stderr
    # Django's SQLite backend, settling the coverage ledger before each commit (berjasa.db)
    assert result.stdout.split() == ["True", "berjasa.db.sqlite3"]


def test_it_refuses_a_debug_value_that_is_not_a_boolean():
    result = load_settings(DEBUG="maybe", SECRET_KEY="x")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_it_reads_postgresql_from_database_url():
    result = load_settings(
        DEBUG="false", SECRET_KEY="x", DATABASE_URL="postgres://u:p@db.example:5432/berjasa"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "berjasa.db.postgresql"]


def test_reports_read_from_the_replica_only_when_one_is_configured():
    show = "s.REPORTS_DATABASE, sorted(s.DATABASES), s.DATABASES.get('replica', {}).get('HOST')"
    primary_only = load_settings(show, DATABASE_URL="postgres://u:p@db.example:5432/berjasa")
    assert primary_only.stdout.split() == ["default", "['default']", "None"]
    with_replica = load_settings(
        show,
        DATABASE_URL="postgres://u:p@db.example:5432/berjasa",
        DATABASE_REPLICA_URL="postgres://u:p@replica.example:5432/berjasa",
    )
    assert with_replica.returncode == 0, with_replica.stderr
    assert with_replica.stdout.split() == [
        "replica",
        "['default',",
        "'replica']",
        "replica.example",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("YES", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", default=not expected) is expected


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "thirty")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER='thirty' is not a whole number."):
        env_int("SOME_NUMBER", 1)


@pytest.mark.parametrize(
    "name", ["IMPORT_MAX_ROWS", "IMPORT_MAX_CELL_CHARS", "IMPORT_MAX_COMPRESSION_RATIO"]
)
def test_it_refuses_an_import_limit_below_one(name):
    result = load_settings(**{name: "0"})
    assert result.returncode != 0
    assert f"{name} must be at least 1." in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a whole number."),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT=70000 is not a port"),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"EMAIL_USE_TLS": "perhaps"}, "EMAIL_USE_TLS='perhaps' is not a boolean"),
        ({"EMAIL_HOST_USER": "berjasa"}, "EMAIL_HOST_USER is set without EMAIL_HOST_PASSWORD."),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT must be at least 1."),
        ({"MAIL_MAX_ATTEMPTS": "0"}, "MAIL_MAX_ATTEMPTS must be at least 1."),
        (
            {"MAIL_RETRY_BASE_SECONDS": "600", "MAIL_RETRY_MAX_SECONDS": "60"},
            "MAIL_RETRY_MAX_SECONDS must not be below MAIL_RETRY_BASE_SECONDS.",
        ),
    ],
)
def test_it_refuses_mail_settings_that_make_no_sense(env, message):
    result = load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_sends_through_smtp_and_development_to_the_console():
    show = "import berjasa.settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_TIMEOUT)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEBUG"))}

    def settings_with(**env):
        done = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", show],
            cwd=PROJECT,
            env={**clean, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.split()

    assert settings_with()[0] == "django.core.mail.backends.console.EmailBackend"
    assert settings_with(
        DEBUG="false", SECRET_KEY="x", EMAIL_HOST="relay.makassarkota.go.id", EMAIL_PORT="587"
    ) == ["django.core.mail.backends.smtp.EmailBackend", "relay.makassarkota.go.id", "587", "10"]
