"""A secret ballot's storage attacked as a thief of the database would (#15, findings 1 and 2).

Thirty members vote, each a different scored paper, so a correct link between a participation
(who) and a paper (what) is worth exactly one voter's secret. The attacker copies the SQLite
file and its WAL during the vote and again after the close (PostgreSQL: reads both tables in
physical order, by ctid) and links the register to the papers by row order, rowid, the commit
each row arrived in (replaying every prefix of the WAL, as "rolling back to a commit" would),
and by anything a paper kept through the close (its id, its receipt column, its length).

A random pairing of 30 voters with 30 different papers gets on average one link right, and 8 or
more with a probability under 1 in 100,000 (the number of fixed points of a random permutation
is close to Poisson(1)); the attack must do no better.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
import struct
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.postgres import PostgresEngine
from tests.support.factories import ballot_open_to, close

from votes.db.engine import VotesSQLiteEngine
from votes.db.tables import Ballot, BallotPaper, Participation
from votes.services.ballots import voting

VOTERS = 30
CHANCE_BOUND = 8  # correct links a random pairing reaches with probability < 1e-5
KEY = "instance-key-for-receipts"


async def _ballot_with_voters() -> tuple[int, dict[int, str]]:
    """An open secret score ballot and its thirty voters' memberships."""
    _, ballot_id, members = await ballot_open_to(
        VOTERS,
        question="Notez les trois projets",
        method="score",
        choices=[("a", "Atelier"), ("b", "Boutique"), ("c", "Cantine")],
        secret=True,
        allow_change=True,
    )
    # thirty different papers: a link to a paper is a link to one voter's choice
    scores = [{"a": i % 6, "b": (i // 6) % 6, "c": (i // 36) % 6} for i in range(VOTERS)]
    truth = {m: json.dumps(s, sort_keys=True) for m, s in zip(members, scores, strict=True)}
    return ballot_id, truth


async def _vote_all(ballot_id: int, truth: dict[int, str]) -> None:
    for membership, content in truth.items():
        await voting.cast_vote(ballot_id, membership, json.loads(content), receipt_key=KEY)


def _correct(guess: dict[int, str], truth: dict[int, str]) -> int:
    return sum(1 for membership, content in guess.items() if truth.get(membership) == content)


def _readable(content: str) -> str:
    """A paper's content as the attacker can read it: the JSON, or nothing."""
    try:
        return json.dumps(json.loads(content), sort_keys=True)
    except ValueError:
        return ""


# --- SQLite: the files -------------------------------------------------------------------------


def _database_path() -> Path:
    engine = Ballot._meta.db
    assert isinstance(engine, VotesSQLiteEngine)
    return Path(engine.path)


def _copy_files(folder: Path) -> Path:
    source = _database_path()
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "stolen.sqlite3"
    shutil.copyfile(source, copy)
    wal = Path(f"{source}-wal")
    if wal.exists():
        shutil.copyfile(wal, f"{copy}-wal")
    return copy


def _file_bytes(copy: Path) -> bytes:
    """The copied database file and its WAL, as raw bytes."""
    wal = Path(f"{copy}-wal")
    return copy.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _tables(copy: Path, ballot_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The register and the papers, each in rowid (physical) order."""
    connection = sqlite3.connect(copy)
    connection.row_factory = sqlite3.Row
    try:
        register = connection.execute(
            "SELECT rowid, * FROM participation WHERE ballot = ? ORDER BY rowid", (ballot_id,)
        ).fetchall()
        papers = connection.execute(
            "SELECT rowid, * FROM ballot_paper WHERE ballot = ? ORDER BY rowid", (ballot_id,)
        ).fetchall()
    finally:
        connection.close()
    return [dict(row) for row in register], [dict(row) for row in papers]


def _by_order(register: list[dict[str, Any]], papers: list[dict[str, Any]]) -> dict[int, str]:
    """Pair the n-th participation with the n-th paper (rowid order, which is file order)."""
    return {
        row["membership"]: _readable(paper["content"])
        for row, paper in zip(register, papers, strict=False)
    }


def _wal_prefixes(copy: Path) -> list[Path]:
    """The database as of each commit the WAL holds: the file with the WAL cut after each
    commit frame (SQLite replays a valid prefix of frames)."""
    wal = Path(f"{copy}-wal").read_bytes() if Path(f"{copy}-wal").exists() else b""
    if len(wal) < 32:
        return []
    page_size = struct.unpack(">I", wal[8:12])[0]
    frame = 24 + page_size
    states = []
    for index in range((len(wal) - 32) // frame):
        start = 32 + index * frame
        if struct.unpack(">I", wal[start + 4 : start + 8])[0] == 0:
            continue  # not a commit frame
        state = copy.with_name(f"commit-{index}.sqlite3")
        shutil.copyfile(copy, state)
        Path(f"{state}-wal").write_bytes(wal[: start + frame])
        states.append(state)
    return states


def _by_commit(states: list[Path], ballot_id: int) -> dict[int, str]:
    """Link the participation and the paper that appeared in the same commit."""
    guess: dict[int, str] = {}
    seen_register: set[int] = set()
    seen_papers: set[str] = set()
    for state in states:
        register, papers = _tables(state, ballot_id)
        new_voters = [r["membership"] for r in register if r["id"] not in seen_register]
        new_papers = [p for p in papers if str(p["id"]) not in seen_papers]
        if len(new_voters) == 1 and len(new_papers) == 1:
            guess[new_voters[0]] = _readable(new_papers[0]["content"])
        seen_register.update(r["id"] for r in register)
        seen_papers.update(str(p["id"]) for p in papers)
    return guess


def _through_the_close(
    during: list[dict[str, Any]], linked: dict[int, str], after: list[dict[str, Any]]
) -> dict[int, str]:
    """Carry links made on sealed rows during the vote over to the plain papers after the
    close, by whatever a paper kept: its id, its receipt column, its length."""
    guess = {}
    keys = ("id", "receipt_hash")
    for row in during:
        for paper in after:
            same = any(str(row[key]) == str(paper[key]) for key in keys) or (
                len(row["content"]) == len(paper["content"])
                and sum(len(p["content"]) == len(row["content"]) for p in after) == 1
            )
            if same and row["rowid"] in linked:
                guess[linked[row["rowid"]]] = _readable(paper["content"])
    return guess


@pytest.fixture
def sqlite_only() -> None:
    if not isinstance(Ballot._meta.db, VotesSQLiteEngine):
        pytest.skip("the SQLite files: the PostgreSQL pass reads the heap instead")


@pytest.mark.usefixtures("sqlite_only")
async def test_a_copy_of_the_sqlite_files_links_no_voter_to_their_paper(tmp_path: Path) -> None:
    ballot_id, truth = await _ballot_with_voters()
    # the attacker's best case: the WAL holds every commit of the vote, none checkpointed yet
    await Ballot._meta.db.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
    await _vote_all(ballot_id, truth)

    during = _copy_files(tmp_path / "during")
    register, papers = _tables(during, ballot_id)
    assert len(register) == len(papers) == VOTERS
    assert _correct(_by_order(register, papers), truth) < CHANCE_BOUND
    by_commit = _by_commit(_wal_prefixes(during), ballot_id)
    assert _correct(by_commit, truth) < CHANCE_BOUND

    await close(ballot_id)
    after = _copy_files(tmp_path / "after")
    register_after, papers_after = _tables(after, ballot_id)
    assert sorted(_readable(p["content"]) for p in papers_after) == sorted(truth.values())
    assert _correct(_by_order(register_after, papers_after), truth) < CHANCE_BOUND
    # rolling the copy back to any commit before the close
    assert _correct(_by_commit(_wal_prefixes(after), ballot_id), truth) < CHANCE_BOUND
    # links made on the rows of the vote, carried through the close
    rowid_to_voter = {
        paper["rowid"]: row["membership"] for row, paper in zip(register, papers, strict=True)
    }
    carried = _through_the_close(papers, rowid_to_voter, papers_after)
    assert _correct(carried, truth) < CHANCE_BOUND
    # nothing of the vote's rows is left in the file once the close has committed
    raw = _file_bytes(after)
    for paper in papers:
        assert str(paper["receipt_hash"]).encode() not in raw
        assert str(paper["content"]).encode()[-40:] not in raw


@pytest.mark.usefixtures("sqlite_only")
async def test_the_database_and_its_wal_are_readable_by_the_server_alone() -> None:
    ballot_id, truth = await _ballot_with_voters()
    await _vote_all(ballot_id, dict(list(truth.items())[:2]))
    path = _database_path()
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            assert stat.S_IMODE(name.stat().st_mode) & 0o077 == 0, name


# --- PostgreSQL: the heap ----------------------------------------------------------------------


async def _heap(ballot_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    register = await Participation.raw(
        "SELECT ctid::text AS ctid, membership, id FROM participation WHERE ballot = {}"
        " ORDER BY ctid",
        ballot_id,
    )
    papers = await BallotPaper.raw(
        "SELECT ctid::text AS ctid, id, content, receipt_hash FROM ballot_paper"
        " WHERE ballot = {} ORDER BY ctid",
        ballot_id,
    )
    return register, papers


async def test_the_postgresql_heap_links_no_voter_to_their_paper() -> None:
    if not isinstance(Ballot._meta.db, PostgresEngine):
        pytest.skip("PostgreSQL's heap: the SQLite pass copies the files instead")
    ballot_id, truth = await _ballot_with_voters()
    await _vote_all(ballot_id, truth)
    register, papers = await _heap(ballot_id)
    assert len(register) == len(papers) == VOTERS
    assert _correct(_by_order(register, papers), truth) < CHANCE_BOUND
    await close(ballot_id)
    register_after, papers_after = await _heap(ballot_id)
    assert sorted(_readable(p["content"]) for p in papers_after) == sorted(truth.values())
    assert _correct(_by_order(register_after, papers_after), truth) < CHANCE_BOUND
    for row in papers:
        row["rowid"] = row["ctid"]
    linked = {p["rowid"]: r["membership"] for r, p in zip(register, papers, strict=True)}
    assert _correct(_through_the_close(papers, linked, papers_after), truth) < CHANCE_BOUND
