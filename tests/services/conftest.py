import pytest


@pytest.fixture(autouse=True)
def _migrated_database(database: None) -> None:
    """Every database test runs on the session's freshly migrated database."""
