"""The committed JSON Schemas and AsyncAPI document must match the models."""

import json
from pathlib import Path

import pytest

from contracts import TOPICS, generate
from contracts.catalogue import DEAD_LETTER_HEADERS
from services.common import dlq as dlq_module
from services.common.outbox_inbox import OutgoingRecord
from tests.event_examples import every_event_type


def test_committed_schemas_and_asyncapi_are_current() -> None:
    stale = generate.stale_files()
    assert stale == [], f"stale contract files {stale}: run `make schemas` and commit"


def test_a_hand_edited_or_orphaned_schema_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = tmp_path / "schemas"
    monkeypatch.setattr(generate, "SCHEMAS", schemas)
    monkeypatch.setattr(generate, "ASYNCAPI", tmp_path / "asyncapi.yaml")
    assert generate.main([]) == 0
    assert generate.stale_files() == []

    edited = schemas / "objective-updated.json"
    edited.write_text(edited.read_text().replace('"year"', '"nam"'))
    (schemas / "removed-type.json").write_text("{}")
    assert set(generate.stale_files()) == {edited, schemas / "removed-type.json"}
    assert generate.main(["--check"]) == 1


def test_asyncapi_lists_every_topic_with_its_dead_letter_twin() -> None:
    document = json.loads(generate.ASYNCAPI.read_text())
    channels = set(document["channels"])
    assert "eiso.registry.records" in channels
    assert "eiso.registry.records.dlq" in channels
    assert document["components"]["messages"]["objective-updated"]["payload"] == {
        "$ref": "./schemas/objective-updated.json"
    }


def test_the_documented_key_is_the_key_the_services_write() -> None:
    """One declaration (`CloudEvent.key_field`) gives the AsyncAPI key binding and the runtime key."""
    messages = json.loads(generate.ASYNCAPI.read_text())["components"]["messages"]
    topic_of = {model.event_type: spec.topic for spec in TOPICS.values() for model in spec.events}
    for event in every_event_type():
        record = OutgoingRecord.of(topic_of[event.type], event)
        assert record.key == event.kafka_key() == getattr(event.data, str(event.subject_field))
        described = messages[event.type]["bindings"]["kafka"]["key"]["description"]
        assert f"`{event.key_field}`" in described and f"`data.{event.subject_field}`" in described


def test_the_dead_letter_headers_documented_are_those_written() -> None:
    written = {v for k, v in vars(dlq_module).items() if k.isupper() and str(v).startswith("eiso-dlq-")}
    documented = {h.name for h in DEAD_LETTER_HEADERS}
    assert written <= documented, f"undocumented dead-letter headers: {written - documented}"
    assert {h.name for h in DEAD_LETTER_HEADERS if h.required} <= written


def test_the_documented_event_headers_are_those_the_services_write() -> None:
    messages = json.loads(generate.ASYNCAPI.read_text())["components"]["messages"]
    topic_of = {model.event_type: spec.topic for spec in TOPICS.values() for model in spec.events}
    for event in every_event_type():
        written = OutgoingRecord.of(topic_of[event.type], event).headers
        documented = messages[event.type]["headers"]["properties"]
        assert {name: schema["const"] for name, schema in documented.items()} == written, event.type
