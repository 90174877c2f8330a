"""The ``votes`` command: serve, migrate, create-admin, demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any

from votes.services.refusals import Refused
from votes.settings import Settings, SettingsError

GRACEFUL_SHUTDOWN_SECONDS = 5
_ACCOUNT_ERRORS = {
    "email_taken": "this email address is already used by someone",
    "name_required": "a name is required",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"votes: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    command: Callable[[argparse.Namespace, Settings], int] = args.command
    try:
        return command(args, settings)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="votes", description="Democratic decisions and voting for cooperatives."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = _command(
        commands,
        _serve,
        "serve",
        "apply pending migrations, then serve the web app",
        "Apply pending migrations, then serve the web app (settings: VOTES_*).",
    )
    serve.add_argument("--host", help="address to listen on (default: VOTES_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (default: VOTES_PORT)")
    serve.add_argument("--workers", type=int, help="worker processes (default: VOTES_WORKERS)")
    serve.add_argument("--demo", action="store_true", help="load the demo cooperative if absent")
    _command(
        commands,
        _migrate,
        "migrate",
        "apply pending database migrations",
        "Apply every pending database migration.",
    )
    admin = _command(
        commands,
        _create_admin,
        "create-admin",
        "create an instance administrator",
        "Create a person who administers this instance (creates organisations).",
    )
    admin.add_argument("--name", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )
    _command(
        commands,
        _demo,
        "demo",
        "load the demo cooperative (idempotent)",
        "Create the demo cooperative with its members, assembly and ballots, "
        "unless it already exists.",
    )

    audit = commands.add_parser(
        "audit", help="check the audit trail", description="Check the tamper-evident audit trail."
    )
    audit_commands = audit.add_subparsers(title="audit commands", required=True, metavar="ACTION")
    _command(
        audit_commands,
        _audit_verify,
        "verify",
        "check the hash chains, the sealed ballot boxes and recount every closed ballot",
        "Recompute every organisation's hash chain and name the first broken "
        "link of each; recompute the digest of every closed ballot's papers and recount it "
        "with the tally core. Exit 1 when anything differs.",
    )
    return parser


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    run: Callable[[argparse.Namespace, Settings], int],
    name: str,
    summary: str,
    description: str,
) -> argparse.ArgumentParser:
    """One sub-command: its one-line help in the list, its description, what it runs."""
    command = commands.add_parser(name, help=summary, description=description)
    command.set_defaults(command=run)
    return command


def _run(settings: Settings, work: Callable[[], Coroutine[Any, Any, int]]) -> int:
    """Run one database task with the engine's pool, turning connection failures into one line."""
    from votes.db.database import use_database  # after settings are known to be valid
    from votes.db.engine import close_pool, start_pool

    engine = use_database(settings)

    async def wrapped() -> int:
        await start_pool(engine, 2)
        try:
            return await work()
        finally:
            await close_pool(engine)

    try:
        return asyncio.run(wrapped())
    except (OSError, ConnectionError) as error:
        print(f"votes: cannot reach the database: {error}", file=sys.stderr)
        return 1
    except Exception as error:
        if type(error).__module__.startswith("asyncpg"):
            print(f"votes: database error: {error}", file=sys.stderr)
            return 1
        raise


def _apply_migrations(settings: Settings) -> int:
    from votes.db.migrate import MigrationError, migrate

    async def work() -> int:
        try:
            await migrate(quiet=True)
        except MigrationError as error:
            print(f"votes: migration failed: {error}", file=sys.stderr)
            return 1
        return 0

    return _run(settings, work)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    code = _apply_migrations(settings)
    if code == 0:
        print("votes: the database is up to date")
    return code


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    code = _apply_migrations(settings)
    if code:
        return code
    from votes.services.demo import seed_demo

    async def work() -> int:
        created = await seed_demo(base_url=_demo_address(settings), secret_key=settings.secret_key)
        print("votes: demo loaded" if created else "votes: the demo was already loaded")
        return 0

    code = _run(settings, work)
    if code == 0:
        _print_demo_hint(settings)
    return code


def _demo_address(settings: Settings) -> str:
    """Where a newcomer on this machine reaches the server (its links in the demo's mails)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    return f"http://{host}:{settings.port}"


def _print_demo_hint(settings: Settings) -> None:
    from votes.services.demo import DEMO_ORGANISATION, DEMO_PASSWORD, PEOPLE, demo_email
    from votes.services.demo_network_story import GATHERING_TITLE, NETWORK_NAME, NETWORK_SUFFIX

    address = _demo_address(settings)
    print(f"\n  Demo: open {address}/ and sign in with")
    for person in PEOPLE[:3]:
        print(f"    {demo_email(person):32} ({person.role})")
    print(f"  password: {DEMO_PASSWORD}")
    # the network (#20): camille runs it, lea is a delegate of her cooperative
    print(f"  Network: {NETWORK_NAME} and its gathering « {GATHERING_TITLE} »")
    print(f"    {address}/o/{DEMO_ORGANISATION}-{NETWORK_SUFFIX}/gatherings\n")


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("votes: the two passwords differ", file=sys.stderr)
            return 2
    if len(password) < 10:
        print("votes: the password must have at least 10 characters", file=sys.stderr)
        return 2
    code = _apply_migrations(settings)
    if code:
        return code
    from votes.services.accounts import create_person

    async def work() -> int:
        try:
            await create_person(args.name, args.email, password, instance_admin=True)
        except Refused as error:
            reason = _ACCOUNT_ERRORS.get(error.code, error.code)
            print(f"votes: cannot create the administrator: {reason}", file=sys.stderr)
            return 1
        print(f"votes: administrator {args.email} created")
        return 0

    return _run(settings, work)


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from votes.services.integrity import verify_everything

    async def work() -> int:
        from votes.db.migrate import pending_migrations

        if await pending_migrations():  # verify writes nothing: it does not migrate either
            print(
                "votes: the database is not up to date: run `votes migrate` first", file=sys.stderr
            )
            return 2
        report = await verify_everything()
        for found in report.chain_breaks:
            print(
                f"votes: audit chain of organisation {found.organisation_id} is broken at "
                f"entry {found.sequence} ({found.reason}): {_BREAKS[found.reason]}",
                file=sys.stderr,
            )
        for finding in report.ballot_findings:
            kind = "note" if finding.is_warning else "ballot"
            detail = f": {finding.detail}" if finding.detail else ""
            print(
                f"votes: {kind}: ballot {finding.ballot_id} of organisation "
                f"{finding.organisation_id}: {_FINDINGS[finding.reason]}{detail}",
                file=sys.stderr,
            )
        for organisation_id, assembly_id in report.altered_minutes:
            print(
                f"votes: the final minutes of assembly {assembly_id} (organisation "
                f"{organisation_id}) no longer match the digest recorded when finalised",
                file=sys.stderr,
            )
        if report.intact:
            print(
                f"votes: every audit chain verifies; {report.ballots_checked} closed ballots "
                "match their sealed papers and recount to their stored results"
            )
        for organisation_id, sequence, digest in report.heads:
            # the fingerprint printed in the minutes, exports and on the projector
            print(
                f"votes: organisation {organisation_id}: audit trail at entry {sequence}, "
                f"fingerprint {digest[:16]} ({digest})"
            )
        return 0 if report.intact else 1

    return _run(settings, work)


_BREAKS = {
    "edited": "changed after it was recorded, or rewritten without the anchoring key",
    "missing": "entries were deleted",
    "out_of_order": "entries were moved",
    "key_missing": "the anchoring key is missing from the data folder",
}

_FINDINGS = {
    "papers_changed": "the stored papers no longer match the digest sealed at its close",
    "room_count_changed": "the room count differs from the one recorded in the audit trail",
    "result_differs": "counting its stored papers again does not give the stored result",
    "not_sealed": "closed before ballot boxes were sealed: no digest to compare with",
    "not_frozen": "closed before its figures were frozen: no recount from frozen inputs",
    "options_changed": "its options or their labels differ from those in the audit trail",
    "register_changed": "its participation register differs from the one sealed at its close",
    "status_changed": "its status differs from the one its audited history leaves it in",
    "papers_over_participations": "its papers and its participations do not match in number",
    "too_many_votes": "room count and electronic votes exceed the members with voting rights",
    "malformed_paper": "a stored paper cannot be read",
    "unreadable": "a stored row of this ballot cannot be read",
}


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if workers > 1 and settings.database_kind.value == "sqlite":
        print("votes: several workers need PostgreSQL (VOTES_DATABASE_URL)", file=sys.stderr)
        return 2
    code = _apply_migrations(settings)
    if code:
        return code
    if args.demo:
        # the hint names the address this server listens on, not the configured default
        code = _demo(args, replace(settings, host=host, port=port))
        if code:
            return code
    uvicorn.run(
        "votes.web.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=False,  # our own request log leaves secrets out
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        log_level=settings.log_level.lower(),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
