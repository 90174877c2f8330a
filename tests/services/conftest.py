import pytest


@pytest.fixture(autouse=True)
def _migrated_database(database: None) -> None:
    """Every database test runs on the session's freshly migrated database."""


@pytest.fixture(params=["writer_thread", "piccolo"])
def each_vote_storage(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> object:
    """Run the test once with each way a vote is stored (``votes.db.vote_storage``): the SQLite
    writer's thread and Piccolo, both on SQLite; PostgreSQL has only the Piccolo one."""
    from votes.db import vote_storage
    from votes.db.engine import VotesSQLiteEngine
    from votes.db.tables import Ballot

    engine = Ballot._meta.db
    adapter: vote_storage.VoteStorage
    if request.param == "piccolo":
        adapter = vote_storage.PiccoloVoteStorage()
    elif isinstance(engine, VotesSQLiteEngine):
        adapter = vote_storage.SQLiteVoteStorage(engine)
    else:
        pytest.skip("the writer thread's storage is SQLite's")
    monkeypatch.setattr(vote_storage, "storage_for", lambda _engine: adapter)
    return adapter
