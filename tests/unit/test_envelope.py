"""The CloudEvents envelope and the per-topic discriminated union, as a publisher meets them."""

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from contracts import EventError, Topic, parse_event, to_json
from contracts.records import ObjectiveUpdated
from tests.factories import agency_registered, objective_updated


def test_structured_mode_json_has_every_required_attribute() -> None:
    event = objective_updated("000.00.22.H59")
    value = json.loads(to_json(event))
    assert value["specversion"] == "1.0"
    assert value["type"] == "objective-updated"
    assert value["subject"] == "000.00.22.H59"
    assert value["datacontenttype"] == "application/json"
    assert value["dataschema"] == "urn:eiso:schema:objective-updated"
    assert value["correlationid"] == value["id"], "a new conversation correlates to its first event"
    assert value["time"].endswith("Z")
    assert "causationid" not in value, "absent optional attributes are left out, not null"


def test_round_trip_keeps_the_type_and_vietnamese_text() -> None:
    event = objective_updated("A1", title="Mục tiêu chất lượng năm 2022 — Đồng Tháp")
    parsed = parse_event(Topic.REGISTRY_RECORDS, to_json(event))
    assert isinstance(parsed, ObjectiveUpdated)
    assert parsed == event
    assert parsed.data.title == "Mục tiêu chất lượng năm 2022 — Đồng Tháp"


def test_time_is_normalised_to_utc() -> None:
    event = objective_updated("A1")
    raw = json.loads(to_json(event))
    raw["time"] = "2022-10-30T23:30:00+07:00"
    parsed = parse_event(Topic.REGISTRY_RECORDS, json.dumps(raw).encode())
    assert parsed.time == datetime(2022, 10, 30, 16, 30, tzinfo=UTC)
    assert json.loads(to_json(parsed))["time"] == "2022-10-30T16:30:00Z"


def test_naive_time_is_refused() -> None:
    raw = json.loads(to_json(objective_updated("A1")))
    raw["time"] = "2022-10-30T16:30:00"
    with pytest.raises(EventError, match="time"):
        parse_event(Topic.REGISTRY_RECORDS, json.dumps(raw).encode())


def test_subject_must_be_the_agency_the_data_is_about() -> None:
    raw = json.loads(to_json(objective_updated("A1")))
    raw["subject"] = "B2"
    with pytest.raises(EventError, match=r"subject must equal data\.agency_code"):
        parse_event(Topic.REGISTRY_RECORDS, json.dumps(raw).encode())


def test_unknown_fields_are_ignored_so_additive_changes_keep_the_type() -> None:
    raw = json.loads(to_json(objective_updated("A1")))
    raw["newextension"] = "x"
    raw["data"]["added_later"] = {"anything": 1}
    parsed = parse_event(Topic.REGISTRY_RECORDS, json.dumps(raw).encode())
    assert str(parsed.id) == raw["id"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty record value"),
        (b"\xff\xfe not utf-8", "not JSON"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"type": "agency-registered"}', "not carried on eiso.registry.records"),
        (b'{"type": "objective-updated", "data": {"year": "soon"}}', "data.year"),
        (b'{"type": ["objective-updated"]}', "type"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_invalid_values_say_what_is_wrong(value: bytes, reason: str) -> None:
    with pytest.raises(EventError, match=reason):
        parse_event(Topic.REGISTRY_RECORDS, value)


def test_each_topic_reads_only_its_own_types() -> None:
    agency = agency_registered("A1")
    assert parse_event(Topic.REGISTRY_AGENCIES, to_json(agency)).type == "agency-registered"
    with pytest.raises(EventError, match="allowed: policy-updated, context-updated, objective-updated"):
        parse_event(Topic.REGISTRY_RECORDS, to_json(agency))
    with pytest.raises(EventError, match="unknown topic"):
        parse_event("eiso.nowhere", to_json(agency))


def test_event_ids_are_new_each_time_and_events_are_immutable() -> None:
    first, second = objective_updated("A1"), objective_updated("A1")
    assert first.id != second.id
    with pytest.raises(ValidationError):
        first.subject = "B"  # type: ignore[misc]


def test_a_record_event_must_carry_its_own_element() -> None:
    raw = json.loads(to_json(objective_updated("A1")))
    raw["data"]["element"] = "internal_audit"
    with pytest.raises(EventError, match="carried by internal-audit-completed, not objective-updated"):
        parse_event(Topic.REGISTRY_RECORDS, json.dumps(raw).encode())
