"""Settings: every VOTES_* variable validated at start, with one clear line when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from votes.settings import DatabaseKind, Environment, Settings, SettingsError


def test_defaults_give_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"VOTES_DATA_DIR": str(tmp_path)})
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_kind is DatabaseKind.SQLITE
    assert settings.sqlite_path == tmp_path / "votes.sqlite3"
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)


def test_development_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env({"VOTES_DATA_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"VOTES_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="VOTES_SECRET_KEY is required in production"):
        Settings.from_env({"VOTES_ENV": "production", "VOTES_DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()  # no silent key in production
    settings = Settings.from_env({"VOTES_ENV": "production", "VOTES_SECRET_KEY": "k" * 40})
    assert settings.secure_cookies


def test_postgres_url_is_recognised() -> None:
    settings = Settings.from_env(
        {
            "VOTES_DATABASE_URL": "postgresql://votes:pw@db:5432/votes",
            "VOTES_SECRET_KEY": "k" * 40,
            "VOTES_WORKERS": "4",
            "VOTES_LIVE_BACKEND": "postgres",
        }
    )
    assert settings.database_kind is DatabaseKind.POSTGRES
    assert settings.workers == 4


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("VOTES_DATABASE_URL", "mysql://x/y", "must start with sqlite:/// or postgresql://"),
        ("VOTES_DATABASE_URL", "postgresql://", "must name a host and a database"),
        ("VOTES_DATABASE_URL", "postgresql://h:port/db", "port that is not a number"),
        ("VOTES_PORT", "eighty", "VOTES_PORT must be a whole number"),
        ("VOTES_PORT", "70000", "VOTES_PORT must be between 1 and 65535"),
        ("VOTES_ENV", "staging", "VOTES_ENV must be one of development, test, production"),
        ("VOTES_SECRET_KEY", "short", "at least 32 characters"),
        ("VOTES_DEFAULT_LANGUAGE", "de", "VOTES_DEFAULT_LANGUAGE must be one of fr, en, nl"),
        ("VOTES_WORKERS", "3", "needs PostgreSQL"),
        ("VOTES_LIVE_BACKEND", "postgres", "needs a PostgreSQL VOTES_DATABASE_URL"),
        ("VOTES_SECURE_COOKIES", "maybe", "VOTES_SECURE_COOKIES must be auto, true or false"),
        ("VOTES_LOG_LEVEL", "LOUD", "VOTES_LOG_LEVEL must be"),
        ("VOTES_SMTP_PORT", "smtp", "VOTES_SMTP_PORT must be a whole number"),
        ("VOTES_SMTP_SECURITY", "ssl", "VOTES_SMTP_SECURITY must be one of none, starttls, tls"),
        ("VOTES_SMTP_SENDER", "not an address", "VOTES_SMTP_SENDER must be an e-mail address"),
        ("VOTES_SMTP_HOST", "mail.example.org", "VOTES_SMTP_SENDER is required"),
    ],
)
def test_bad_values_are_named_in_one_clear_sentence(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        Settings.from_env({"VOTES_DATA_DIR": str(tmp_path), variable: value})
    assert "\n" not in str(error.value)


def test_smtp_settings_are_read_and_absent_without_a_host(tmp_path: Path) -> None:
    base = {"VOTES_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(base).smtp is None  # mail waits in the outbox
    smtp = Settings.from_env(
        {
            **base,
            "VOTES_SMTP_HOST": "mail.example.org",
            "VOTES_SMTP_PORT": "465",
            "VOTES_SMTP_SECURITY": "TLS",
            "VOTES_SMTP_USER": "votes",
            "VOTES_SMTP_PASSWORD": "secret",
            "VOTES_SMTP_SENDER": "votes@example.org",
        }
    ).smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.security.value) == ("mail.example.org", 465, "tls")
    assert "secret" not in repr(smtp)
