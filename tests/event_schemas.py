"""Record values checked against the committed JSON Schemas (`contracts/schemas`, Draft 2020-12) with
`jsonschema`, formats asserted — as a publisher or consumer in another language checks them, not
through our pydantic models."""

import json
from collections import Counter
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from contracts import TOPICS, CloudEvent, Topic
from contracts.generate import SCHEMAS
from tests.kafka_tools import read_to_end, topic_names

#: Draft 2020-12's own formats (a bare `FormatChecker()` mixes in Draft 3's `time`); `date-time` and
#: `time` are checked only because rfc3339-validator is installed (a dev dependency).
FORMATS = Draft202012Validator.FORMAT_CHECKER


@cache
def validator(event_type: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{event_type}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FORMATS)


def schema_errors(value: bytes | dict[str, Any]) -> list[str]:
    """What the committed schema of the value's `type` finds wrong with it (`[]` when valid)."""
    event = json.loads(value) if isinstance(value, bytes) else value
    event_type = event.get("type") if isinstance(event, dict) else None
    if not isinstance(event_type, str) or not (SCHEMAS / f"{event_type}.json").is_file():
        return [f"type {event_type!r} has no schema in {SCHEMAS}"]
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(event)'}: {error.message}"
        for error in validator(event_type).iter_errors(event)
    ]


async def what_services_wrote_breaks(bootstrap: str) -> tuple[Counter[str], list[str]]:
    """Every event on the broker's catalogue topics written by that topic's writer (source
    `/eiso/<writer>`; what tests publish themselves is left out): how many of each type, and what the
    committed schemas find wrong with them or with their key (it must be the event's `kafka_key`)."""
    seen: Counter[str] = Counter()
    broken: list[str] = []
    existing = await topic_names(bootstrap)
    for spec in TOPICS.values():
        if spec.topic == Topic.INBOUND_RECORDS or spec.topic not in existing:
            continue  # written by outside systems (here: the tests), or by nobody in this run
        for record in await read_to_end(bootstrap, spec.topic, timeout=300):
            try:
                event = json.loads(record.value)
            except ValueError:  # not JSON: hostile input a test published, never a service
                continue
            if not isinstance(event, dict) or event.get("source") != f"/eiso/{spec.writer}":
                continue
            seen[str(event.get("type"))] += 1
            where = f"{spec.topic}/{record.partition}/{record.offset} {event.get('type')}"
            broken += [f"{where}: {error}" for error in schema_errors(event)]
            if record.key != str(event.get(CloudEvent.key_field)).encode():
                broken.append(f"{where}: key {record.key!r} is not its {CloudEvent.key_field}")
    return seen, broken
