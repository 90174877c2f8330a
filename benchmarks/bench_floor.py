"""The floor under load: 2,000 phones on the speakers' list of ``votes serve`` (one process,
SQLite, memory channels), then 2,000 answers to a mood check within 10 s.

Measures (the issue's budgets in brackets):

* the floor given: time from the facilitator's tap until every phone has the ``floor`` event
  [≤ 1 s]; the event carries the speaker and the order, so only the phones whose own state
  moved (the new speaker, those waiting) re-fetch their fragment, as static/js/floor.js does —
  fetch p99 [≤ 500 ms] and time until the slowest phone is up to date;
* the mood check: time until every phone has the ``mood`` event and the panel pushed with it
  (``votes.web.mood_panel``) [≤ 1 s]; 2,000 answers spread
  over 10 s — answer p99 [≤ 500 ms]; the console's counts (carried by the ``mood-answers``
  event, no fetch) — how long after the last answer the console shows the full count [≤ 1 s].

Run: ``make bench-floor`` (or ``.venv/bin/python benchmarks/bench_floor.py --phones 500``).
The benchmark shares the machine's cores with the server it measures: orders of magnitude.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_live import (
    ORG,
    SECRET_KEY,
    Phone,
    ServedApp,
    _report,
    connect_all,
    percentile,
    raise_file_limit,
    report_errors,
    seed,
)
from rawhttp import Connection, csrf_pair

PHASE_TIMEOUT = 30.0
ASKERS = 20  # waiting when the floor is given: they all move up one place


async def seed_floor(phones: int) -> dict[str, object]:
    from votes.db.engine import close_pool, start_pool
    from votes.db.tables import Ordering, Organisation
    from votes.piccolo_conf import DB
    from votes.services import assemblies, floor
    from votes.services.actors import actor_for

    await start_pool(DB, 2)
    try:
        data = await seed(phones)
        assembly_id = int(data["assembly"])  # type: ignore[call-overload]
        item_id = await assemblies.add_agenda_item(assembly_id, assemblies.ItemText("Budget"))
        await assemblies.set_current_item(assembly_id, item_id)
        row = await Organisation.select(Organisation.id).where(Organisation.short_name == ORG)
        organisation = await actor_for(int(row[0]["id"]))
        await floor.set_rules(organisation, assembly_id, Ordering.FIRST_TIME)
        return data
    finally:
        await close_pool(DB)


async def _post(port: int, path: str, cookies: dict[str, str], form: dict[str, str]) -> int:
    connection = Connection(port)
    try:
        status, _ = await connection.request("POST", path, cookies, form)
    except (OSError, asyncio.IncompleteReadError, IndexError):
        status = 0
    finally:
        connection.close()
    return status


async def _wait(condition: object) -> None:
    deadline = time.perf_counter() + PHASE_TIMEOUT
    while not condition() and time.perf_counter() < deadline:  # type: ignore[operator]  # noqa: ASYNC110 - polls the client's own state
        await asyncio.sleep(0.02)


async def run(port: int, data: dict[str, object], count: int, seconds: float) -> None:
    tokens: list[str] = data["tokens"]  # type: ignore[assignment]
    assembly = int(data["assembly"])  # type: ignore[call-overload]
    floor = f"/o/{ORG}/assemblies/{assembly}/floor"
    mood = f"/o/{ORG}/assemblies/{assembly}/mood"
    csrf = await csrf_pair(port, tokens[0], f"{floor}/console")
    chair = {"votes_session": tokens[0], "votes_csrf": csrf[0]}
    phones = [Phone(token, port, csrf[0]) for token in tokens[1 : count + 1]]
    floor_events: dict[int, float] = {}
    mood_events: dict[int, float] = {}
    fetched: dict[int, float] = {}
    fetch_latency: list[float] = []
    fetches: list[asyncio.Task[None]] = []

    async def refetch(index: int, phone: Phone) -> None:
        connection = Connection(port)
        sent = time.perf_counter()
        try:
            status, _ = await connection.request(
                "GET", floor, phone.cookies, extra=["HX-Request: true"]
            )
        except (OSError, asyncio.IncompleteReadError, IndexError):
            status = 0
        finally:
            connection.close()
        fetch_latency.append(time.perf_counter() - sent)
        if status == 200:
            fetched[index] = time.perf_counter()

    members: dict[int, str] = {}  # phone -> its membership id, as the page's data-me
    states: dict[int, str] = {}  # phone -> its state, as the page's data-state

    def state_of(index: int, event: dict[str, object]) -> str:
        """What static/js/floor.js computes from a floor signal."""
        me = members.get(index, "")
        order = str(event.get("order") or "").split(",")
        status = str(event.get("change", "queue")).partition(":")[2] or "none"
        if str(event.get("speaker_id")) == me:
            return f"speaking:{status}"
        if me in order:
            return f"waiting:{order.index(me) + 1}:{status}"
        return f"none:{status}"

    def make_handler(index: int, phone: Phone) -> object:
        async def on_event(name: str, message: bytes) -> None:
            now = time.perf_counter()
            if name == "floor" and index not in floor_events:
                floor_events[index] = now
                data = message.split(b"data: ", 1)[1].split(b"\r\n", 1)[0]
                state = state_of(index, json.loads(data))
                if state != states.get(index):  # only a phone whose own state moved fetches
                    states[index] = state
                    fetches.append(asyncio.create_task(refetch(index, phone)))
                else:
                    fetched[index] = now  # updated in place by the page's script
            elif name == "mood" and index not in mood_events:
                mood_events[index] = now
            elif name == "mood-panel" and index not in fetched:
                fetched[index] = now  # the panel itself, pushed: nothing to fetch

        return on_event

    for index, phone in enumerate(phones):
        phone.on_event = make_handler(index, phone)  # type: ignore[attr-defined]
    for index, phone in enumerate(phones):  # each phone's page: its data-me and data-state
        probe = Connection(port)
        _, body = await probe.request("GET", floor, phone.cookies, extra=["HX-Request: true"])
        probe.close()
        found_me = re.search(rb'data-me="(\d*)" data-state="([^"]*)"', body)
        assert found_me, body[:300]
        members[index], states[index] = found_me.group(1).decode(), found_me.group(2).decode()
    took = await connect_all(phones, lambda phone: f"{floor}/live")
    print(f"  {len(phones)} phones connected to the floor's stream in {took:.1f} s")

    # the console follows the counts
    console_counts: list[tuple[float, int]] = []
    console = Phone(tokens[0], port, csrf[0])

    async def on_console(name: str, message: bytes) -> None:
        found = re.search(rb'"total":(\d+)', message)
        if name == "mood-answers" and found:
            console_counts.append((time.perf_counter(), int(found.group(1))))

    ready = asyncio.Event()
    console_task = asyncio.create_task(console.listen(f"{floor}/live?counts=1", ready, on_console))
    await ready.wait()

    # -- the floor given: one member asked, the facilitator gives the floor ------------------
    for asker in phones[:ASKERS]:  # twenty members ask, one after the other
        floor_events.clear()
        status = await _post(
            port, f"{floor}/request", asker.cookies, {"kind": "speak", "_csrf_token": csrf[1]}
        )
        assert status == 303, status
        await _wait(lambda: len(floor_events) >= len(phones))
        await asyncio.gather(*fetches)
    floor_events.clear()
    fetched.clear()
    fetch_latency.clear()
    fetches.clear()
    tapped = time.perf_counter()
    status = await _post(port, f"{floor}/give", chair, {"_csrf_token": csrf[1]})
    assert status == 303, status
    await _wait(lambda: len(fetched) >= len(phones))
    await asyncio.gather(*fetches)
    _report(
        "the floor given (phones whose own state moved re-fetch; the others update in place)",
        {
            "phones_with_event": len(floor_events),
            "event_slowest_ms": (max(floor_events.values(), default=tapped) - tapped) * 1000,
            "fetches": len(fetch_latency),
            "fetch_p50_ms": percentile(fetch_latency, 0.5) * 1000,
            "fetch_p99_ms": percentile(fetch_latency, 0.99) * 1000,
            "slowest_phone_updated_ms": (max(fetched.values(), default=tapped) - tapped) * 1000,
        },
    )

    # -- the mood check ------------------------------------------------------------------------
    fetched.clear()
    fetch_latency.clear()
    fetches.clear()
    tapped = time.perf_counter()
    status = await _post(port, mood, chair, {"kind": "fist_to_five", "_csrf_token": csrf[1]})
    assert status == 303, status
    await _wait(lambda: len(fetched) >= len(phones))
    await asyncio.gather(*fetches)
    opened = (max(mood_events.values(), default=tapped) - tapped) * 1000
    _report(
        "the mood check opened (the panel itself travels in the stream: no fetch)",
        {
            "open_event_slowest_ms": opened,
            "phones_with_panel": len(fetched),
            "fetches": len(fetch_latency),
            "slowest_phone_with_panel_ms": (max(fetched.values(), default=tapped) - tapped) * 1000,
        },
    )
    probe = Connection(port)
    _, body = await probe.request("GET", f"{floor}/console", chair)
    probe.close()
    found = re.search(rb'data-mood="(\d+)"', body)
    assert found
    mood_id = found.group(1).decode()
    latencies: list[float] = []
    failures: list[int] = []
    started = time.perf_counter()
    interval = seconds / len(phones)

    async def answer(n: int, phone: Phone) -> None:
        await asyncio.sleep(max(0.0, started + n * interval - time.perf_counter()))
        sent = time.perf_counter()
        status = await _post(
            port,
            f"{mood}/answer",
            phone.cookies,
            {"mood": mood_id, "choice": str(n % 6), "_csrf_token": csrf[1]},
        )
        latencies.append(time.perf_counter() - sent)
        if status != 303:
            failures.append(status)

    await asyncio.gather(*(answer(n, phone) for n, phone in enumerate(phones)))
    last_answer = time.perf_counter()
    await _wait(lambda: console_counts and console_counts[-1][1] >= len(phones))
    full = next((at for at, total in console_counts if total >= len(phones)), None)
    _report(
        f"the mood check ({len(phones)} answers over {seconds:.0f} s)",
        {
            "phones_with_open_event": len(mood_events),
            "open_event_slowest_ms": opened,
            "answers": len(latencies),
            "answer_failures": len(failures),
            "answer_p50_ms": percentile(latencies, 0.5) * 1000,
            "answer_p99_ms": percentile(latencies, 0.99) * 1000,
            "count_updates_on_console": len(console_counts),
            "console_full_count_after_last_ms": ((full or float("nan")) - last_answer) * 1000,
        },
    )
    console_task.cancel()
    for phone in phones:
        phone.listen_task.cancel()  # type: ignore[attr-defined]
        if phone.stream:
            phone.stream.close()
    report_errors(phones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the answers last")
    args = parser.parse_args()
    phones = max(1, min(args.phones, 5000))  # bounded
    seconds = max(1.0, min(args.seconds, 120.0))
    print(json.dumps({"phones": phones, "answer_seconds": seconds, "cpus": os.cpu_count()}))
    print("(the benchmark shares the machine's cores with the server: numbers are noisy)")
    raise_file_limit(phones * 3 + 1000)
    data_dir = Path(tempfile.mkdtemp(prefix="votes-bench-floor-"))
    os.environ.update(
        {
            "VOTES_ENV": "development",
            "VOTES_DATA_DIR": str(data_dir),
            "VOTES_SECRET_KEY": SECRET_KEY,
            "VOTES_LOG_LEVEL": "WARNING",
            "PICCOLO_CONF": "votes.piccolo_conf",
        }
    )
    os.environ.pop("VOTES_DATABASE_URL", None)
    data = asyncio.run(seed_floor(phones))
    server = ServedApp.of_this_process()
    port = server.port
    server.start("--workers", "1")
    try:
        print(f"\none process, SQLite, memory channels ({phones} phones):")
        asyncio.run(run(port, data, phones, seconds))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
