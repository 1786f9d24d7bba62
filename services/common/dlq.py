"""Dead letters: a record no retry can fix goes to `<topic>.dlq` with why and where from.

The dead letter travels through the outbox like any other record, so it is written in the same
transaction that marks the original as handled: never lost, never written twice. It must be writable
whatever the original was — the partition moves on only once it is — so it is bounded and storable:

- the value is kept byte for byte when it fits; a value too large for the outbox (a record near
  Kafka's 1 MB limit, plus the headers added here, would not fit) keeps its first bytes, with headers
  saying it was cut, its full length and SHA-256, so nothing is silently lost and the original can
  still be found at its topic, partition and offset;
- the key and header values are text (the outbox stores them so): bytes that are not UTF-8 and
  control characters (a NUL cannot be stored by PostgreSQL) are written as escapes (`\\x00`);
- original headers that would crowd the value out are dropped, and that is said.
"""

import hashlib
import re
import uuid

from aiokafka.structs import ConsumerRecord

from contracts import dlq
from contracts.catalogue import DeadLetterHeaderName
from services.common.outbox_inbox import MAX_RECORD_BYTES, OutgoingRecord

REASON = DeadLetterHeaderName.REASON
ORIGINAL_TOPIC = DeadLetterHeaderName.TOPIC
ORIGINAL_PARTITION = DeadLetterHeaderName.PARTITION
ORIGINAL_OFFSET = DeadLetterHeaderName.OFFSET
CONSUMER = DeadLetterHeaderName.CONSUMER
TRUNCATED = DeadLetterHeaderName.TRUNCATED
VALUE_BYTES = DeadLetterHeaderName.VALUE_BYTES
VALUE_SHA256 = DeadLetterHeaderName.VALUE_SHA256
HEADERS_DROPPED = DeadLetterHeaderName.HEADERS_DROPPED
MAX_REASON = 1000
MAX_KEY = 256
#: Room kept for the original headers; more than this and they are dropped.
MAX_ORIGINAL_HEADERS = 16_000
#: Written as escapes: every control character (line breaks too: a header is one line) and unpaired
#: surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: Room for what this module adds (reason, position, digests) and Kafka's own record overhead.
_OVERHEAD = 4_000


def dead_letter(record: "ConsumerRecord[bytes, bytes]", reason: str, consumer: str) -> OutgoingRecord:
    """The dead letter of `record`: its key, value and headers kept as far as they can be, the reason
    and its position added; never larger than MAX_RECORD_BYTES."""
    original = {
        storable(k.encode("utf-8", "surrogatepass")): storable(v or b"") for k, v in record.headers or ()
    }
    headers: dict[str, str] = {}
    if _size(original) <= MAX_ORIGINAL_HEADERS:
        headers.update(original)
    else:
        headers[HEADERS_DROPPED] = str(len(record.headers or ()))
    headers.update(
        {
            REASON: printable(reason)[:MAX_REASON],
            ORIGINAL_TOPIC: record.topic,
            ORIGINAL_PARTITION: str(record.partition),
            ORIGINAL_OFFSET: str(record.offset),
            CONSUMER: consumer,
        }
    )
    key = storable(record.key or b"")[:MAX_KEY]
    value = record.value or b""
    room = MAX_RECORD_BYTES - _OVERHEAD - len(key.encode()) - _size(headers)
    if len(value) > room:
        headers.update(
            {
                TRUNCATED: "value",
                VALUE_BYTES: str(len(value)),
                VALUE_SHA256: hashlib.sha256(value).hexdigest(),
            }
        )
        value = value[:room]
    return OutgoingRecord(
        event_id=str(uuid.uuid4()),
        topic=dlq(record.topic),
        key=key,
        value=value,
        headers=headers,
    )


def _size(headers: dict[str, str]) -> int:
    return sum(len(k.encode()) + len(v.encode()) for k, v in headers.items())


def storable(raw: bytes) -> str:
    """`raw` as text that any outbox can store and any reader can print: UTF-8 where it is, escapes
    (`\\xNN`, `\\uNNNN`) for what is not, for control characters and for unpaired surrogates."""
    return printable(raw.decode("utf-8", errors="backslashreplace"))


def printable(text: str) -> str:
    """`text` with its control characters and unpaired surrogates as escapes: what a hostile event's
    field (read from JSON, where `\\u0000` is a NUL) becomes before a database stores it."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def record_position(record: "ConsumerRecord[bytes, bytes]") -> str:
    """An inbox id for a record that has no readable event id: its place in the log."""
    return f"{record.topic}/{record.partition}/{record.offset}"
