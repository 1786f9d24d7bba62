"""`eiso up | down | status | demo`: errors are one clear line, not a traceback."""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from eiso_cli import campaign, demo, stack
from eiso_cli.processes import ROOT, SERVICES, StackError, env_prefix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eiso", description="Run the eiso platform locally.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start Kafka and the services in the background; return once ready")
    commands.add_parser("down", help="stop what `up` started")
    commands.add_parser("status", help="show what is running")
    commands.add_parser("demo", help="up, load the sample province, play the scenario, print the result")
    load = commands.add_parser("import", help="import agencies from a CSV file through the registry's API")
    load.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    say = stack.Say()
    try:
        if args.command == "up":
            _print_urls(stack.up(say))
        elif args.command == "down":
            stack.down(say)
        elif args.command == "status":
            for name, state in stack.status().items():
                print(f"{name:<12} {state}")
        elif args.command == "import":
            print(
                import_summary(demo.import_agencies(stack.url("registry"), stack.operator_key(), args.file))
            )
        elif args.command == "demo":
            for name in SERVICES:  # the demo lives on 01/11/2022 09:00 giờ Việt Nam, and on
                os.environ.setdefault(f"{env_prefix(name)}CLOCK_STARTS_AT", demo.DEMO_CLOCK)
            os.environ.setdefault("EISO_NOTIFIER_DIGEST_SECONDS", "5")
            urls = stack.up(say)
            key = stack.operator_key()
            say(f"loading the sample province ({demo.PROVINCE.relative_to(ROOT)})…")
            report = demo.import_agencies(urls["registry"], key, demo.PROVINCE)
            say(import_summary(report).splitlines()[0])
            province = campaign.read_province(demo.PROVINCE)
            demo.import_agencies(urls["registry"], key, demo.PROVINCE, demo.demo_contacts(province))
            say(f"playing the {demo.YEAR} campaign through the inbound topic…")
            planned = demo.play(urls["registry"], key, say)
            bad = demo.publish_bad_events(say)
            progress = demo.await_report(urls["compliance"], key, planned, say)
            say("running the daily evaluations of the year…")
            notices = demo.evaluate_year(urls["compliance"], key, demo.LAST_EVALUATION, say)
            plan = demo.inspection_plan(urls["compliance"], key)
            say("sending the reminders (SMS to a file, e-mails to .eml files)…")
            reminders = demo.await_reminders(urls["notifier"], key, say)
            print(demo.report_text(progress))
            print(demo.summary_text(notices, plan, reminders, demo.dead_letters(bad)))
            _print_urls(urls)
    except (StackError, httpx.HTTPError) as exc:
        # The first line says what failed; the logs under .run/ and .cache/ hold the rest.
        print(f"eiso: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def import_summary(report: dict[str, Any]) -> str:
    lines = [
        f"imported: {report['created']} created, {report['updated']} updated, "
        f"{report['unchanged']} unchanged, {report['invalid']} invalid"
    ]
    lines += [f"  row {r['row']}: {r['reason']}" for r in report["rows"] if r["status"] == "invalid"]
    return "\n".join(lines)


def _print_urls(urls: dict[str, str]) -> None:
    print("\nĐang chạy (stop with `make down`):")
    for name, url in urls.items():
        print(f"  {name:<11} {url}  (API docs: {url}/docs, metrics: {url}/metrics)")
    print(f'  operator key: {stack.RUN / "operator.key"}  (curl -H "Authorization: Bearer $(cat …)")')


if __name__ == "__main__":
    sys.exit(main())
