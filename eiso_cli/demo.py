"""The main job, for now: the sample province imported, a small scenario through registry → Kafka →
compliance, and its result.

It is safe to run twice: agencies already registered and records already entered are left alone.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from eiso_cli.processes import ROOT, StackError

YEAR = 2022


@dataclass(frozen=True)
class SampleAgency:
    code: str
    name: str
    objectives_on: str | None = None  # date the 2022 quality objectives were approved, if they were


#: Agencies of deploy/data/agencies.csv the scenario follows.
SAMPLE = (
    SampleAgency("000.00.14.H59", "Sở Khoa học và Công nghệ", objectives_on="2022-01-20"),
    SampleAgency("000.00.36.H59", "UBND huyện Châu Thành"),
    SampleAgency("000.00.39.H59", "UBND huyện Duyên Hải"),
    SampleAgency("000.36.05.H59", "UBND xã Hòa Thuận", objectives_on="2022-03-15"),
)
PROVINCE = ROOT / "deploy" / "data" / "agencies.csv"


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


def run(registry: str, compliance: str, key: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {key}"}) as http:
        for agency in SAMPLE:
            if agency.objectives_on and not _has_objectives(http, registry, agency.code):
                response = http.put(
                    f"{registry}/agencies/{agency.code}/records/quality_objectives",
                    json={
                        "year": YEAR,
                        "occurred_on": agency.objectives_on,
                        "document_ref": f"QĐ-MTCL-{YEAR}/{agency.code}",
                        "title": f"Mục tiêu chất lượng năm {YEAR}",
                        "submitted_by": "Thư ký ISO",
                    },
                )
                response.raise_for_status()
        return [_await_score(http, compliance, agency, timeout) for agency in SAMPLE]


def _has_objectives(http: httpx.Client, registry: str, code: str) -> bool:
    records = http.get(f"{registry}/agencies/{code}/records", params={"year": YEAR}).json()
    return any(r["element"] == "quality_objectives" for r in records)


def _await_score(http: httpx.Client, compliance: str, agency: SampleAgency, timeout: float) -> dict[str, Any]:
    """Poll compliance until it has seen the agency and, if one was entered, its record."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = http.get(f"{compliance}/agencies/{agency.code}/compliance", params={"year": YEAR})
        if response.status_code == 200:
            body = response.json()
            if not agency.objectives_on or body["events_applied"] >= 1:
                return {"code": agency.code, "name": agency.name, **body}
        time.sleep(0.2)
    raise StackError(f"compliance did not score {agency.code} within {timeout:.0f}s")


def table(scores: list[dict[str, Any]]) -> str:
    lines = [
        f"Điểm tuân thủ năm {YEAR} (tỷ lệ quy tắc đạt, có trọng số; trạng thái theo 6 yếu tố HTQLCL)",
        "",
    ]
    lines.append(f"{'Mã':<15} {'Cơ quan':<28} {'Điểm':>6}  Trạng thái")
    labels = {"updated": "đã cập nhật", "lagging": "chưa đủ", "not_updated": "chưa cập nhật"}
    for s in scores:
        lines.append(
            f"{s['code']!s:<15} {s['name']!s:<28} {float(s['score']):>6.1%}  {labels[str(s['status'])]}"
        )
    return "\n".join(lines)
