"""The main job: the sample province imported, its 2022 campaign played through the inbound topic as
the e-ISO software would, and the department's progress report that results.

It is safe to run twice: agencies already registered are left alone, and the campaign's events carry
ids derived from their content, so the registry recognises a second run and changes nothing.
"""

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts import Topic, dlq, to_json
from contracts.vocabulary import LEVEL_TIER_VI, Element
from eiso_cli import campaign
from eiso_cli.api import answered, operator_client
from eiso_cli.kafka import caught_up, kafka_bootstrap, partitions
from eiso_cli.processes import ROOT, StackError

YEAR = campaign.YEAR
#: The demo's services start their clocks here (then run): after the deadline, on a working day.
DEMO_CLOCK = "2022-11-01T02:00:00Z"
LAST_EVALUATION = date(YEAR, 11, 1)
PROVINCE = ROOT / "deploy" / "data" / "agencies.csv"
#: The levels as the demo's table heads its rows ("Cấp huyện").
LEVEL_ROWS = {level.value: tier[0].upper() + tier[1:] for level, tier in LEVEL_TIER_VI.items()}


def import_agencies(registry: str, key: str, path: Path, content: bytes | None = None) -> dict[str, Any]:
    """POST a CSV of agencies to the registry's import; the report, or StackError saying why not."""
    try:
        content = path.read_bytes() if content is None else content
    except OSError as exc:
        raise StackError(f"cannot read {path}: {exc.strerror}") from None
    with operator_client(key, timeout=120) as http:
        response = http.post(
            f"{registry}/agencies:import", content=content, headers={"content-type": "text/csv"}
        )
    if response.status_code != 200:
        raise StackError(f"import refused ({response.status_code}): {response.text}")
    return dict(response.json())


def play(registry: str, key: str, say: Callable[[str], None]) -> list[campaign.Planned]:
    """Register the e-ISO software as a system for the province, then publish the campaign's records
    to the inbound topic, month by month."""
    province = campaign.read_province(PROVINCE)
    with operator_client(key, timeout=30) as http:
        body = {"id": campaign.SYSTEM_ID, "name": campaign.SYSTEM_NAME, "scope": campaign.scope(province)}
        response = http.post(f"{registry}/systems", json=body)
        if response.status_code not in (201, 409):
            raise StackError(f"system registration refused ({response.status_code}): {response.text}")
    planned = campaign.plan(province)
    asyncio.run(_publish(planned, say))
    return planned


def publish_bad_events(say: Callable[[str], None]) -> list[tuple[str, bytes]]:
    bad = bad_events()
    asyncio.run(_send_raw(bad))
    say(f"  {len(bad)} sự kiện lỗi gửi kèm")
    return bad


def dead_letters(bad: list[tuple[str, bytes]], timeout: float = 60) -> list[str]:
    """The reasons the registry gave, read back from the dead-letter topic."""
    return asyncio.run(_dead_letters(bad, timeout))


async def _dead_letters(bad: list[tuple[str, bytes]], timeout: float) -> list[str]:
    wanted = {value for _, value in bad}
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka_bootstrap(), enable_auto_commit=False)
    reasons: dict[bytes, str] = {}
    try:
        await consumer.start()
        topic = dlq(Topic.INBOUND_RECORDS)
        found = await partitions(consumer, topic)
        if not found:
            return []
        consumer.assign(found)
        await consumer.seek_to_beginning(*found)
        deadline = time.monotonic() + timeout
        while len(reasons) < len(wanted) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if record.value in wanted:
                        headers = {k: v.decode(errors="replace") for k, v in record.headers}
                        reasons[record.value] = headers.get("eiso-dlq-reason", "?")
    except KafkaError as exc:
        raise StackError(f"cannot read the dead-letter topic: {exc}") from None
    finally:
        await consumer.stop()
    return [reasons[value] for _, value in bad if value in reasons]


async def _send_raw(records: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all", enable_idempotence=True)
    try:
        await producer.start()
        for key, value in records:
            await producer.send_and_wait(Topic.INBOUND_RECORDS, value, key=key.encode())
    except KafkaError as exc:
        raise StackError(f"cannot publish to Kafka at {kafka_bootstrap()}: {exc}") from None
    finally:
        await producer.stop()


async def _publish(planned: list[campaign.Planned], say: Callable[[str], None]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap(), acks="all", enable_idempotence=True)
    try:
        await producer.start()
        months = Counter(p.occurred_on.month for p in planned)
        for month in sorted(months):
            batch = [p for p in planned if p.occurred_on.month == month]
            sends = [
                await producer.send(
                    Topic.INBOUND_RECORDS, to_json(campaign.event(p)), key=p.agency_code.encode()
                )
                for p in batch
            ]
            await asyncio.gather(*sends)
            say(f"  tháng {month:02d}/{YEAR}: {len(batch)} hồ sơ gửi từ phần mềm ISO điện tử")
    except KafkaError as exc:
        raise StackError(f"cannot publish to Kafka at {kafka_bootstrap()}: {exc}") from None
    finally:
        await producer.stop()


def await_report(
    compliance: str,
    key: str,
    planned: list[campaign.Planned],
    say: Callable[[str], None],
    timeout: float = 180,
) -> dict[str, Any]:
    """Poll compliance until it has applied every record of the campaign; the progress report as of
    the deadline. Progress is shown as records arrive."""
    expected = Counter(p.agency_code for p in planned)
    deadline = time.monotonic() + timeout
    shown = -1
    with operator_client(key, timeout=30) as http:
        pending = dict(expected)
        while time.monotonic() < deadline:
            for code in list(pending)[:40]:
                response = http.get(f"{compliance}/agencies/{code}/compliance", params={"year": YEAR})
                if response.status_code == 200 and response.json()["events_applied"] >= pending[code]:
                    del pending[code]
            done = len(expected) - len(pending)
            if done != shown and (done == len(expected) or done - shown >= 20):
                say(f"  compliance: {done}/{len(expected)} cơ quan đã được chấm điểm")
                shown = done
            if not pending:
                response = http.get(
                    f"{compliance}/reports/progress", params={"year": YEAR, "as_of": f"{YEAR}-10-30"}
                )
                response.raise_for_status()
                return dict(response.json())
            time.sleep(0.3)
    raise StackError(f"compliance did not apply the campaign within {timeout:.0f}s ({len(pending)} left)")


def summary_text(
    notices: Counter[str], plan: list[dict[str, Any]], reminders: dict[str, Any], dead: list[str]
) -> str:
    """What the year brought besides the report: notices, the inspection plan, the reminders."""
    lines = [
        "",
        f"Đánh giá hằng ngày năm {YEAR}: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(notices.items()))
        + ".",
        f"Sự kiện lỗi registry chuyển vào {dlq(Topic.INBOUND_RECORDS)}: {len(dead)}, lý do:",
        *[f"  - {reason}" for reason in dead],
        "",
        f"Kế hoạch kiểm tra năm {YEAR}: {len(plan)} cơ quan (chọn theo rủi ro)",
    ]
    for item in sorted(plan, key=lambda i: (i["scheduled_on"], i["inspector"])):
        on = date.fromisoformat(item["scheduled_on"])
        reason = item["reasons"][0] if item["reasons"] else ""
        lines.append(f"  {on:%d/%m/%Y}  {item['agency_code']:<15} {item['inspector']:<18} {reason}")
    lines += [
        "",
        f"Nhắc nhở đã gửi: {reminders['sent']} tin ({reminders['sms_segments']} phần SMS), "
        f"lỗi {reminders['failed']}, đang chờ khung giờ {reminders['held']} — "
        "SMS trong .run/sms/outbox.jsonl, e-mail trong .run/mail/.",
    ]
    return "\n".join(lines)


def report_text(progress: dict[str, Any]) -> str:
    """The progress report as the department reads it: a table per level and the sentence."""
    lines = [
        f"Báo cáo tiến độ ISO điện tử năm {YEAR}, tính đến hết ngày "
        f"{date.fromisoformat(progress['as_of']):%d/%m/%Y} (giờ Việt Nam)",
        "",
        f"{'Cấp':<14} {'Tổng':>5} {'Đã cập nhật':>12} {'Tỷ lệ':>6}  Chưa cập nhật",
    ]
    for level, figures in progress["levels"].items():
        names = ", ".join(n["name"] for n in figures["not_updated"][:4])
        more = len(figures["not_updated"]) - 4
        names += f" và {more} cơ quan khác" if more > 0 else ""
        lines.append(
            f"{LEVEL_ROWS[level]:<14} {figures['total']:>5} {figures['updated']:>12} "
            f"{figures['percent_updated']:>5}%  {names or '—'}"
        )
    totals = progress["totals"]
    lines += [
        "",
        f"Cơ quan áp dụng ISO: {totals['applying_iso']}; "
        f"dùng phần mềm ISO điện tử: {totals['on_eiso_software']}.",
        "",
        progress["text_vi"] + ".",
    ]
    return "\n".join(lines)


#: Illustrative people for the demo's reminders (the sample data carries no personal data).
DEMO_NAMES = ("Nguyễn Thị Lan", "Trần Văn Minh", "Lê Thị Hoa", "Phạm Văn Hùng", "Huỳnh Thị Mai", "Võ Văn Tâm")


#: The agency whose ISO officer the demo signs in as: huyện Duyên Hải, one of the two districts the
#: article names as not updated by 30/10/2022.
OFFICER_AGENCY = "000.00.39.H59"
OFFICER_AGENCY_NAME = "UBND huyện Duyên Hải"
OFFICER = {
    "email": "can-bo-iso.duyenhai@eiso.local",
    "name": "Cán bộ ISO huyện Duyên Hải (máy này)",
    "role": "agency",
    "agency_code": OFFICER_AGENCY,
}


def officer_of(index: int) -> str:
    """The ISO officer of the province's `index`-th agency (the same in contacts and training)."""
    return DEMO_NAMES[index % len(DEMO_NAMES)]


def demo_contacts(province: list[campaign.ProvinceAgency]) -> bytes:
    """A CSV giving every agency an ISO officer and a head with made-up numbers and example.vn
    addresses: enough for the reminders to have somewhere to go (the file gateway and .eml files)."""
    lines = ["code,name,level,can bo iso,dien thoai can bo iso,email can bo iso,thu truong,email thu truong"]
    for index, agency in enumerate(province):
        slug = agency.code.replace(".", "-").lower()
        officer, head = officer_of(index), DEMO_NAMES[(index + 3) % len(DEMO_NAMES)]
        lines.append(
            f'{agency.code},"{agency.name}",{agency.level.value},{officer},+8490{index:07d},'
            f"iso.{slug}@example.vn,{head},lanhdao.{slug}@example.vn"
        )
    return ("\n".join(lines) + "\n").encode()


def bad_events() -> list[tuple[str, bytes]]:
    """What an outside system sometimes sends: not JSON, an unknown agency, an unregistered system.
    The registry puts each on the dead-letter topic with the reason."""
    planned = campaign.Planned("000.00.14.H59", Element.QUALITY_POLICY, date(YEAR, 3, 1))
    unknown = campaign.event(campaign.Planned("000.99.99.H59", planned.element, planned.occurred_on))
    stranger = campaign.event(planned).model_copy(update={"source": "vn.unknown.system", "id": uuid.uuid4()})
    return [
        ("000.00.14.H59", b"{not json"),
        ("000.99.99.H59", to_json(unknown)),
        ("000.00.14.H59", to_json(stranger)),
    ]


def evaluate_year(compliance: str, key: str, last: date, say: Callable[[str], None]) -> Counter[str]:
    """The daily evaluation for every day of the campaign year up to `last`, as the service would
    have run it: the notices each day brought, counted by type."""
    sent: Counter[str] = Counter()
    with operator_client(key, timeout=120) as http:
        day = date(YEAR, 1, 1)
        while day <= last:
            response = http.post(f"{compliance}/evaluations", json={"on": day.isoformat()})
            response.raise_for_status()
            sent.update(response.json()["notices"])
            if day.day == 1 and day.month % 3 == 1:
                say(f"  đánh giá hằng ngày: đến {day:%d/%m/%Y}")
            day += timedelta(days=1)
    return sent


def inspection_plan(compliance: str, key: str) -> list[dict[str, Any]]:
    """The 2022 plan: made as of 31/05 (before the June–October window), or the one already made."""
    with operator_client(key, timeout=60) as http:
        body = {
            "year": YEAR,
            "inspectors": ["Nguyễn Văn Thành", "Lê Thị Thu", "Trần Quốc Bảo"],
            "as_of": f"{YEAR}-05-31",
        }
        response = http.post(f"{compliance}/inspection-plans", json=body)
        if response.status_code == 409:
            response = http.get(f"{compliance}/inspection-plans/{YEAR}")
        return [i for i in answered(response)["inspections"] if i["status"] != "cancelled"]


def await_reminders(
    notifier: str, key: str, say: Callable[[str], None], timeout: float = 180
) -> dict[str, Any]:
    """Wait until the notifier has nothing due left to send (held ones wait for their window); its
    summary of the last day."""
    deadline = time.monotonic() + timeout
    topics = [Topic.COMPLIANCE_STATUS.value, Topic.COMPLIANCE_INSPECTIONS.value]
    while not asyncio.run(
        caught_up(kafka_bootstrap(), os.environ.get("EISO_NOTIFIER_CONSUMER_GROUP", "notifier"), topics)
    ):
        if time.monotonic() > deadline:
            raise StackError(f"the notifier did not read the findings within {timeout:.0f}s")
        time.sleep(0.5)
    shown = ""
    with operator_client(key, timeout=30) as http:
        while True:
            response = http.get(f"{notifier}/notifications/summary")
            response.raise_for_status()
            summary = dict(response.json())
            soon = summary["next_due_in_seconds"]
            if summary["due"] == 0 and (soon is None or soon > 120):
                return summary
            if time.monotonic() > deadline:
                raise StackError(f"the notifier still has {summary['due']} messages due after {timeout:.0f}s")
            line = f"  notifier: {summary['sent']} tin đã gửi, {summary['due']} tin đến hạn"
            if line != shown:
                say(line + "…")
                shown = line
            time.sleep(1)
