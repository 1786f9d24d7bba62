"""The committed JSON Schemas accept every event as the services write it, and require what a
publisher must send: checked with `jsonschema` (Draft 2020-12, formats asserted), not with pydantic."""

import json
from typing import Any

import pytest

from contracts import EVENT_TYPES, CloudEvent, to_json
from tests.event_examples import every_event_type
from tests.event_schemas import schema_errors, validator

EXAMPLES = every_event_type()


def wire(event: CloudEvent) -> dict[str, Any]:
    """The record value of `event`, as JSON."""
    value: dict[str, Any] = json.loads(to_json(event))
    return value


def test_there_is_an_example_of_every_event_type() -> None:
    assert sorted(e.type for e in EXAMPLES) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.type)
def test_each_event_as_written_is_valid_against_its_committed_schema(event: CloudEvent) -> None:
    assert schema_errors(to_json(event)) == []


@pytest.mark.parametrize("field", ["specversion", "type", "id", "source", "time", "subject", "data"])
def test_an_event_without_a_required_attribute_is_refused(field: str) -> None:
    for event in EXAMPLES:
        value = wire(event)
        del value[field]
        messages = [e.message for e in validator(event.type).iter_errors(value)]
        assert f"'{field}' is a required property" in messages, (event.type, messages)


@pytest.mark.parametrize("time", ["01/06/2022 10:00", "2022-06-01 10:00", "2022-06-01T10:00:00"])
def test_time_must_be_an_rfc3339_date_time_with_its_offset(time: str) -> None:
    for event in EXAMPLES:
        value = {**wire(event), "time": time}
        assert schema_errors(value) == [f"time: '{time}' is not a 'date-time'"], event.type
