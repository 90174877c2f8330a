"""Every ``VOTES_*`` environment variable, read once, typed and validated at start.

A bad value stops the program with one clear line (:class:`SettingsError`), never a traceback.
The table in the README and ``docker/.env.example`` document the same variables; a test keeps the
three in step.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

_E = TypeVar("_E", bound=StrEnum)


class SettingsError(ValueError):
    """A VOTES_* variable has a value the program cannot run with."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class LiveBackend(StrEnum):
    MEMORY = "memory"  # one process: in-process channels
    POSTGRES = "postgres"  # several workers on one PostgreSQL: LISTEN/NOTIFY


class SmtpSecurity(StrEnum):
    NONE = "none"  # plain SMTP (a relay on the same host or network)
    STARTTLS = "starttls"  # plain connection upgraded to TLS (port 587)
    TLS = "tls"  # TLS from the first byte (port 465)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where outgoing mail goes; ``None`` in :class:`Settings` when no host is set."""

    host: str
    port: int
    security: SmtpSecurity
    user: str
    password: str = field(repr=False)
    sender: str


class DatabaseKind(StrEnum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


# name -> (default, one-line description); the README and .env.example are checked against this.
VARIABLES: Mapping[str, tuple[str, str]] = {
    "VOTES_ENV": ("development", "development, test or production"),
    "VOTES_DATA_DIR": ("var", "folder for the SQLite database and the development secret key"),
    "VOTES_DATABASE_URL": (
        "",
        "empty for SQLite in the data folder, sqlite:///path/file.sqlite3, "
        "or postgresql://user:password@host:port/database",
    ),
    "VOTES_DATABASE_POOL_SIZE": ("10", "PostgreSQL connections kept open per worker"),
    "VOTES_SECRET_KEY": (
        "",
        "at least 32 characters; required in production (signs sessions and CSRF tokens)",
    ),
    "VOTES_HOST": ("127.0.0.1", "address `votes serve` listens on"),
    "VOTES_PORT": ("8000", "port `votes serve` listens on"),
    "VOTES_WORKERS": ("1", "worker processes for `votes serve` (more than 1 needs PostgreSQL)"),
    "VOTES_LIVE_BACKEND": ("memory", "live updates: memory (one process) or postgres"),
    "VOTES_LIVE_HEARTBEAT_SECONDS": (
        "15",
        "seconds between keep-alive lines on idle live update streams",
    ),
    "VOTES_DEFAULT_LANGUAGE": ("fr", "fr, en or nl: language when nothing else chooses one"),
    "VOTES_SESSION_HOURS": ("24", "how long a sign-in lasts, in hours"),
    "VOTES_SECURE_COOKIES": ("auto", "auto (on in production), true or false"),
    "VOTES_LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING or ERROR"),
    "VOTES_SMTP_HOST": (
        "",
        "SMTP server for outgoing mail; empty: mail is kept in the outbox for admins to see",
    ),
    "VOTES_SMTP_PORT": ("587", "SMTP port (587 for starttls, 465 for tls, 25 for none)"),
    "VOTES_SMTP_SECURITY": ("starttls", "none, starttls or tls"),
    "VOTES_SMTP_USER": ("", "SMTP user name; empty: no login"),
    "VOTES_SMTP_PASSWORD": ("", "SMTP password (with VOTES_SMTP_USER)"),
    "VOTES_SMTP_SENDER": (
        "",
        "the From address of outgoing mail; required with VOTES_SMTP_HOST",
    ),
}

SUPPORTED_LANGUAGES = ("fr", "en", "nl")
_SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
_MIN_SECRET_LENGTH = 32


@dataclass(frozen=True, slots=True)
class Settings:
    env: Environment
    data_dir: Path
    database_kind: DatabaseKind
    sqlite_path: Path | None
    database_url: str | None
    database_pool_size: int
    secret_key: str
    host: str
    port: int
    workers: int
    live_backend: LiveBackend
    live_heartbeat_seconds: int
    default_language: str
    session_hours: int
    secure_cookies: bool
    log_level: str
    smtp: SmtpSettings | None = None
    sender: str = "votes@localhost"  # the From of mail kept in the outbox without SMTP

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise :class:`SettingsError` on the first bad one."""
        source = os.environ if environ is None else environ

        def get(name: str) -> str:
            return source.get(name, VARIABLES[name][0]).strip()

        env = _choice("VOTES_ENV", get("VOTES_ENV"), Environment)
        data_dir = Path(get("VOTES_DATA_DIR")).expanduser()
        kind, sqlite_path, database_url = _parse_database_url(get("VOTES_DATABASE_URL"), data_dir)
        workers = _integer("VOTES_WORKERS", get("VOTES_WORKERS"), minimum=1, maximum=64)
        live_backend = _choice("VOTES_LIVE_BACKEND", get("VOTES_LIVE_BACKEND"), LiveBackend)
        if workers > 1 and kind is DatabaseKind.SQLITE:
            raise SettingsError(
                "VOTES_WORKERS > 1 needs PostgreSQL (set VOTES_DATABASE_URL=postgresql://…)"
            )
        if live_backend is LiveBackend.POSTGRES and kind is not DatabaseKind.POSTGRES:
            raise SettingsError("VOTES_LIVE_BACKEND=postgres needs a PostgreSQL VOTES_DATABASE_URL")
        if workers > 1 and live_backend is LiveBackend.MEMORY:
            raise SettingsError(
                "VOTES_WORKERS > 1 needs VOTES_LIVE_BACKEND=postgres "
                "(memory channels do not cross processes)"
            )
        language = get("VOTES_DEFAULT_LANGUAGE").lower()
        if language not in SUPPORTED_LANGUAGES:
            raise SettingsError(
                f"VOTES_DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}, "
                f"not {language!r}"
            )
        return cls(
            env=env,
            data_dir=data_dir,
            database_kind=kind,
            sqlite_path=sqlite_path,
            database_url=database_url,
            database_pool_size=_integer(
                "VOTES_DATABASE_POOL_SIZE", get("VOTES_DATABASE_POOL_SIZE"), minimum=1, maximum=200
            ),
            secret_key=_secret_key(get("VOTES_SECRET_KEY"), env, data_dir),
            host=get("VOTES_HOST") or "127.0.0.1",
            port=_integer("VOTES_PORT", get("VOTES_PORT"), minimum=1, maximum=65535),
            workers=workers,
            live_backend=live_backend,
            live_heartbeat_seconds=_integer(
                "VOTES_LIVE_HEARTBEAT_SECONDS",
                get("VOTES_LIVE_HEARTBEAT_SECONDS"),
                minimum=1,
                maximum=300,
            ),
            default_language=language,
            session_hours=_integer(
                "VOTES_SESSION_HOURS", get("VOTES_SESSION_HOURS"), minimum=1, maximum=24 * 90
            ),
            secure_cookies=_secure_cookies(get("VOTES_SECURE_COOKIES"), env),
            log_level=_log_level(get("VOTES_LOG_LEVEL")),
            smtp=_smtp(get),
            sender=get("VOTES_SMTP_SENDER") or "votes@localhost",
        )


def _choice(name: str, raw: str, enum: type[_E]) -> _E:
    try:
        return enum(raw.lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise SettingsError(f"{name} must be one of {allowed}, not {raw!r}") from None


def _integer(name: str, raw: str, *, minimum: int, maximum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value


def _parse_database_url(raw: str, data_dir: Path) -> tuple[DatabaseKind, Path | None, str | None]:
    if not raw:
        return DatabaseKind.SQLITE, data_dir / "votes.sqlite3", None
    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path, as SQLAlchemy writes them
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise SettingsError("VOTES_DATABASE_URL sqlite:/// needs a file path")
        return DatabaseKind.SQLITE, Path(path), None
    if parts.scheme in ("postgresql", "postgres"):
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(
                "VOTES_DATABASE_URL must name a host and a database: "
                "postgresql://user:password@host:5432/database"
            )
        try:
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise SettingsError("VOTES_DATABASE_URL has a port that is not a number") from None
        return DatabaseKind.POSTGRES, None, raw
    raise SettingsError(
        "VOTES_DATABASE_URL must start with sqlite:/// or postgresql:// "
        f"(got {parts.scheme or raw!r})"
    )


def _secret_key(raw: str, env: Environment, data_dir: Path) -> str:
    if raw:
        if len(raw) < _MIN_SECRET_LENGTH:
            raise SettingsError(
                f"VOTES_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters"
            )
        return raw
    if env is Environment.PRODUCTION:
        raise SettingsError(
            "VOTES_SECRET_KEY is required in production: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )
    return _development_secret(data_dir)


def write_once(path: Path, text: str) -> None:
    """Write ``text`` to a new file only its owner reads, unless the file is there already:
    with O_EXCL, two workers starting together cannot both write it (the first one stays)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _development_secret(data_dir: Path) -> str:
    """One key per data folder, generated once: sessions survive restarts and span workers."""
    path = data_dir / _SECRET_FILE
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            write_once(path, secrets.token_urlsafe(48))
        key = path.read_text().strip()
    except OSError as error:
        raise SettingsError(f"cannot keep the development key in {path}: {error}") from None
    if len(key) < _MIN_SECRET_LENGTH:
        raise SettingsError(f"{path} holds a key shorter than {_MIN_SECRET_LENGTH} characters")
    return key


def _secure_cookies(raw: str, env: Environment) -> bool:
    value = raw.lower()
    if value == "auto":
        return env is Environment.PRODUCTION
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise SettingsError(f"VOTES_SECURE_COOKIES must be auto, true or false, not {raw!r}")


def _smtp(get: Callable[[str], str]) -> SmtpSettings | None:
    """The SMTP settings, or ``None`` without a host (mail then waits in the outbox)."""
    port = _integer("VOTES_SMTP_PORT", get("VOTES_SMTP_PORT"), minimum=1, maximum=65535)
    security = _choice("VOTES_SMTP_SECURITY", get("VOTES_SMTP_SECURITY"), SmtpSecurity)
    user, password = get("VOTES_SMTP_USER"), get("VOTES_SMTP_PASSWORD")
    sender = get("VOTES_SMTP_SENDER")
    if sender and not _looks_like_address(sender):
        raise SettingsError(f"VOTES_SMTP_SENDER must be an e-mail address, not {sender!r}")
    host = get("VOTES_SMTP_HOST")
    if not host:
        return None
    if not sender:
        raise SettingsError("VOTES_SMTP_SENDER is required with VOTES_SMTP_HOST (the From address)")
    if password and not user:
        raise SettingsError("VOTES_SMTP_PASSWORD needs VOTES_SMTP_USER")
    return SmtpSettings(
        host=host, port=port, security=security, user=user, password=password, sender=sender
    )


def _looks_like_address(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() or c in "<>," for c in value)


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"VOTES_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {raw!r}")
    return level
