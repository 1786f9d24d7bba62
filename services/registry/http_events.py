"""The CloudEvents HTTP binding (v1.0) as the registry's intake reads it: one event in structured mode
(`application/cloudevents+json`), a batch (`application/cloudevents-batch+json`), or one event in
binary mode (`ce-*` headers, the data as the JSON body). Pure: bytes and headers in, event objects
(as JSON-ready dicts) out, or the reason they cannot be read."""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
#: Most events one batch may carry (a province's day of records is a few hundred).
MAX_BATCH = 500
#: The attributes binary mode carries as headers (`ce-<name>`).
ATTRIBUTES = (
    "id",
    "source",
    "type",
    "subject",
    "time",
    "specversion",
    "dataschema",
    "correlationid",
    "causationid",
)


class UnreadableError(ValueError):
    """The request is not CloudEvents eiso can read; `status` is the HTTP answer (400 or 415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise UnreadableError(400, f"the body is not JSON: {exc}") from None


def read_events(content_type: str, headers: Mapping[str, str], body: bytes) -> tuple[list[Any], bool]:
    """The events the request carries, and whether it was a batch."""
    kind = media_type(content_type)
    if kind == BATCH:
        events = _json(body)
        if not isinstance(events, list):
            raise UnreadableError(400, "a batch is a JSON array of events")
        if not 1 <= len(events) <= MAX_BATCH:
            raise UnreadableError(400, f"a batch carries 1 to {MAX_BATCH} events, not {len(events)}")
        return events, True
    if kind == STRUCTURED:
        return [_json(body)], False
    if "ce-specversion" in headers:
        if kind != "application/json":
            raise UnreadableError(415, "in binary mode the data must be application/json")
        event: dict[str, Any] = {
            name: unquote(headers[f"ce-{name}"]) for name in ATTRIBUTES if f"ce-{name}" in headers
        }
        event["datacontenttype"] = "application/json"
        event["data"] = _json(body)
        return [event], False
    raise UnreadableError(
        415, f"send CloudEvents: Content-Type {STRUCTURED} or {BATCH}, or binary mode (ce-* headers)"
    )
