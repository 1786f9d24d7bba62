"""`eiso replay SERVICE`: rebuild a service's state from the topics — only when its declaration
(`REPLAY` in `services.<name>.app`) says the topics hold it, and only when the broker still has every
event of the topics it reads."""

import asyncio
import contextlib
import importlib
import os
import sqlite3
import time
from pathlib import Path

import httpx
from aiokafka.errors import KafkaError

from contracts.topics import kept_forever
from eiso_cli import stack
from eiso_cli.kafka import kafka_bootstrap, lost_events
from eiso_cli.processes import ROOT, SERVICES, StackError, env_prefix
from services.common.migrations import upgrade
from services.common.replay import Replay


def declared(name: str) -> Replay:
    """What service `name` says about rebuilding it."""
    if name not in SERVICES:
        raise StackError(f"unknown service {name!r} (one of: {', '.join(SERVICES)})")
    declaration: Replay = importlib.import_module(f"services.{name}.app").REPLAY
    return declaration


def replay(name: str, say: stack.Say, timeout: float = 600) -> str:
    """Stop the service, set its SQLite database aside, make a fresh one holding only what no topic
    carries (copied from the old), give it a fresh consumer group, start it and wait until it has read
    every topic to the end. Returns where the old database went. Refuses — before touching anything —
    a service whose state is not on the topics, or topics that have lost their first events."""
    declaration = declared(name)
    if declaration.refused:
        raise StackError(f"{name} cannot be rebuilt from the topics: {declaration.refused}")
    database = os.environ.get(f"{env_prefix(name)}DATABASE_URL", f"sqlite+aiosqlite:///.data/{name}.db")
    if not database.startswith("sqlite"):
        raise StackError(
            f"{name} uses {database.split(':')[0]}: drop and recreate its database, copy "
            f"{', '.join(declaration.carried)} over from the old one, set {env_prefix(name)}CONSUMER_GROUP "
            "to a new group and restart it (eiso replay moves SQLite files only)"
        )
    try:
        lost = asyncio.run(lost_events(kafka_bootstrap(), _reads(name)))
    except KafkaError as exc:
        raise StackError(f"cannot read the topics at {kafka_bootstrap()}: {exc}") from None
    if lost:
        topic, offsets = next(iter(lost.items()))
        raise StackError(
            f"{topic} has lost its first {offsets} events (deleted by the broker under an earlier "
            f"retention): {name} rebuilt from it would miss them, so it is not replayed"
        )
    path = Path(database.split("///", 1)[1])
    path = path if path.is_absolute() else ROOT / path
    stack.stop(name, say)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.{stamp}.bak")
    if path.exists():
        path.replace(kept)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                path.with_name(path.name + suffix).replace(kept.with_name(kept.name + suffix))
    try:
        copied = carry_over(name, kept, path, declaration.carried)
    except sqlite3.Error as exc:
        raise StackError(
            f"cannot copy {', '.join(declaration.carried)} from {kept}: {exc} (it is kept)"
        ) from None
    if copied:
        say(f"{name}: kept from the old database: {', '.join(f'{t} ({n})' for t, n in copied.items())}")
    stack.group_file(name).parent.mkdir(parents=True, exist_ok=True)
    stack.group_file(name).write_text(f"{name}-replay-{stamp}\n")
    process = stack.launch(name)
    say(f"{name}: replaying the topics into a fresh database…")
    process.wait_ready(timeout=90)
    stack.await_caught_up(name, timeout)
    return str(kept) if kept.exists() else "(no database to keep)"


def _reads(name: str) -> list[str]:
    """The event-sourced topics the service consumes, as it says while running; all of them if it
    does not answer (stopped, or unable to start)."""
    try:
        consumes = set(httpx.get(f"{stack.url(name)}/health/ready", timeout=10).json()["consumes"])
    except (httpx.HTTPError, ValueError, KeyError):
        return kept_forever()
    return [topic for topic in kept_forever() if topic in consumes]


def carry_over(name: str, kept: Path, fresh: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """Make the fresh database (the service's migrations) and copy `tables` into it from the kept
    one, column by column as both have them, and the events the service had committed but not yet
    published (its unsent outbox rows: an API change made just before the stop, which no topic
    holds yet), so they go out first; rows copied by table."""
    fresh.parent.mkdir(parents=True, exist_ok=True)
    upgrade(ROOT / "services" / name / "migrations", f"sqlite+aiosqlite:///{fresh}")
    if not kept.exists():
        return {}
    copied = {}
    with contextlib.closing(sqlite3.connect(fresh)) as db:
        db.execute("ATTACH DATABASE ? AS kept", (str(kept),))
        for table, where in [*((t, "") for t in tables), ("outbox", " WHERE sent_at IS NULL")]:
            had = {row[1] for row in db.execute(f"PRAGMA kept.table_info('{table}')")}
            columns = ", ".join(
                f'"{row[1]}"' for row in db.execute(f"PRAGMA main.table_info('{table}')") if row[1] in had
            )
            if columns:
                rows = db.execute(
                    f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM kept."{table}"{where}'
                )
                if rows.rowcount or table != "outbox":
                    copied["outbox (unsent)" if table == "outbox" else table] = rows.rowcount
        db.commit()
    return copied
