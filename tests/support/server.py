"""``votes serve`` in a subprocess on 127.0.0.1, for what needs a real server: the browser tests
(a browser cannot talk to an in-process app), the live tests (in-process clients wait for a
response's end, which an event stream never has), the crash tests (a process must be killed)
and the benchmarks that measure a server under load (:meth:`ServedApp.of_this_process`).

Each server gets a free port and the data folder it is given; seeding and reading back run in
helper subprocesses with the same settings (:meth:`ServedApp.task`): this test process's
Piccolo engine is bound to the test suite's own database and must not be pointed elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.support.cli import outside_environment

SECRET_KEY = "served-app-secret-key-that-is-long-enough-0123456789"
STARTUP_SECONDS = 90  # migrations and the demo on a busy two-core machine
REPO = Path(__file__).resolve().parents[2]
TASKS = "tests.durability.tasks"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without the test suite's own VOTES_* settings, plus a
    served app's: ``extra`` overrides any of them."""
    environment = outside_environment()
    environment.update(
        VOTES_ENV="development",
        VOTES_DATA_DIR=str(data_dir),
        VOTES_SECRET_KEY=SECRET_KEY,
        VOTES_SECURE_COOKIES="false",
        VOTES_LOG_LEVEL="INFO",  # one line per request: the log tells what happened
        PICCOLO_CONF="votes.piccolo_conf",
    )
    environment.update(extra)
    return environment


def _votes() -> str:
    return str(Path(sys.executable).with_name("votes"))


@dataclass
class ServedApp:
    """One ``votes serve`` process; its output goes to a file (an unread pipe would stall it).

    ``environment`` holds the settings that differ from :func:`server_environment`'s; several
    servers may share one data folder (two workers of one database), each with its own log.
    """

    data_dir: Path
    environment: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.environment = server_environment(self.data_dir, **self.environment)

    @classmethod
    def of_this_process(cls) -> ServedApp:
        """A server on the settings this process runs with (its ``VOTES_*`` variables, the port
        ``VOTES_PORT`` if set): a benchmark seeds its database in-process, then serves it."""
        settings = {key: value for key, value in os.environ.items() if key.startswith("VOTES_")}
        port = int(settings["VOTES_PORT"]) if "VOTES_PORT" in settings else free_port()
        return cls(Path(settings["VOTES_DATA_DIR"]), settings, port)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def start(self, *arguments: str) -> None:
        command = [_votes(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *arguments],
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
        self.wait_ready()

    @contextmanager
    def running(self, *arguments: str) -> Iterator[ServedApp]:
        """Started (with ``arguments``) while the block runs, stopped after it."""
        self.start(*arguments)
        try:
            yield self
        finally:
            self.stop()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"votes serve exited: {self.tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling a process that is starting: no event to wait on
        raise RuntimeError(f"votes serve did not answer in {STARTUP_SECONDS} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine loses power or the OOM killer
        strikes."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self) -> None:
        """SIGTERM, without waiting: the graceful shutdown starts."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        self.terminate()
        if self.process is not None:
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return "(no log)"
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def votes_command(self, *arguments: str, stdin: str | None = None) -> str:
        """``votes ARGUMENTS`` on this server's database; its standard output."""
        done = self._run([_votes(), *arguments], stdin)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def task(self, name: str, /, tasks: str = TASKS, **arguments: Any) -> Any:
        """Run task ``name`` of module ``tasks`` (``python -m TASKS NAME JSON``, which prints
        one JSON line: :func:`task_main`) on this server's database and return its answer."""
        done = self._run([sys.executable, "-m", tasks, name, json.dumps(arguments)])
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _run(
        self, command: list[str], stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``command`` with this server's settings, from the repository."""
        return subprocess.run(
            command,
            input=stdin,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            cwd=REPO,
        )


Task = Callable[[dict[str, Any]], Awaitable[Any]]


def task_main(tasks: Mapping[str, Task]) -> None:
    """The ``__main__`` of a tasks module: run task ``argv[1]`` with the JSON arguments
    ``argv[2]`` on the settings' database (a pool of its own) and print its JSON answer."""
    from votes.db.engine import close_pool, start_pool
    from votes.piccolo_conf import DB

    async def run(name: str, arguments: dict[str, Any]) -> Any:
        await start_pool(DB, 2)
        try:
            return await tasks[name](arguments)
        finally:
            await close_pool(DB)

    print(json.dumps(asyncio.run(run(sys.argv[1], json.loads(sys.argv[2])))))
