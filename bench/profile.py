"""Where a service spends its time while it is measured: py-spy samples the process (no change to
it), and the collapsed stacks are summed into the functions that cost most."""

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROFILES = Path(__file__).parent / "profiles"


@contextmanager
def sampled(pid: int, name: str) -> Iterator[Path]:
    """Sample `pid` while the block runs; the collapsed stacks land in bench/profiles/<name>.txt."""
    PROFILES.mkdir(exist_ok=True)
    out = PROFILES / f"{name}.txt"
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),  # installed with the dev packages
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "50",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(PROFILES / f"{name}.log").open("w"),
    )
    try:
        yield out
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted, not when terminated
        spy.wait(60)


def hot_spots(collapsed: Path, top: int = 8) -> list[str]:
    """The `top` frames of our own code (and the libraries they call) by share of samples seen on the
    stack, e.g. "38% services/compliance/scoring/store.py:facts"."""
    if not collapsed.exists():
        return []
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        frames = {_frame(f) for f in stack.split(";")}
        for frame in frames:
            inclusive[frame] += int(count)
    if not total:
        return []
    ours = [(f, n) for f, n in inclusive.most_common() if f.startswith(("services/", "contracts/"))]
    return [f"{100 * n // total}% {f}" for f, n in ours[:top]]


def _frame(raw: str) -> str:
    """'apply_batch (/work/x/services/common/consumer.py:88)' → 'services/common/consumer.py:apply_batch'."""
    name, _, where = raw.partition(" (")
    path = where.rsplit(":", 1)[0]
    for root in ("services/", "contracts/"):
        if root in path:
            return f"{path[path.index(root) :]}:{name}"
    return f"{path}:{name}"
