"""The fault suite's ledger: the inbound events the broker acknowledged, and what became of each in
every consumer. A scenario publishes load through `Ledger.load`, does its damage, then calls
`Ledger.settled`, which asserts what every scenario must show:

- nothing acknowledged is missing: every valid inbound event has its canonical event on
  `eiso.registry.records`, applied by compliance and the notifier, and every score change it caused
  reached training and the notifier;
- each effect applied once: one canonical event per inbound event (never two record versions), one
  piece of evidence per canonical event, and compliance's count of applied events equal to their number;
- per-agency order kept: the registry numbered each agency's versions in the order they were published;
- consumer lag back to zero within `LAG_DEADLINE` seconds of the end of the load.
"""

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from contracts import Topic, dlq, to_json
from contracts.records import InternalAuditCompleted
from eiso_cli.kafka import caught_up
from services.common.db import create_engine
from services.common.outbox_inbox import inbox, outbox
from services.compliance.scoring.tables import evidence, scores
from tests.e2e.stack import Stack
from tests.factories import inbound, unique_code
from tests.kafka_tools import read_to_end, read_until

#: How long after the load (and the repair) every consumer group may take to reach the end.
LAG_DEADLINE = 90.0
CONSUMERS = ("registry", "compliance", "training", "notifier")


def register(stack: Stack, count: int) -> list[str]:
    """`count` new communes in the registry, each with an ISO officer reachable by SMS; their codes."""
    codes = [unique_code("FLT") for _ in range(count)]
    with stack.client("registry") as registry:
        for code in codes:
            officer = {"name": "Nguyễn Thị Mai", "phone": phone_of(code)}
            body = {
                "code": code,
                "name": f"UBND xã {code[-4:]}",
                "level": "commune",
                "valid_from": "2020-01-01",
                "contacts": {"iso_officer": officer},
            }
            assert registry.post("/agencies", json=body).status_code == 201, code
    return codes


def phone_of(code: str) -> str:
    """A made-up mobile number, the same for the same agency."""
    return f"+8491{int(code[-8:], 16) % 10**7:07d}"


async def unsent(database: str) -> int:
    """Rows a service's outbox has not yet published."""
    engine = create_engine(database)
    try:
        async with engine.connect() as db:
            return int(await db.scalar(select(func.count()).where(outbox.c.sent_at.is_(None))) or 0)
    finally:
        await engine.dispose()


@dataclass
class Ledger:
    stack: Stack
    system: str
    codes: list[str]
    outsider: str
    #: Agencies registered during the scenario only for consumers to read (not in the system's scope).
    others: list[str] = field(default_factory=list)
    #: Inbound events the broker acknowledged, in the order they were published.
    acked: list[InternalAuditCompleted] = field(default_factory=list)
    #: Of those, the ids the registry must refuse (dead letters), with the reason it must give.
    refused: dict[str, str] = field(default_factory=dict)
    #: Record ids the registry accepted through its API (no inbound event behind them).
    written: set[str] = field(default_factory=set)
    #: What was still behind at the last look (for the failure message).
    lagging: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, stack: Stack, agencies: int = 8) -> "Ledger":
        """New agencies, an outside system allowed to speak for them (its scope), and one agency
        outside that scope."""
        codes = register(stack, agencies)
        (outsider,) = register(stack, 1)
        system = f"vn.faults.{unique_code('S').lower()}"
        with stack.client("registry") as registry:
            body = {"id": system, "name": "Phần mềm ISO điện tử", "scope": codes}
            assert registry.post("/systems", json=body).status_code == 201
        return cls(stack, system, codes, outsider)

    def refuse(self, events: list[InternalAuditCompleted], every: int) -> None:
        """Make every `every`-th event one the registry's handler must refuse (an agency outside the
        system's scope): a permanent error, for the dead-letter topic."""
        for n in range(every - 1, len(events), every):
            events[n] = inbound(self.outsider, self.system)
            self.refused[str(events[n].id)] = f"may not publish for {self.outsider}"

    def events(self, count: int, start: int = 0) -> list[InternalAuditCompleted]:
        """`count` internal audits, round robin over the agencies, each a new record (a new version)."""
        return [inbound(self.codes[(start + i) % len(self.codes)], self.system) for i in range(count)]

    async def load(self, events: Iterable[InternalAuditCompleted], per_second: float = 200.0) -> None:
        """Publish at a steady rate with acks=all; only what the broker acknowledged enters the ledger."""
        producer = AIOKafkaProducer(bootstrap_servers=self.stack.kafka, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            pending = []
            started = time.monotonic()
            for n, event in enumerate(events):
                delay = started + n / per_second - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing the load, not waiting for a result
                sent = await producer.send(Topic.INBOUND_RECORDS, to_json(event), key=event.subject.encode())
                pending.append((event, sent))
            for event, sent in pending:
                await sent
                self.acked.append(event)
        finally:
            await producer.stop()

    async def settled(self, processes: dict[str, Any] | None = None) -> dict[str, Any]:
        """Assert the ledger's promises (see the module); returns figures for the scenario to add to."""
        started = time.monotonic()
        await self._caught_up()
        lag_seconds = time.monotonic() - started
        expected = [e for e in self.acked if str(e.id) not in self.refused]
        canonical = await self._canonical()
        by_cause: dict[str, set[str]] = defaultdict(set)
        for record in canonical:
            by_cause[record.get("causationid") or f"api:{record['data']['record_id']}"].add(record["id"])
        wanted = [str(e.id) for e in expected] + [f"api:{r}" for r in self.written]
        missing = [cause for cause in wanted if cause not in by_cause]
        assert not missing, f"{len(missing)} acknowledged changes never reached eiso.registry.records"
        doubled = {cause: ids for cause, ids in by_cause.items() if len(ids) > 1}
        assert not doubled, f"one change became two record versions: {doubled}"
        self._in_order(expected, canonical)
        canonical_ids = {record["id"] for record in canonical}
        await self._applied_once(canonical_ids)
        await self._dead_lettered()
        statuses = await self._ids_on(Topic.COMPLIANCE_STATUS)
        agencies = await self._ids_on(Topic.REGISTRY_AGENCIES)
        for name in ("compliance", "notifier"):
            await self._remembered(name, canonical_ids)
        for name in ("compliance", "training", "notifier"):
            await self._remembered(name, agencies)
        for name in ("training", "notifier"):
            await self._remembered(name, statuses)
        return {"acked": len(self.acked), "applied": len(canonical_ids), "lag_seconds": round(lag_seconds, 1)}

    async def _caught_up(self) -> None:
        """Every outbox empty and every consumer group at the end of its topics, twice in a row (an
        outbox emptied between two looks would add to a topic already looked at)."""
        consumes = {}
        for name in CONSUMERS:
            with self.stack.client(name) as api:
                ready = api.get("/health/ready").json()
            consumes[name] = (ready["consumer_group"], ready["consumes"])
        deadline = time.monotonic() + LAG_DEADLINE
        calm = 0
        while calm < 2:
            assert time.monotonic() < deadline, (
                f"lag not back to zero within {LAG_DEADLINE:.0f}s: {self.lagging}"
            )
            self.lagging = [n for n in CONSUMERS if await unsent(self.stack.databases[n])]
            for name, (group, topics) in consumes.items():
                if not await caught_up(self.stack.kafka, group, topics):
                    self.lagging.append(f"{name} (group {group})")
            calm = calm + 1 if not self.lagging else 0
            await asyncio.sleep(0.2)

    async def _canonical(self) -> list[dict[str, Any]]:
        """The registry's record events about these agencies (read after its outbox is empty)."""
        codes = {code.encode() for code in self.codes}
        records = await read_to_end(self.stack.kafka, Topic.REGISTRY_RECORDS, keep=lambda r: r.key in codes)
        return [json.loads(r.value) for r in records]

    def _in_order(self, expected: list[InternalAuditCompleted], canonical: list[dict[str, Any]]) -> None:
        """Each record's versions 1, 2, 3… (per agency, element, year) follow the order its events were
        published in."""
        published: dict[str, int] = {}
        for n, e in enumerate(expected):
            published.setdefault(str(e.id), n)  # an event delivered again keeps its first place
        versions: dict[tuple[str, str, int], dict[int, str | None]] = defaultdict(dict)
        for record in canonical:
            data = record["data"]
            versions[(record["subject"], data["element"], data["year"])][data["version"]] = record.get(
                "causationid"
            )
        for code, found in versions.items():
            order = [published[c] for v in sorted(found) if (c := found[v]) in published]
            assert order == sorted(order), f"{code}: versions out of publishing order"
            assert sorted(found) == list(range(1, len(found) + 1)), f"{code}: a version number skipped"

    async def _applied_once(self, canonical_ids: set[str]) -> None:
        """Compliance's own counters: one piece of evidence and one count per canonical event."""
        engine = create_engine(self.stack.databases["compliance"])
        try:
            async with engine.connect() as db:
                counted = await db.scalar(
                    select(func.coalesce(func.sum(scores.c.events_applied), 0)).where(
                        scores.c.agency_code.in_(self.codes)
                    )
                )
                kept = set(
                    (
                        await db.execute(
                            select(evidence.c.event_id).where(evidence.c.agency_code.in_(self.codes))
                        )
                    ).scalars()
                )
        finally:
            await engine.dispose()
        assert kept == canonical_ids, f"evidence differs: {len(kept)} kept for {len(canonical_ids)} events"
        assert counted == len(canonical_ids), f"compliance counted {counted} for {len(canonical_ids)} events"

    async def _remembered(self, name: str, ids: set[str]) -> None:
        engine = create_engine(self.stack.databases[name])
        try:
            async with engine.connect() as db:
                found = set(
                    (await db.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids)))).scalars()
                )
        finally:
            await engine.dispose()
        assert found == ids, f"{name} has not applied {len(ids - found)} of {len(ids)} events"

    async def _dead_lettered(self) -> None:
        if not self.refused:
            return
        wanted = dict(self.refused)
        keys = {code.encode() for code in [*self.codes, self.outsider]}

        def complete(kept: list[Any]) -> bool:
            return set(wanted) <= {json.loads(r.value).get("id") for r in kept}

        letters = await read_until(
            self.stack.kafka,
            dlq(Topic.INBOUND_RECORDS),
            complete,
            keep=lambda r: r.key in keys,
            timeout=60,
        )
        for record in letters:
            event_id = json.loads(record.value).get("id")
            headers = {k: v.decode() for k, v in record.headers}
            if event_id in wanted:
                assert wanted[event_id] in headers["eiso-dlq-reason"], headers["eiso-dlq-reason"]

    async def _ids_on(self, topic: str) -> set[str]:
        """The ids of every event on `topic` about these agencies."""
        codes = {code.encode() for code in self.codes + self.others}
        records = await read_to_end(self.stack.kafka, topic, keep=lambda r: r.key in codes)
        return {json.loads(r.value)["id"] for r in records}
