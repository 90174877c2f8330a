"""The `votes` command, run as a newcomer or an operator would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.cli import outside_environment, votes
from tests.support.server import free_port


@pytest.mark.parametrize("command", ["serve", "migrate", "create-admin", "demo"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = votes(command, "--help", env={"VOTES_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "usage: votes" in result.stdout


def test_serve_without_secret_key_in_production_stops_with_one_line(tmp_path: Path) -> None:
    result = votes("serve", env={"VOTES_ENV": "production", "VOTES_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "VOTES_SECRET_KEY is required in production" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_with_a_bad_database_url_stops_with_one_line(tmp_path: Path) -> None:
    result = votes(
        "serve", env={"VOTES_DATABASE_URL": "mongodb://x", "VOTES_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "VOTES_DATABASE_URL must start with" in result.stderr


def test_unreachable_postgres_is_reported_without_a_traceback(tmp_path: Path) -> None:
    result = votes(
        "migrate",
        env={
            "VOTES_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/nothing",
            "VOTES_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_loads_once_then_says_it_is_there(tmp_path: Path) -> None:
    env = {"VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    first = votes("demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "demo loaded" in first.stdout
    assert "camille@demo.votes.invalid" in first.stdout
    # the network of #20 and its gathering are named, with where to find them
    assert "Network: Réseau Coopératif des Communs and its gathering « Rencontre d'été »" in (
        first.stdout
    )
    assert "/o/demo-reseau/gatherings" in first.stdout
    second = votes("demo", env=env)
    assert second.returncode == 0
    assert "already loaded" in second.stdout


def test_serve_with_a_port_names_that_port_in_the_demo_hint(tmp_path: Path) -> None:
    """`votes serve --demo --port N` told the newcomer to open port 8000, where nothing ran."""
    port = free_port()
    env = {**outside_environment(), "VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "votes.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        hint = next(line for line in server.stdout if "Demo: open" in line)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert f"http://127.0.0.1:{port}/" in hint


def test_create_admin_then_refuses_the_same_email(tmp_path: Path) -> None:
    env = {"VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    args = ("create-admin", "--name", "Admin", "--email", "admin@coop.example", "--password-stdin")
    created = votes(*args, env=env, stdin="a long enough password\n")
    assert created.returncode == 0, created.stderr
    again = votes(*args, env=env, stdin="a long enough password\n")
    assert again.returncode == 1
    assert "already used" in again.stderr
    short = votes(*args, env=env, stdin="short\n")
    assert short.returncode == 2


_RECORD_AND_TAMPER = """
import asyncio, sqlite3, os
from votes.db.engine import write_transaction
from votes.db.tables import AuditEntry
from votes.services import audit, organisations

async def main():
    organisation = await organisations.create_organisation("Coop", "coop")
    for action in ("assembly.opened", "ballot.opened", "ballot.closed"):
        async with write_transaction(AuditEntry._meta.db):
            await audit.record(organisation, action)

asyncio.run(main())
path = os.path.join(os.environ["VOTES_DATA_DIR"], "votes.sqlite3")
with sqlite3.connect(path) as db:
    db.execute("UPDATE audit_entry SET action = 'ballot.cancelled' WHERE sequence = 2")
"""


def test_audit_verify_names_the_first_broken_link(tmp_path: Path) -> None:
    env = {"VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    # verify writes nothing, not even the schema: an empty folder is migrated first (#16)
    assert votes("audit", "verify", env=env).returncode == 2
    assert votes("migrate", env=env).returncode == 0
    intact = votes("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "every audit chain verifies" in intact.stdout
    subprocess.run(
        [sys.executable, "-c", _RECORD_AND_TAMPER],
        env={**outside_environment(), **env, "PICCOLO_CONF": "votes.piccolo_conf"},
        check=True,
        timeout=60,
    )
    broken = votes("audit", "verify", env=env)
    assert broken.returncode == 1
    assert "broken at entry 2 (edited)" in broken.stderr
