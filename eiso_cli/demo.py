"""The main job: the sample province imported, its 2022 campaign played through the inbound topic as
the e-ISO software would, and the department's progress report that results.

It is safe to run twice: agencies already registered are left alone, and the campaign's events carry
ids derived from their content, so the registry recognises a second run and changes nothing.
"""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from contracts import Topic, to_json
from eiso_cli import campaign
from eiso_cli.processes import ROOT, StackError

YEAR = campaign.YEAR
PROVINCE = ROOT / "deploy" / "data" / "agencies.csv"
LEVEL_VI = {"department": "Sở, ngành", "district": "Cấp huyện", "commune": "Cấp xã", "unit": "Đơn vị khác"}


def import_agencies(registry: str, key: str, path: Path) -> dict[str, Any]:
    """POST a CSV of agencies to the registry's import; the report, or StackError saying why not."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise StackError(f"cannot read {path}: {exc.strerror}") from None
    with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {key}"}) as http:
        response = http.post(
            f"{registry}/agencies:import", content=content, headers={"content-type": "text/csv"}
        )
    if response.status_code != 200:
        raise StackError(f"import refused ({response.status_code}): {response.text}")
    return dict(response.json())


def kafka_bootstrap() -> str:
    return f"127.0.0.1:{os.environ.get('EISO_KAFKA_PORT', '9092')}"


def play(registry: str, key: str, say: Callable[[str], None]) -> list[campaign.Planned]:
    """Register the e-ISO software as a system for the province, then publish the campaign's records
    to the inbound topic, month by month."""
    province = campaign.read_province(PROVINCE)
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
        body = {"id": campaign.SYSTEM_ID, "name": campaign.SYSTEM_NAME, "scope": campaign.scope(province)}
        response = http.post(f"{registry}/systems", json=body)
        if response.status_code not in (201, 409):
            raise StackError(f"system registration refused ({response.status_code}): {response.text}")
    planned = campaign.plan(province)
    asyncio.run(_publish(planned, say))
    return planned


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
    with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {key}"}) as http:
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
            f"{LEVEL_VI[level]:<14} {figures['total']:>5} {figures['updated']:>12} "
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
