"""Event contracts shared by every eiso service and every outside publisher.

This package depends on pydantic alone, so that a publisher can vendor it (or read the generated JSON
Schemas and AsyncAPI document next to it) without pulling in any of the services.
"""

from contracts.catalogue import EVENT_TYPES, TOPICS, TopicSpec, parse_event
from contracts.envelope import CloudEvent, EventError, new_event_id, to_json
from contracts.topics import Topic, dlq

__all__ = [
    "EVENT_TYPES",
    "TOPICS",
    "CloudEvent",
    "EventError",
    "Topic",
    "TopicSpec",
    "dlq",
    "new_event_id",
    "parse_event",
    "to_json",
]
