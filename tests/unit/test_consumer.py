"""Consuming: the inbox drops redeliveries, what can never be applied is dead-lettered with its reason
and position, and one bad event does not undo the good ones beside it."""

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts import Topic
from services.common import dlq
from services.common.clock import FixedClock
from services.common.consumer import EventConsumer, PermanentError, tolerant_parser
from services.common.outbox_inbox import outbox
from services.common.uow import Repository, UnitOfWork
from services.compliance.scoring import store
from services.compliance.unit_of_work import ComplianceUnitOfWork
from tests.factories import COMPLIANCE_HANDLERS as HANDLERS
from tests.factories import NOW, agency_registered, consumer_record, objective_updated, unique_code

Sessions = async_sessionmaker[AsyncSession]


def consumer(sessions: Sessions, handlers: dict[str, Any] | None = None) -> EventConsumer:
    return EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS],
        HANDLERS if handlers is None else handlers,
        lambda: ComplianceUnitOfWork(sessions, FixedClock(NOW), "/eiso/compliance"),
    )


async def events_applied(sessions: Sessions, code: str, year: int = 2022) -> int:
    async with sessions() as session:
        row = await store.score(session, code, year)
    return int(row.events_applied) if row else 0


async def outbox_rows(sessions: Sessions, topic: str) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(select(outbox).where(outbox.c.topic == topic))).all())


async def test_the_same_event_twice_changes_the_score_once(compliance_db: Sessions) -> None:
    code = unique_code()
    update = objective_updated(code)
    result = await consumer(compliance_db).apply_batch(
        [
            consumer_record(agency_registered(code), topic=Topic.REGISTRY_AGENCIES),
            consumer_record(update),
            consumer_record(update),  # redelivered within the batch
        ]
    )
    assert (result.applied, result.duplicates) == (2, 1)
    again = await consumer(compliance_db).apply_batch([consumer_record(update)])  # and in a later batch
    assert (again.applied, again.duplicates) == (0, 1)
    assert await events_applied(compliance_db, code) == 1
    assert len(await outbox_rows(compliance_db, Topic.COMPLIANCE_STATUS)) == 1, "one score change published"


async def test_a_malformed_record_is_dead_lettered_once_with_reason_and_position(
    compliance_db: Sessions,
) -> None:
    code = unique_code()
    bad = consumer_record(b'{"type": "objective-updated", "data": {}}', key=code, offset=41)
    good = consumer_record(objective_updated(code), key=code, offset=42)
    result = await consumer(compliance_db).apply_batch([bad, good])
    assert (result.dead_lettered, result.applied) == (1, 1)
    assert await events_applied(compliance_db, code) == 1, "the next valid event is still applied"

    await consumer(compliance_db).apply_batch([bad])  # redelivered after a crash
    [letter] = await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    assert letter.value == bad.value and letter.key == code
    assert letter.headers[dlq.ORIGINAL_TOPIC] == "eiso.registry.records"
    assert (letter.headers[dlq.ORIGINAL_PARTITION], letter.headers[dlq.ORIGINAL_OFFSET]) == ("0", "41")
    assert letter.headers[dlq.CONSUMER] == "compliance"
    assert "data.record_id: Field required" in letter.headers[dlq.REASON]


async def test_a_permanent_handler_error_undoes_only_that_event(compliance_db: Sessions) -> None:
    code, refused = unique_code(), unique_code()

    async def picky(uow: UnitOfWork, event: Any) -> None:
        await HANDLERS[event.type](uow, event)  # writes evidence and a score, emits an event…
        if event.subject == refused:
            raise PermanentError(f"agency {refused} is not allowed")  # …then refuses

    result = await consumer(compliance_db, {"objective-updated": picky}).apply_batch(
        [consumer_record(objective_updated(refused)), consumer_record(objective_updated(code))]
    )
    assert (result.dead_lettered, result.applied) == (1, 1)
    assert await events_applied(compliance_db, refused) == 0, "the refused event's writes were rolled back"
    assert await events_applied(compliance_db, code) == 1
    published = await outbox_rows(compliance_db, Topic.COMPLIANCE_STATUS)
    assert [r.key for r in published] == [code], "the refused event's emitted score was discarded"
    [letter] = await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    assert letter.headers[dlq.REASON] == f"agency {refused} is not allowed"


async def test_events_of_types_without_a_handler_are_passed_over(compliance_db: Sessions) -> None:
    code = unique_code()
    result = await consumer(compliance_db, {}).apply_batch([consumer_record(objective_updated(code))])
    assert (result.ignored, result.applied, result.dead_lettered) == (1, 0, 0)


async def test_an_earlier_dead_letter_survives_a_later_refusal_in_the_batch(compliance_db: Sessions) -> None:
    code, refused = unique_code(), unique_code()

    async def refuse(uow: UnitOfWork, event: Any) -> None:
        raise PermanentError("refused")

    bad = consumer_record(b"not json", key=code)
    await consumer(compliance_db, {"objective-updated": refuse}).apply_batch(
        [bad, consumer_record(objective_updated(refused), key=refused)]
    )
    letters = await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    assert sorted(r.key for r in letters) == sorted([code, refused])


async def test_a_handler_bug_dead_letters_that_event_instead_of_stalling(compliance_db: Sessions) -> None:
    code = unique_code()

    async def buggy(uow: UnitOfWork, event: Any) -> None:
        if event.data.year == 2021:
            raise KeyError("missing")
        await HANDLERS[event.type](uow, event)

    result = await consumer(compliance_db, {"objective-updated": buggy}).apply_batch(
        [consumer_record(objective_updated(code, year=2021)), consumer_record(objective_updated(code))]
    )
    assert (result.dead_lettered, result.applied) == (1, 1)
    [letter] = await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    assert letter.headers[dlq.REASON] == "handler error: KeyError: 'missing'"


async def test_a_transient_error_fails_the_whole_batch_so_it_is_retried(compliance_db: Sessions) -> None:
    code = unique_code()

    async def database_gone(uow: UnitOfWork, event: Any) -> None:
        if event.data.year == 2023:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database unavailable"))
        await HANDLERS[event.type](uow, event)

    with pytest.raises(OperationalError):
        await consumer(compliance_db, {"objective-updated": database_gone}).apply_batch(
            [consumer_record(objective_updated(code)), consumer_record(objective_updated(code, year=2023))]
        )
    assert await events_applied(compliance_db, code) == 0, "nothing of the failed batch was committed"
    assert await outbox_rows(compliance_db, "eiso.registry.records.dlq") == []


@pytest.mark.parametrize(
    ("headers", "safe"),
    [
        ((("trace", b"\xff\xfe"),), (("trace", "\ufffd\ufffd".encode()),)),
        ((("empty", None),), (("empty", b""),)),
        ((("ok", b"fine"),), (("ok", b"fine"),)),
    ],
)
async def test_headers_faststream_cannot_decode_are_made_safe(
    headers: tuple[tuple[str, bytes | None], ...], safe: tuple[tuple[str, bytes], ...]
) -> None:
    record = consumer_record(b"{}", headers=headers)  # type: ignore[arg-type]

    async def parse(records: tuple[Any, ...]) -> tuple[Any, ...]:
        return records

    [parsed] = await tolerant_parser((record,), parse)
    assert tuple(parsed.headers) == safe
    assert parsed.value == record.value and parsed.offset == record.offset


async def test_a_record_whose_key_is_not_its_subject_is_dead_lettered(compliance_db: Sessions) -> None:
    code = unique_code()
    event = objective_updated(code)
    result = await consumer(compliance_db).apply_batch(
        [
            consumer_record(agency_registered(code), topic=Topic.REGISTRY_AGENCIES),
            consumer_record(event, key="another"),
            consumer_record(objective_updated(code), key=""),
        ]
    )
    assert (result.applied, result.dead_lettered) == (1, 2)
    reasons = sorted(
        r.headers[dlq.REASON] for r in await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    )
    assert reasons[0].startswith("the record has no key: it must be the event's subject")
    assert reasons[1].startswith(f"the record's key 'another' is not the event's subject '{code}'")
    assert await events_applied(compliance_db, code) == 0


async def test_an_id_reused_for_other_content_is_dead_lettered_once_where_that_is_asked(
    compliance_db: Sessions,
) -> None:
    code = unique_code()
    first = objective_updated(code)
    reused = first.model_copy(update={"data": first.data.model_copy(update={"title": "Nội dung khác"})})
    strict = consumer(compliance_db)
    strict.refuse_reused_ids = True
    await strict.apply_batch([consumer_record(agency_registered(code), topic=Topic.REGISTRY_AGENCIES)])
    other = consumer_record(reused)
    results = [
        await strict.apply_batch([consumer_record(first), other, consumer_record(first)]),
        await strict.apply_batch([other]),  # the same record redelivered: no second dead letter
    ]
    assert [(r.applied, r.duplicates, r.dead_lettered) for r in results] == [(1, 1, 1), (0, 1, 0)]
    [letter] = await outbox_rows(compliance_db, "eiso.registry.records.dlq")
    assert letter.headers[dlq.REASON].startswith(f"id reused with different content: event {first.id}")
    assert await events_applied(compliance_db, code) == 1

    lenient = consumer(compliance_db)  # eiso's own topics: a rebuilt producer re-sends derived ids
    assert (await lenient.apply_batch([consumer_record(reused)])).duplicates == 1


async def test_a_batch_whose_writes_at_the_commit_are_refused_is_applied_event_by_event(
    compliance_db: Sessions,
) -> None:
    """The fast pass holds some writes for the commit (read-ahead): if the database refuses them, the
    batch is done again carefully, instead of failing for ever."""
    code = unique_code()

    class Refused(Repository):
        """Holds writes for the commit when preloaded, and the database refuses them."""

        preloaded = False

        async def preload(self, events: Sequence[Any]) -> None:
            self.preloaded = True

        async def flush(self) -> None:
            if self.preloaded:
                raise DataError("INSERT INTO evidence", {}, ValueError("value too long"))

    class RefusingUnitOfWork(ComplianceUnitOfWork):
        def _open(self) -> None:
            super()._open()
            self.refused = Refused()

        def repositories(self) -> Sequence[Repository]:
            return (*super().repositories(), self.refused)

    careful = EventConsumer(
        "compliance",
        [Topic.REGISTRY_AGENCIES, Topic.REGISTRY_RECORDS],
        HANDLERS,
        lambda: RefusingUnitOfWork(compliance_db, FixedClock(NOW), "/eiso/compliance"),
    )
    batch = [
        consumer_record(agency_registered(code), topic=Topic.REGISTRY_AGENCIES),
        consumer_record(objective_updated(code)),
    ]
    result = await careful.apply_batch(batch)
    assert (result.applied, result.dead_lettered) == (2, 0)
    assert await events_applied(compliance_db, code) == 1


async def test_an_id_first_refused_then_sent_again_with_other_content_is_refused_as_reused(
    compliance_db: Sessions,
) -> None:
    """A dead letter remembers what its id stood for: a "corrected" event under the same id is not
    taken for a repeat of the refused one (and silently dropped)."""
    code = unique_code()

    async def refuse_first(uow: UnitOfWork, event: Any) -> None:
        if event.data.title == "lần đầu":
            raise PermanentError("refused")
        await HANDLERS[event.type](uow, event)

    strict = consumer(compliance_db, {**HANDLERS, "objective-updated": refuse_first})
    strict.refuse_reused_ids = True
    first = objective_updated(code, title="lần đầu")
    corrected = first.model_copy(update={"data": first.data.model_copy(update={"title": "sửa lại"})})
    await strict.apply_batch([consumer_record(agency_registered(code), topic=Topic.REGISTRY_AGENCIES)])
    await strict.apply_batch([consumer_record(first)])
    result = await strict.apply_batch([consumer_record(corrected)])
    assert (result.dead_lettered, result.duplicates) == (1, 0)
    reasons = [r.headers[dlq.REASON] for r in await outbox_rows(compliance_db, "eiso.registry.records.dlq")]
    assert reasons[0] == "refused" and reasons[1].startswith("id reused with different content")
