"""The fault suite (`make test-faults`): the real broker, PostgreSQL, and the four services as
processes, damaged in the ways a province's servers are — and a ledger to show nothing was lost or
done twice (see ledger.py)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, running

#: Small batches make many commits, so damage lands between and inside them.
BATCH = "25"


@pytest.fixture(scope="module")
def sms_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the notifier's file gateway writes each SMS (one JSON line each)."""
    return tmp_path_factory.mktemp("sms") / "sms.jsonl"


@pytest.fixture(scope="module")
def stack(
    kafka: str, postgres: Callable[[str], str], sms_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("faults")
    names = ("registry", "compliance", "training", "notifier")
    settings = {
        "consumer_batch_max": BATCH,
        # 09:00 giờ Việt Nam on a working day, after the 2022 deadline (reminders go out at once).
        "clock_starts_at": "2022-11-01T02:00:00Z",
        "sms_file": str(sms_file),
        "mail_folder": str(folder / "mail"),
        "digest_seconds": "0",
    }
    with running(kafka, postgres, folder / "logs", names=names, **settings) as stack:
        yield stack
