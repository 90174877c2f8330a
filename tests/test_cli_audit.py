"""`votes audit verify` on the demo: intact after seeding, then a changed paper is reported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.cli import votes


def test_audit_verify_recounts_the_demo_and_reports_a_changed_paper(tmp_path: Path) -> None:
    env = {"VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    assert votes("demo", env=env).returncode == 0
    intact = votes("audit", "verify", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "closed ballots match their sealed papers" in intact.stdout
    with sqlite3.connect(tmp_path / "votes.sqlite3") as db:
        ballot_id, paper_id = db.execute(
            "SELECT b.id, p.id FROM ballot b JOIN ballot_paper p ON p.ballot = b.id "
            "WHERE b.method = 'majority' AND b.status = 'published' AND p.content = '\"yes\"'"
        ).fetchone()
        db.execute("UPDATE ballot_paper SET content = '\"no\"' WHERE id = ?", (paper_id,))
    tampered = votes("audit", "verify", env=env)
    assert tampered.returncode == 1
    assert f"ballot {ballot_id} of organisation" in tampered.stderr
    assert "no longer match the digest sealed at its close" in tampered.stderr
    assert "does not give the stored result" in tampered.stderr


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def test_audit_verify_twice_leaves_every_table_identical(tmp_path: Path) -> None:
    env = {"VOTES_DATA_DIR": str(tmp_path), "VOTES_LOG_LEVEL": "WARNING"}
    assert votes("demo", env=env).returncode == 0
    before = _dump(tmp_path / "votes.sqlite3")
    for _ in range(2):
        assert votes("audit", "verify", env=env).returncode == 0
    assert _dump(tmp_path / "votes.sqlite3") == before
