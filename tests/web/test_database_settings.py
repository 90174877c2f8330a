"""The settings given to ``create_app`` decide the database, not the environment it was
imported in: two apps built with two settings each write to their own file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from tests.web.helpers import csrf_token

from votes.db.database import use_database
from votes.db.migrate import migrate
from votes.settings import Settings
from votes.web.app import create_app


def _settings(data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "VOTES_ENV": "test",
            "VOTES_DATA_DIR": str(data_dir),
            "VOTES_SECRET_KEY": "another-test-secret-key-long-enough-0123456789",
        }
    )


def _failures(path: Path | None) -> list[str]:
    assert path is not None
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT throttle_key FROM sign_in_failure")]


@pytest.fixture
def _back_to_the_suites_database() -> Iterator[None]:
    yield
    use_database(Settings.from_env())


@pytest.mark.usefixtures("_back_to_the_suites_database")
async def test_two_apps_write_to_the_database_of_their_own_settings(tmp_path: Path) -> None:
    first, second = _settings(tmp_path / "first"), _settings(tmp_path / "second")
    for settings in (first, second):
        use_database(settings)
        await migrate(quiet=True)
    apps = {"first@example.org": create_app(first), "second@example.org": create_app(second)}

    for email, app in apps.items():
        async with AsyncTestClient(app, base_url="http://testserver.local") as client:
            token = await csrf_token(client, "/")  # type: ignore[arg-type]
            response = await client.post(
                "/login",
                data={"email": email, "password": "wrong", "_csrf_token": token, "next": "/"},
            )
            assert response.status_code == 422  # refused, and counted

    assert "account:first@example.org" in _failures(first.sqlite_path)
    assert "account:second@example.org" not in _failures(first.sqlite_path)
    assert "account:second@example.org" in _failures(second.sqlite_path)
    assert "account:first@example.org" not in _failures(second.sqlite_path)
