"""Writes contracts/schemas/*.json and contracts/asyncapi.yaml from the models.

    python -m contracts.generate          # rewrite the files
    python -m contracts.generate --check  # exit 1 and name the stale files (used by the tests)

The files are committed so that publishers in any language can integrate without Python. What a
publisher must do is said here once, from the models: the required fields, the key of each message,
the partitioner, the servers and their security, and the dead-letter topics with their headers.
"""

import json
import sys
from pathlib import Path
from typing import Any

from contracts.catalogue import DEAD_LETTER_HEADERS, EVENT_TYPES, TOPICS
from contracts.envelope import CONTENT_TYPE, SCHEMA_URN_PREFIX, TYPE_HEADER, CloudEvent
from contracts.topics import SYSTEM_TOPIC_PREFIX, Topic, dlq

HERE = Path(__file__).parent
SCHEMAS = HERE / "schemas"
ASYNCAPI = HERE / "asyncapi.yaml"
#: The Kafka bindings version of AsyncAPI 3.0.
KAFKA_BINDING = "0.5.0"
DEAD_LETTER = "dead-letter"
SCRAM = "scramSha512"
SYSTEM_INBOUND = "eiso.inbound.records.system"

#: What `data.<subject_field>` is, in words, for the key's and the subject's descriptions.
SUBJECT_MEANINGS = {
    "code": "agency code",
    "agency_code": "agency code",
    "session_id": "session id",
    "credential_id": "credential id",
    "account_id": "account id",
    "signing_key_id": "signing key id",
    "sign_in_id": "sign-in id",
    "entry_id": "audit entry id",
}

PARTITIONING = (
    "**Key and partition.** Every record is keyed by its event's `subject`, UTF-8: the agency code, or "
    "the session id for the session events (`training-scheduled`, `-rescheduled`, `-cancelled`), the "
    "credential, account, signing key or sign-in id for the identity events; each "
    "message's Kafka binding says which. The partition must be chosen from the key with murmur2, as the "
    "Java client and aiokafka do by default. librdkafka clients (confluent-kafka, kcat, node-rdkafka, "
    "Confluent.Kafka) must set `partitioner=murmur2_random`: their default, `consistent_random` (CRC32), "
    "puts the same agency on another partition. Kafka keeps order only within a partition, and eiso's "
    "consumers rely on reading one agency's (one session's) events in the order they were written — a "
    "record version after the one it replaces, an agency's records after its registration."
)


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def summary(model: type[CloudEvent]) -> str:
    """The first paragraph of the model's docstring, on one line (a docstring wraps lines)."""
    paragraph: list[str] = []
    for line in (model.__doc__ or "").strip().splitlines():
        if not line.strip():
            break
        paragraph.append(line)
    text = " ".join(" ".join(paragraph).split())
    if not text:
        raise ValueError(f"{model.__name__} needs a docstring: it is the summary of its message")
    return text


def _subject_meaning(model: type[CloudEvent]) -> str:
    field = model.subject_field
    if field not in SUBJECT_MEANINGS:
        raise ValueError(f"{model.__name__}.subject_field={field!r}: say what it is in SUBJECT_MEANINGS")
    return f"the {SUBJECT_MEANINGS[field]} (= `data.{field}`)"


#: A time of day as pydantic writes it: `08:00:00`, an offset only when the time has one.
TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


def _times_of_day(node: Any) -> None:
    """Replace `format: time` by `TIME_OF_DAY`: in JSON Schema it means RFC 3339 `full-time`, whose
    offset is required, and our times of day are wall-clock times (giờ Việt Nam) without one — a
    validator that asserts formats refused every session event."""
    if isinstance(node, dict):
        if node.get("format") == "time":
            del node["format"]
            node["pattern"] = TIME_OF_DAY
        for value in node.values():
            _times_of_day(value)
    elif isinstance(node, list):
        for value in node:
            _times_of_day(value)


def event_schema(model: type[CloudEvent]) -> dict[str, Any]:
    """The JSON Schema (Draft 2020-12) of the record value of one event type, as producers write it."""
    schema = model.model_json_schema(mode="serialization")
    _times_of_day(schema)
    schema["properties"]["subject"]["description"] = (
        f"What the event is about: {_subject_meaning(model)}; also the Kafka record key."
    )
    schema["$id"] = f"{SCHEMA_URN_PREFIX}{model.event_type}"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_files() -> dict[Path, str]:
    return {
        SCHEMAS / f"{event_type}.json": _dump(event_schema(model))
        for event_type, model in sorted(EVENT_TYPES.items())
    }


def key_schema(model: type[CloudEvent]) -> dict[str, Any]:
    """The Kafka key of `model`'s records: its `key_field`, with that field's constraints."""
    envelope = model.model_json_schema(mode="serialization")["properties"][model.key_field]
    constraints = {k: v for k, v in envelope.items() if k not in ("title", "description")}
    meaning = f": {_subject_meaning(model)}" if model.key_field == "subject" else ""
    return {
        **constraints,
        "description": f"The event's `{model.key_field}`, UTF-8{meaning}. The "
        "partition is chosen from it with murmur2 (librdkafka: partitioner=murmur2_random).",
    }


def event_message(model: type[CloudEvent]) -> dict[str, Any]:
    return {
        "name": model.event_type,
        "title": model.event_type,
        "summary": summary(model),
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": {
                "content-type": {
                    "const": CONTENT_TYPE,
                    "description": "Structured mode of the CloudEvents Kafka binding. eiso's producers "
                    "set it; consumers read the value whatever the headers say.",
                },
                TYPE_HEADER: {
                    "const": model.event_type,
                    "description": "The event type, set by eiso's producers so tools can filter "
                    "without parsing the value; optional for outside publishers, and never read by "
                    "eiso (the value's `type` is what counts).",
                },
            },
        },
        "payload": {"$ref": f"./schemas/{model.event_type}.json"},
        "bindings": {"kafka": {"key": key_schema(model), "bindingVersion": KAFKA_BINDING}},
    }


def dead_letter_message() -> dict[str, Any]:
    return {
        "name": DEAD_LETTER,
        "title": "Dead letter",
        "summary": "A record its consumer can never process: the original key, value and headers, with "
        "the reason and where it was read.",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "required": [h.name for h in DEAD_LETTER_HEADERS if h.required],
            "properties": {
                h.name: {"type": "string", "description": h.description} for h in DEAD_LETTER_HEADERS
            },
            "additionalProperties": {"type": "string", "description": "The original record's headers, kept."},
        },
        "payload": {
            "description": "The original record value, byte for byte — it may not be JSON, which may be why "
            "it is here — or its first bytes when `eiso-dlq-truncated` is present."
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record's key, unchanged."},
                "bindingVersion": KAFKA_BINDING,
            }
        },
    }


def servers() -> dict[str, Any]:
    return {
        "production": {
            "host": "{bootstrap}",
            "protocol": "kafka-secure",
            "description": "The province's brokers: SASL_SSL with SCRAM-SHA-512 (security.protocol="
            "SASL_SSL, sasl.mechanism=SCRAM-SHA-512); the address, the user, its password and the CA "
            "of the brokers' certificates come from the province's Kafka operators.",
            "variables": {
                "bootstrap": {
                    "description": "host:port of a broker.",
                    "examples": ["broker-1.example:9093"],
                }
            },
            "security": [{"$ref": f"#/components/securitySchemes/{SCRAM}"}],
        },
        "local": {
            "host": "127.0.0.1:9092",
            "protocol": "kafka",
            "description": "`make up` / deploy/kafka/kafka.sh: PLAINTEXT, no authentication; for "
            "development and tests.",
        },
    }


def _add_system_inbound(channels: dict[str, Any], operations: dict[str, Any]) -> None:
    """Each system's own inbound topic: what a system given a broker principal publishes to."""
    inbound = channels[Topic.INBOUND_RECORDS.value]
    channels[SYSTEM_INBOUND] = {
        "address": f"{SYSTEM_TOPIC_PREFIX}{{systemId}}",
        "description": "A system's own inbound topic, carrying what the shared inbound topic carries. On "
        "the secure broker only the system's SCRAM principal (the identity service's POST /broker-accounts "
        "gives it) may write here, and the registry takes the event's source from the address: an event "
        "whose `source` is another system is dead-lettered (on the shared inbound dead-letter topic).",
        "parameters": {"systemId": {"description": "The registered system's id, its `source`."}},
        "messages": inbound["messages"],
    }
    operations[f"publish-{SYSTEM_INBOUND}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{SYSTEM_INBOUND}"},
        "summary": "Written by the system the address names, and by no one else (ACL).",
    }


def asyncapi_document() -> str:
    """AsyncAPI 3.0, written as JSON (a subset of YAML 1.2), so `contracts` needs no YAML library."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {DEAD_LETTER: dead_letter_message()}
    for spec in TOPICS.values():
        name = spec.topic.value
        for model in spec.events:
            messages[model.event_type] = event_message(model)
        channels[name] = {
            "address": name,
            "description": spec.description,
            "messages": {
                m.event_type: {"$ref": f"#/components/messages/{m.event_type}"} for m in spec.events
            },
        }
        channels[dlq(name)] = {
            "address": dlq(name),
            "description": f"Dead letters of {name}: what its consumers can never process.",
            "messages": {DEAD_LETTER: {"$ref": f"#/components/messages/{DEAD_LETTER}"}},
        }
        operations[f"publish-{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{name}"},
            "summary": f"Written by {spec.writer} only.",
        }
        operations[f"dead-letter-{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{dlq(name)}"},
            "summary": f"Written by the consumers of {name}, through their outbox: exactly once.",
        }
    _add_system_inbound(channels, operations)
    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "eiso events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in structured mode on Kafka: each record value is one JSON "
            f"event (`{CONTENT_TYPE}`) valid against the JSON Schema (Draft 2020-12) of its type, "
            "`./schemas/<type>.json`; `specversion`, `id`, `source`, `type`, `time` (RFC 3339), "
            f"`subject` and `data` are required.\n\n{PARTITIONING}\n\n"
            "Each topic has one writer. A record a consumer can never process goes to `<topic>.dlq`, "
            "unchanged, with `eiso-dlq-*` headers saying why and where it was read.\n\n"
            "Generated by `python -m contracts.generate` (`make schemas`); do not edit.",
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": servers(),
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "securitySchemes": {
                SCRAM: {
                    "type": SCRAM,
                    "description": "SASL/SCRAM-SHA-512 over TLS (security.protocol=SASL_SSL, "
                    "sasl.mechanism=SCRAM-SHA-512).",
                }
            },
        },
    }
    return _dump(document)


def expected_files() -> dict[Path, str]:
    return {**schema_files(), ASYNCAPI: asyncapi_document()}


def stale_files() -> list[Path]:
    """Files that differ from what the models generate, plus schema files no model generates."""
    expected = expected_files()
    stale = [p for p, text in expected.items() if not p.exists() or p.read_text() != text]
    stale += [p for p in SCHEMAS.glob("*.json") if p not in expected]
    return sorted(stale)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path} (run: make schemas)")
        return 1 if stale else 0
    SCHEMAS.mkdir(exist_ok=True)
    for path in SCHEMAS.glob("*.json"):
        path.unlink()
    for path, text in expected_files().items():
        path.write_text(text)
    print(f"wrote {len(expected_files())} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
