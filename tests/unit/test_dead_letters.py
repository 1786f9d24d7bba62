"""A dead letter can always be written: whatever the original record's size or bytes, it fits the
outbox and Kafka, keeps what it can of the original and says what it had to cut."""

import dataclasses
import hashlib

import pytest

from contracts.catalogue import DeadLetterHeaderName as H
from services.common.dlq import dead_letter, storable
from services.common.outbox_inbox import MAX_RECORD_BYTES
from tests.factories import consumer_record

#: Kafka's default message.max.bytes.
BROKER_LIMIT = 1_048_588


@pytest.mark.parametrize("size", [899_000, 950_000, BROKER_LIMIT - 200])
def test_a_value_too_large_for_the_outbox_is_cut_and_says_its_length_and_digest(size: int) -> None:
    value = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    letter = dead_letter(consumer_record(value, key="000.00.22.H59", offset=7), "invalid event", "registry")
    assert letter.size <= MAX_RECORD_BYTES
    assert value.startswith(letter.value) and len(letter.value) > 850_000
    assert letter.headers[H.TRUNCATED] == "value"
    assert letter.headers[H.VALUE_BYTES] == str(size)
    assert letter.headers[H.VALUE_SHA256] == hashlib.sha256(value).hexdigest()
    assert (letter.headers[H.OFFSET], letter.headers[H.REASON], letter.key) == (
        "7",
        "invalid event",
        "000.00.22.H59",
    )


def test_a_value_that_fits_is_kept_byte_for_byte_with_its_headers() -> None:
    value = b'{"not": "an event", "bytes": "\xff\x00"}'
    record = consumer_record(value, key="K", headers=(("trace", b"abc"),))
    letter = dead_letter(record, "value is not JSON", "compliance")
    assert letter.value == value and letter.headers["trace"] == "abc"
    assert H.TRUNCATED not in letter.headers and H.HEADERS_DROPPED not in letter.headers


def test_keys_and_headers_any_outbox_can_store_and_any_reader_can_print() -> None:
    record = consumer_record(b"{}", key="K", headers=(("trace\x00", b"\x00\xff\x1b[31m"),))
    record = dataclasses.replace(record, key=b"000\x00\xfe")
    letter = dead_letter(record, "reason with a NUL \x00 and \ud800", "registry")
    assert letter.key == "000\\x00\\xfe"
    assert letter.headers["trace\\x00"] == "\\x00\\xff\\x1b[31m"
    assert "\x00" not in letter.headers[H.REASON] and "\\x00" in letter.headers[H.REASON]
    assert storable("Hòa Thuận".encode()) == "Hòa Thuận"


def test_headers_that_would_crowd_the_value_out_are_dropped_and_counted() -> None:
    many = tuple((f"h{i}", b"v" * 1_000) for i in range(100))
    letter = dead_letter(consumer_record(b"{}", key="K", headers=many), "invalid event", "training")
    assert letter.headers[H.HEADERS_DROPPED] == "100" and "h1" not in letter.headers
    assert letter.value == b"{}"
