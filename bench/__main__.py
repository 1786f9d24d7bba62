"""`python -m bench` (make bench): run the benchmarks, write bench/results.json, print a table."""

import argparse
import asyncio
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ingest, latency, notifier, scale
from bench.infra import Infra

RESULTS = Path(__file__).parent / "results.json"
SECTIONS = ["compliance", "registry", "latency", "notifier", "scale"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="make bench", description=__doc__)
    p.add_argument("--events", type=int, default=200_000, help="record events compliance replays")
    p.add_argument("--agencies", type=int, default=5_000, help="agencies they belong to")
    p.add_argument("--inbound", type=int, default=50_000, help="inbound events the registry takes")
    p.add_argument("--reminders", type=int, default=10_000, help="reminders the notifier sends")
    p.add_argument("--scale-agencies", type=int, default=50_000, help="agencies of the scale run")
    p.add_argument("--scale-events", type=int, default=2_000_000, help="record events of the scale run")
    p.add_argument("--quick", action="store_true", help="a tenth of each size, to try the harness")
    p.add_argument("--only", choices=SECTIONS, action="append", help="run only these")
    return p


async def run(args: argparse.Namespace) -> dict[str, Any]:
    scale_down = 10 if args.quick else 1
    wanted = set(args.only or SECTIONS)
    results: dict[str, Any] = {}
    with Infra() as infra:
        if "compliance" in wanted:
            results["compliance_ingest"] = await ingest.compliance_ingest(
                infra, args.agencies // scale_down, args.events // scale_down
            )
            print_row("compliance_ingest", results["compliance_ingest"])
        if "registry" in wanted:
            infra.fresh_broker()
            results["registry_inbound"] = await ingest.registry_inbound(
                infra, args.agencies // scale_down, args.inbound // scale_down
            )
            print_row("registry_inbound", results["registry_inbound"])
        if "latency" in wanted:
            infra.fresh_broker()
            results["latency"] = await latency.latency(infra, [50, 200] if args.quick else [50, 200, 1000])
            print_row("latency", results["latency"])
        if "notifier" in wanted:
            infra.fresh_broker()
            results["notifier"] = await notifier.notifier(infra, args.reminders // scale_down)
            print_row("notifier", results["notifier"])
        if "scale" in wanted:
            infra.fresh_broker()
            results["scale"] = await scale.scale(
                infra, args.scale_agencies // scale_down, args.scale_events // scale_down
            )
            print_row("scale", results["scale"])
    return results


def print_row(name: str, figures: dict[str, Any]) -> None:
    """The section's figures on the console, and at once in the results file: a run stopped half-way
    (a full one takes about an hour) keeps what it measured."""
    print(f"{name:<20} " + "  ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    document = json.loads(RESULTS.read_text(encoding="utf-8"))
    document["results"][name] = figures | {"when": now()}
    write(document)


def write(document: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def main() -> int:
    args = parser().parse_args()
    machine = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform()}
    write({"started": now(), "machine": machine, "arguments": vars(args), "results": {}})
    asyncio.run(run(args))
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
