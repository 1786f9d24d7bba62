"""Dead letters: a record no retry can fix goes to `<topic>.dlq`, unchanged, with why and where from.

The dead letter travels through the outbox like any other record, so it is written in the same
transaction that marks the original as handled: never lost, never written twice.
"""

import uuid

from aiokafka.structs import ConsumerRecord

from contracts import dlq
from services.common.messaging import OutgoingRecord

REASON = "eiso-dlq-reason"
ORIGINAL_TOPIC = "eiso-dlq-topic"
ORIGINAL_PARTITION = "eiso-dlq-partition"
ORIGINAL_OFFSET = "eiso-dlq-offset"
CONSUMER = "eiso-dlq-consumer"
MAX_REASON = 1000


def dead_letter(record: "ConsumerRecord[bytes, bytes]", reason: str, consumer: str) -> OutgoingRecord:
    """The dead letter of `record`: same key and value, the original headers kept, the reason added."""
    headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers or ()}
    headers.update(
        {
            REASON: reason.replace("\r", " ").replace("\n", " ")[:MAX_REASON],
            ORIGINAL_TOPIC: record.topic,
            ORIGINAL_PARTITION: str(record.partition),
            ORIGINAL_OFFSET: str(record.offset),
            CONSUMER: consumer,
        }
    )
    return OutgoingRecord(
        event_id=str(uuid.uuid4()),
        topic=dlq(record.topic),
        key=(record.key or b"").decode(errors="replace"),
        value=record.value or b"",
        headers=headers,
    )


def record_position(record: "ConsumerRecord[bytes, bytes]") -> str:
    """An inbox id for a record that has no readable event id: its place in the log."""
    return f"{record.topic}/{record.partition}/{record.offset}"
