"""A fetched batch with a header key that is not UTF-8 is read whole (services/common/kafka_records.py)
— aiokafka's own reader raises on it, and a consumer would never get past that record."""

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from aiokafka.record.memory_records import MemoryRecords

from services.common.kafka_records import TolerantMemoryRecords


def batch(*header_keys: bytes) -> bytes:
    """A record batch of one record per header key, as a producer writes it on the wire."""
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=0, producer_id=-1, producer_epoch=-1,
        base_sequence=-1, batch_size=1_000_000,
    )  # fmt: skip
    for offset in range(len(header_keys)):
        builder.append(
            offset, timestamp=0, key=b"K", value=f"v{offset}".encode(), headers=[(f"H{offset:03d}", b"x")]
        )
    raw = bytes(builder.build())
    for offset, name in enumerate(header_keys):  # put each key's real bytes in (same length)
        raw = raw.replace(f"H{offset:03d}".encode(), name)
    return raw


def records(memory: object) -> list[tuple[int, bytes, list[tuple[str, bytes]]]]:
    found = []
    while memory.has_next():  # type: ignore[attr-defined]
        for record in memory.next_batch():  # type: ignore[attr-defined]
            found.append((record.offset, record.value, list(record.headers)))
    return found


def test_the_stock_reader_cannot_read_a_batch_with_a_header_key_that_is_not_utf8() -> None:
    with pytest.raises(Exception, match=r"utf-8|Invalid record"):
        records(MemoryRecords(batch(b"okay", b"\xff\xfe\xfd\xfc", b"fine")))


def test_every_record_of_such_a_batch_is_read_its_key_escaped() -> None:
    found = records(TolerantMemoryRecords(batch(b"okay", b"\xff\xfe\xfd\xfc", b"fine")))
    assert [(offset, value) for offset, value, _ in found][-3:] == [(0, b"v0"), (1, b"v1"), (2, b"v2")]
    assert found[-2][2] == [("\\xff\\xfe\\xfd\\xfc", b"x")]


def test_a_batch_the_stock_reader_reads_is_read_by_it() -> None:
    raw = batch(b"okay", b"tr\xc3\xa0")  # "trà": UTF-8
    assert records(TolerantMemoryRecords(raw)) == records(MemoryRecords(raw))
