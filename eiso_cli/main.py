"""`eiso up | down | status | demo`: errors are one clear line, not a traceback."""

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from eiso_cli import campaign, demo, operate, replay, stack, training_year
from eiso_cli.operator import ensure_person
from eiso_cli.processes import ROOT, SERVICES, StackError, env_prefix

#: The demo agency officer's sign-in (huyện Duyên Hải: `demo.OFFICER`).
OFFICER_PASSWORD = stack.RUN / "officer.password"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eiso", description="Run the eiso platform locally.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start Kafka and the services in the background; return once ready")
    commands.add_parser("down", help="stop what `up` started")
    commands.add_parser("status", help="show what is running")
    commands.add_parser("demo", help="up, load the sample province, play the 2022 campaign, print the result")
    load = commands.add_parser("import", help="import agencies from a CSV file through the registry's API")
    load.add_argument("file", type=Path)
    report = commands.add_parser("report", help="print the progress report (dates giờ Việt Nam)")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default: today or 31/12)")
    publish = commands.add_parser("publish", help="send a CloudEvent (JSON file) to the inbound topic")
    publish.add_argument("file", type=Path)
    rebuild = commands.add_parser("replay", help="rebuild a service's state from the topics (SQLite)")
    rebuild.add_argument("service", choices=SERVICES)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        run(args, stack.Say())
    except (StackError, httpx.HTTPError) as exc:
        # The first line says what failed; the logs under .run/ and .cache/ hold the rest.
        print(f"eiso: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def run(args: argparse.Namespace, say: stack.Say) -> None:
    key = stack.operator_key
    if args.command == "up":
        _print_urls(stack.up(say))
    elif args.command == "down":
        stack.down(say)
    elif args.command == "status":
        for name, state in stack.status().items():
            print(f"{name:<12} {state}")
    elif args.command == "import":
        print(import_summary(demo.import_agencies(stack.url("registry"), key(), args.file)))
    elif args.command == "report":
        print(demo.report_text(operate.progress(stack.url("compliance"), key(), args.year, args.as_of)))
    elif args.command == "publish":
        print(operate.publish(args.file))
    elif args.command == "replay":
        kept = replay.replay(args.service, say)
        print(f"{args.service}: rebuilt from the topics; the old database is kept at {kept}")
    elif args.command == "demo":
        run_demo(say)


def run_demo(say: stack.Say) -> None:
    for name in SERVICES:  # the demo lives on 01/11/2022 09:00 giờ Việt Nam (the clocks then run)
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
    if ensure_person(urls["identity"], key, OFFICER_PASSWORD, demo.OFFICER):
        say(f"identity: made the account of {demo.OFFICER_AGENCY_NAME}'s ISO officer ({OFFICER_PASSWORD})")
    held = hold_training(urls["training"], key, province, say)
    say("running the daily evaluations of the year…")
    notices = demo.evaluate_year(urls["compliance"], key, demo.LAST_EVALUATION, say)
    plan = demo.inspection_plan(urls["compliance"], key)
    say("sending the reminders (SMS to a file, e-mails to .eml files)…")
    reminders = demo.await_reminders(urls["notifier"], key, say)
    print(demo.report_text(progress))
    print(demo.summary_text(notices, plan, reminders, demo.dead_letters(bad)))
    print(training_year.training_text(held))
    _print_urls(urls)


def hold_training(training: str, key: str, province: list[campaign.ProvinceAgency], say: stack.Say) -> Any:
    """Enrol while the training service's clock stands in March (enrolment closes before each
    session), then take attendance with it back in November (a day must have come to be marked)."""
    seats = training_year.places(province, demo.officer_of)
    say(f"holding the {demo.YEAR} training: enrolling with the training clock at 28/03/{demo.YEAR}…")
    stack.relaunch(
        "training", say, **{f"{env_prefix('training')}CLOCK_STARTS_AT": training_year.ENROLMENT_CLOCK}
    )
    sessions = training_year.enrol(training, key, seats, say)
    say("  attendance, with the training clock back in November…")
    stack.relaunch("training", say)
    return training_year.attend(training, key, sessions, seats)


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
    signing_in = f"{urls['identity']}/sign-in"
    print(f"  đăng nhập (sign in): {signing_in} — thư điện tử và mật khẩu: {stack.OPERATOR_PASSWORD}")
    print(f"  bảng điều hành (board): {urls['compliance']}/board  (đăng nhập bằng tài khoản điều hành)")
    if "portal" in urls:
        print(f"\nCổng thông tin (portal): {urls['portal']}")
        print(f"  như cán bộ điều hành (operator): thư điện tử và mật khẩu trong {stack.OPERATOR_PASSWORD}")
        if OFFICER_PASSWORD.exists():
            print(
                f"  như cán bộ ISO của {demo.OFFICER_AGENCY_NAME} (agency officer): thư điện tử và mật khẩu "
                f"trong {OFFICER_PASSWORD}"
            )


if __name__ == "__main__":
    sys.exit(main())
