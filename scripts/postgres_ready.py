"""Exit 0 when the test PostgreSQL server answers (``VOTES_TEST_POSTGRES_URL``), 1 otherwise."""

import asyncio
import os
import sys

import asyncpg

URL = os.environ.get("VOTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def ready() -> bool:
    try:
        connection = await asyncpg.connect(URL, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await connection.close()
    return True


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(ready()) else 1)
