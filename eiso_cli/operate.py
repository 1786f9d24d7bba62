"""The operator's commands: the progress report, publishing an event as an outside system would."""

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts import EventError, Topic, parse_event, to_json
from eiso_cli.api import answered, operator_client
from eiso_cli.kafka import kafka_bootstrap
from eiso_cli.processes import StackError


def progress(compliance: str, key: str, year: int, as_of: date | None) -> dict[str, Any]:
    params: dict[str, Any] = {"year": year} | ({"as_of": as_of.isoformat()} if as_of else {})
    with operator_client(key, timeout=60) as http:
        return dict(answered(http.get(f"{compliance}/reports/progress", params=params)))


def publish(path: Path) -> str:
    """Validate the file as an inbound event (the registry would refuse anything else), then send it
    keyed by its subject, as the e-ISO software does."""
    try:
        value = path.read_bytes()
    except OSError as exc:
        raise StackError(f"cannot read {path}: {exc.strerror}") from None
    try:
        event = parse_event(Topic.INBOUND_RECORDS, value)
    except EventError as exc:
        raise StackError(f"{path.name}: {exc}") from None
    asyncio.run(_send(event.subject, to_json(event)))
    return f"published {event.type} {event.id} for {event.subject} to {Topic.INBOUND_RECORDS}"


async def _send(key: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all", enable_idempotence=True)
    try:
        await producer.start()
        await producer.send_and_wait(Topic.INBOUND_RECORDS, value, key=key.encode())
    except KafkaError as exc:
        raise StackError(f"cannot publish to Kafka at {kafka_bootstrap()}: {exc}") from None
    finally:
        await producer.stop()


def example_event() -> str:
    """A complete inbound event, for the README and for `eiso publish` to be tried on."""
    from contracts.vocabulary import Element
    from eiso_cli import campaign

    planned = campaign.Planned("000.36.05.H59", Element.INTERNAL_AUDIT, date(2022, 6, 15))
    return json.dumps(json.loads(to_json(campaign.event(planned))), ensure_ascii=False, indent=2)
