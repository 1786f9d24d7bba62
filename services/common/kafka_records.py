"""Fetched record batches that any record can be read from, whatever its header keys hold.

aiokafka decodes each header key as strict UTF-8 while it unpacks a fetched batch. A record whose
header key is not UTF-8 — any librdkafka client (kcat, confluent-kafka) can send one — makes that
raise inside the consumer's fetch, before FastStream or eiso sees a record: the fetch is retried,
raises again, and the partition never moves (readiness stays green, the log fills).

So the consumer's fetcher reads batches through `TolerantMemoryRecords`: each batch is read by
aiokafka's fast (C) parser as before; only if that parser cannot decode a header key is the same
batch read again by aiokafka's own Python parser, with header keys decoded as UTF-8 where they are
and as `\\xNN` escapes where not. The fetcher skips the records of the batch it has already handed
out (it goes by offset), so nothing is given twice; the record then reaches the consumer, which
applies or dead-letters it like any other.

This replaces `MemoryRecords` in `aiokafka.consumer.fetcher` (`install`, called by the Kafka
runtime): a patch of a library's module, kept to this file and checked by a test against the
pinned aiokafka version.
"""

from collections.abc import Iterator
from typing import Any

from aiokafka.consumer import fetcher
from aiokafka.record.default_records import _DefaultRecordBatchPy
from aiokafka.record.memory_records import _MemoryRecordsPy


class _Bytes(bytes):
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return super().decode(encoding, "backslashreplace")


class _Buffer(bytearray):
    """A batch's bytes whose slices decode without failing (the Python parser decodes header keys
    from slices of its buffer)."""

    def __getitem__(self, index: Any) -> Any:
        found = super().__getitem__(index)
        return _Bytes(found) if isinstance(index, slice) else found


class _TolerantBatchPy(_DefaultRecordBatchPy):  # type: ignore[misc]  # aiokafka is untyped here
    def __init__(self, buffer: Any) -> None:
        super().__init__(buffer)
        self._buffer: bytearray = _Buffer(self._buffer)

    def _maybe_uncompress(self) -> None:
        super()._maybe_uncompress()
        if not isinstance(self._buffer, _Buffer):
            self._buffer = _Buffer(self._buffer)


class _Batch:
    """One fetched batch: the fast parser's, with the tolerant one to fall back on."""

    def __init__(self, fast: Any, raw: memoryview) -> None:
        self._fast = fast
        self._raw = raw
        self._records = self._read()

    def __getattr__(self, name: str) -> Any:  # offsets, CRC, producer, control flags: the fast batch's
        return getattr(self._fast, name)

    def __iter__(self) -> "_Batch":
        return self

    def __next__(self) -> Any:
        return next(self._records)

    def _read(self) -> Iterator[Any]:
        try:
            yield from self._fast
        except UnicodeDecodeError:
            yield from _TolerantBatchPy(self._raw)  # from the start: the fetcher skips what it has


class TolerantMemoryRecords(_MemoryRecordsPy):  # type: ignore[misc]
    """aiokafka's `MemoryRecords`, whose record batches (magic 2) fall back as above."""

    def next_batch(self, *args: Any, **kwargs: Any) -> Any:
        raw = self._next_slice
        batch = super().next_batch(*args, **kwargs)
        if raw is None or batch is None or batch.magic < 2:
            return batch
        return _Batch(batch, raw)


def install() -> None:
    """Make the consumer's fetcher read batches as `TolerantMemoryRecords` (idempotent)."""
    fetcher.MemoryRecords = TolerantMemoryRecords
