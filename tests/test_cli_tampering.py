"""`votes audit verify` against someone who can write the database (#16): each tampering of
the issue, done on a copy of the demo, makes it exit 1 naming what was changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from tests.support.cli import votes

Tamper = Callable[[sqlite3.Connection], None]


def _rewrite_chain(db: sqlite3.Connection, organisation: int = 1) -> None:
    """What a forger without the anchoring key does after editing entries: recompute every
    hash of the chain with plain SHA-256 and renumber it, as the code of the app would."""
    rows = db.execute(
        "SELECT id, sequence, occurred_at, actor, action, subject, details FROM audit_entry "
        "WHERE organisation = ? ORDER BY sequence",
        (organisation,),
    ).fetchall()
    previous = "0" * 64
    for number, (row_id, _, occurred_at, actor, action, subject, details) in enumerate(rows, 1):
        when = datetime.fromisoformat(occurred_at)
        canonical = json.dumps(
            [
                organisation,
                number,
                when.isoformat(timespec="microseconds"),
                actor,
                action,
                subject,
                details,
                previous,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()
        db.execute(
            "UPDATE audit_entry SET sequence = ?, entry_key = ?, previous_hash = ?, "
            "entry_hash = ? WHERE id = ?",
            (number, f"{organisation}:{number}", previous, digest, row_id),
        )
        previous = digest
    db.execute(
        "UPDATE audit_chain SET last_sequence = ?, last_hash = ? WHERE organisation = ?",
        (len(rows), previous, organisation),
    )


def _swap_labels(db: sqlite3.Connection) -> None:
    (ballot,) = db.execute("SELECT id FROM ballot WHERE method = 'stv'").fetchone()
    first, second = db.execute(
        "SELECT id, label FROM ballot_option WHERE ballot = ? ORDER BY position LIMIT 2", (ballot,)
    ).fetchall()
    db.execute("UPDATE ballot_option SET label = ? WHERE id = ?", (second[1], first[0]))
    db.execute("UPDATE ballot_option SET label = ? WHERE id = ?", (first[1], second[0]))


def _swap_open_labels(db: sqlite3.Connection) -> None:
    (ballot,) = db.execute("SELECT id FROM ballot WHERE status = 'open'").fetchone()
    db.execute(
        "UPDATE ballot_option SET label = 'Contre' WHERE ballot = ? AND key = 'yes'", (ballot,)
    )


def _cancel_published(db: sqlite3.Connection) -> None:
    db.execute("UPDATE ballot SET status = 'cancelled' WHERE method = 'schulze'")


def _stuff_open_ballot(db: sqlite3.Connection) -> None:
    (ballot,) = db.execute("SELECT id FROM ballot WHERE status = 'open'").fetchone()
    for number in range(5):
        db.execute(
            "INSERT INTO ballot_paper (id, ballot, voter, round, content, receipt_hash, "
            "weight_group) VALUES (?, ?, NULL, 1, '\"yes\"', ?, '')",
            (f"00000000-0000-0000-0000-00000000000{number}", ballot, f"stuffed{number}"),
        )


def _edit_register(db: sqlite3.Connection) -> None:
    (ballot,) = db.execute("SELECT id FROM ballot WHERE method = 'irv'").fetchone()
    (row,) = db.execute(
        "SELECT id FROM participation WHERE ballot = ? LIMIT 1", (ballot,)
    ).fetchone()
    db.execute("DELETE FROM participation WHERE id = ?", (row,))


def _delete_entries(db: sqlite3.Connection) -> None:
    db.execute(
        "DELETE FROM audit_entry WHERE organisation = 1 AND action = 'ballot.published' "
        "AND subject = (SELECT 'ballot:' || id FROM ballot WHERE method = 'approval')"
    )
    _rewrite_chain(db)


def _change_secret_papers(db: sqlite3.Connection) -> None:
    """Change a secret paper, then recompute the seal, the result and the chain."""
    (ballot,) = db.execute("SELECT id FROM ballot WHERE method = 'stv'").fetchone()
    papers = db.execute(
        "SELECT id, content, receipt_hash, voter FROM ballot_paper WHERE ballot = ?", (ballot,)
    ).fetchall()
    changed = [json.loads(papers[0][1])[::-1], *[json.loads(p[1]) for p in papers[1:]]]
    db.execute(
        "UPDATE ballot_paper SET content = ? WHERE id = ?", (json.dumps(changed[0]), papers[0][0])
    )
    lines = sorted(
        json.dumps([p[2], p[3], json.dumps(c) if i == 0 else p[1]], ensure_ascii=False)
        for i, (p, c) in enumerate(zip(papers, changed, strict=True))
    )
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    (entry, details) = db.execute(
        "SELECT id, details FROM audit_entry WHERE action = 'ballot.closed' AND subject = ?",
        (f"ballot:{ballot}",),
    ).fetchone()
    sealed = json.loads(details)
    sealed["box_digest"] = digest
    db.execute(
        "UPDATE audit_entry SET details = ? WHERE id = ?",
        (json.dumps(sealed, ensure_ascii=False, sort_keys=True), entry),
    )
    _rewrite_chain(db)


def _malformed_paper(db: sqlite3.Connection) -> None:
    (ballot,) = db.execute("SELECT id FROM ballot WHERE method = 'schulze'").fetchone()
    db.execute(
        "UPDATE ballot_paper SET content = '[\"a\", ' WHERE id = "
        "(SELECT id FROM ballot_paper WHERE ballot = ? LIMIT 1)",
        (ballot,),
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    assert votes("demo", env={"VOTES_DATA_DIR": str(folder)}).returncode == 0
    return folder


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (_swap_labels, "options or their labels differ"),
        (_swap_open_labels, "options or their labels differ"),
        (_cancel_published, "stored cancelled, the audit trail says published"),
        (_stuff_open_ballot, "papers and its participations do not match"),
        (_edit_register, "participation register differs"),
        (_delete_entries, "audit chain of organisation 1 is broken"),
        (_change_secret_papers, "audit chain of organisation 1 is broken"),
        (_malformed_paper, "cannot be read"),
    ],
)
def test_verify_names_each_tampering(
    demo: Path, tmp_path: Path, tamper: Tamper, named: str
) -> None:
    shutil.copytree(demo, tmp_path, dirs_exist_ok=True)
    with sqlite3.connect(tmp_path / "votes.sqlite3") as db:
        tamper(db)
    result = votes("audit", "verify", env={"VOTES_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1, result.stdout + result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr
