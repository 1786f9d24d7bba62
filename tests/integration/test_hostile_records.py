"""Property: whatever a record holds, every consumer of every service moves on — on PostgreSQL, with the
handlers, read-ahead and unit of work each service runs (built as its app builds it).

Hypothesis draws batches of records for each consumer's topics: random bytes; valid events of the
topic's types with a field swapped for a NUL, a control character, odd unicode (lone surrogates, bidi
overrides, zero-width characters), a huge or empty string, a number JSON should not carry (NaN,
Infinity, 1e400), a deep nesting, a wrong type or nothing; values near Kafka's 1 MB limit; no key, a
wrong key, binary headers. For each batch `apply_batch` must return — a raise is a batch the
consumer would retry forever, a stalled partition — having accounted for every record (applied,
repeated, ignored or dead-lettered), with every dead letter small enough for Kafka.
"""

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from contracts import TOPICS, Topic, to_json
from services.common.consumer import EventConsumer, Record
from services.common.migrations import upgrade
from services.common.outbox_inbox import MAX_RECORD_BYTES, outbox
from services.common.service import Service
from services.compliance.app import build as compliance
from services.compliance.settings import ComplianceSettings
from services.notifier.app import build as notifier
from services.notifier.settings import NotifierSettings
from services.registry.app import build as registry
from services.registry.settings import RegistrySettings
from services.training.app import build as training
from services.training.settings import TrainingSettings
from tests.event_examples import CODE, every_event_type
from tests.factories import consumer_record

pytestmark = pytest.mark.integration
BUILDERS: dict[str, tuple[Callable[..., Service[Any]], type[Any]]] = {
    "registry": (registry, RegistrySettings),
    "compliance": (compliance, ComplianceSettings),
    "training": (training, TrainingSettings),
    "notifier": (notifier, NotifierSettings),
}
#: Kafka's default message.max.bytes.
BROKER_LIMIT = 1_048_588

ODD_TEXT = st.one_of(
    st.text(max_size=40),  # any code point Hypothesis likes, NUL included
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\x1b[31m",
            "\u202eevil",
            "\u200b",
            "\ud800",
            "\udfff",
            "\ufeff",
            "\u3164",
            "😀" * 50,
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=5_000, max_size=20_000),
)
ODD_NUMBER = st.sampled_from(
    ["NaN", "Infinity", "-Infinity", "1e400", "-0", "1e-400", "99999999999999999999", "1" * 5_000]
)
#: Instants Python cannot hold once moved to UTC, and ones that are no instant at all.
ODD_TIME = st.sampled_from(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2022-13-45T99:99:99Z"])
ODD_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    ODD_TEXT,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def swapped(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, *rest = path
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[head] = swapped(document[head], tuple(rest), value)
    return copy


def _somewhere(draw: st.DrawFn, event: dict[str, Any], value: Any) -> Any:
    """`event` with the value at a path drawn from all of its own swapped for `value`."""
    return swapped(event, draw(st.sampled_from(list(paths(event))[1:])), value)


def _number(draw: st.DrawFn, event: dict[str, Any]) -> bytes:
    marker = "__number__"
    return json.dumps(_somewhere(draw, event, marker)).replace(f'"{marker}"', draw(ODD_NUMBER)).encode()


def _huge(draw: st.DrawFn, event: dict[str, Any]) -> bytes:
    size = draw(st.sampled_from([899_000, 950_000, BROKER_LIMIT - 200]))
    value = json.dumps(_somewhere(draw, event, "")).encode()
    return value[:-1] + b', "padding": "' + b"x" * (size - len(value) - 15) + b'"}'


#: The kinds of hostile value, each from a valid event of the topic.
KINDS: dict[str, Callable[[st.DrawFn, dict[str, Any]], bytes]] = {
    "bytes": lambda draw, event: bytes(draw(st.binary(max_size=2_000))),
    "valid": lambda draw, event: json.dumps(event).encode(),
    "time": lambda draw, event: json.dumps({**event, "time": draw(ODD_TIME)}).encode(),
    "field": lambda draw, event: json.dumps(_somewhere(draw, event, draw(ODD_VALUE))).encode(),
    "deep": lambda draw, event: (
        json.dumps(_somewhere(draw, event, "x")).replace('"x"', "[" * 5_000 + "]" * 5_000).encode()
    ),
    "number": _number,
    "huge": _huge,
}


@st.composite
def hostile_value(draw: st.DrawFn, topic: str) -> bytes:
    examples = [e for e in every_event_type() if type(e) in TOPICS[Topic(topic)].events]
    event = {**json.loads(to_json(draw(st.sampled_from(examples)))), "id": str(uuid.uuid4())}
    return KINDS[draw(st.sampled_from(sorted(KINDS)))](draw, event)


@st.composite
def hostile_records(draw: st.DrawFn, topics: list[str]) -> list[Record]:
    records = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        topic = draw(st.sampled_from(topics))
        value = draw(hostile_value(topic))
        key = draw(st.sampled_from([CODE, "", "someone-else", "\x00\xff"]))
        headers = draw(st.sampled_from([(), (("trace", b"\x00\xff"),), (("\x00", b""),)]))
        records.append(consumer_record(value, topic=topic, key=key, headers=headers))
    return records


@pytest.fixture(scope="module")
def consumers(postgres: Callable[[str], str]) -> dict[str, EventConsumer]:
    """Each service's consumer on its own PostgreSQL database, migrated."""
    found = {}
    for name, (build, kind) in BUILDERS.items():
        service = build(kind(database_url=postgres(f"hostile_{name}")))
        upgrade(service.migrations, service.settings.database_url)
        [found[name]] = service.consumers
    return found


@pytest.mark.parametrize("name", list(BUILDERS))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
async def test_every_consumer_moves_on_whatever_a_record_holds(
    consumers: dict[str, EventConsumer], name: str, data: st.DataObject
) -> None:
    consumer = consumers[name]
    records = data.draw(hostile_records(consumer.topics))
    result = await consumer.apply_batch(records)  # a raise is a batch retried forever: a stall
    assert result.applied + result.duplicates + result.dead_lettered + result.ignored == len(records)
    async with consumer.uow() as uow:
        largest = await uow.session.scalar(select(func.max(func.length(outbox.c.value))))
    assert largest is None or largest <= MAX_RECORD_BYTES, "a dead letter too large for Kafka"
