"""The inbound gateway's dead letters: each kept as it arrived when it is refused (in the transaction
that dead-letters it), listed by publishing system, and re-driven by an operator once its cause is
fixed — the same check and the same use case as when it first arrived."""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from contracts import EventError, parse_event
from contracts.records import RecordEvent
from contracts.topics import system_of
from services.common.consumer import PermanentError, Record
from services.common.dlq import printable, record_position, storable
from services.registry.domain import source_bound_to_topic
from services.registry.store.dead_letters import DeadLetter, DeadLetterStatus
from services.registry.unit_of_work import RegistryUnitOfWork
from services.registry.usecases.inbound import inbound_record


class DeadLetterNotFoundError(LookupError):
    pass


class AlreadyRedrivenError(Exception):
    pass


def _envelope(value: str) -> dict[str, Any]:
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):  # not JSON, or nested beyond what a parser follows
        return {}
    return parsed if isinstance(parsed, dict) else {}


async def keep_dead_letter(uow: RegistryUnitOfWork, record: Record, reason: str) -> None:
    """A copy of a refused record, with the system it came from: the topic's, else the `source` it
    claims (which is all a record on the shared inbound topic says)."""
    # As text any database stores (a NUL is refused by PostgreSQL): a valid event has no raw NUL.
    value = (record.value or b"").decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    envelope = _envelope(value)
    claimed = envelope.get("source")
    # Fields read from JSON may hold what the raw bytes did not (`\u0000` is a NUL once parsed).
    system = system_of(record.topic) or (printable(claimed)[:64] if isinstance(claimed, str) else None)
    event_id = envelope.get("id")
    letter = DeadLetter(
        id=record_position(record),
        topic=record.topic,
        system=system,
        event_id=printable(event_id)[:100] if isinstance(event_id, str) else None,
        key=storable(record.key)[:300] if record.key else None,
        value=value,
        reason=printable(reason),
        received_at=uow.clock.now(),
        status=DeadLetterStatus.OPEN,
    )
    await uow.dead_letters.keep(letter)


async def dead_letters(
    uow: RegistryUnitOfWork, system: str | None, status: DeadLetterStatus | None, limit: int
) -> list[DeadLetter]:
    return await uow.dead_letters.listed(system, status, limit)


@dataclass(frozen=True)
class Redrive:
    letter: DeadLetter
    #: Taken this time; when not, `letter.reason` says why (the reason of this attempt).
    accepted: bool


async def redrive(uow: RegistryUnitOfWork, letter_id: str, clock_skew: timedelta, by: str) -> Redrive:
    """Take a dead letter again, as the gateway would take it now: accepted (stored and republished),
    or refused with today's reason (kept open, that reason recorded)."""
    letter = await uow.dead_letters.get(letter_id)
    if letter is None:
        raise DeadLetterNotFoundError(letter_id)
    if letter.status == DeadLetterStatus.REDRIVEN:
        raise AlreadyRedrivenError(f"thư {letter_id} đã được gửi lại ngày {letter.handled_at:%d/%m/%Y}")
    now = uow.clock.now()
    try:
        event = parse_event(letter.topic, letter.value.encode())
        if not isinstance(event, RecordEvent):
            raise PermanentError(f"{event.type} is not a record event")
        if refusal := source_bound_to_topic(letter.topic, event):
            raise PermanentError(refusal)
        async with uow.all_or_nothing():
            await inbound_record(uow, event, clock_skew)
    except (EventError, PermanentError) as refused:
        await uow.dead_letters.settle(letter_id, printable(str(refused)), DeadLetterStatus.OPEN, now, by)
        return Redrive(await _reread(uow, letter_id), accepted=False)
    await uow.dead_letters.settle(letter_id, letter.reason, DeadLetterStatus.REDRIVEN, now, by)
    return Redrive(await _reread(uow, letter_id), accepted=True)


async def _reread(uow: RegistryUnitOfWork, letter_id: str) -> DeadLetter:
    found = await uow.dead_letters.get(letter_id)
    assert found is not None
    return found
