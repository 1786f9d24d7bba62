"""The committed JSON Schemas and AsyncAPI document must match the models."""

import json
from pathlib import Path

import pytest

from contracts import generate


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
