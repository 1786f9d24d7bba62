"""The events a benchmark replays: agencies of a made-up province and their QMS records, built with
the contracts (so they are exactly what the registry would publish or an outside system send)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

from contracts.agencies import AgencyData, AgencyRegistered
from contracts.envelope import CloudEvent, derived_id
from contracts.records import RECORD_EVENT_OF, RecordData
from contracts.vocabulary import Element, Level, Obligation

ELEMENTS = list(Element)
#: One instant for every event keeps every run's events the same size.
AT = datetime(2022, 12, 31, 3, 0, tzinfo=UTC)


def codes(count: int, prefix: str = "BN") -> list[str]:
    return [f"{prefix}{i:06d}" for i in range(count)]


def agencies(all_codes: list[str], parent: str | None = None) -> Iterator[CloudEvent]:
    for code in all_codes:
        data = AgencyData(
            code=code,
            name=f"UBND xã Thử nghiệm {code[-6:]}",
            level=Level.COMMUNE,
            obligation=Obligation.MANDATORY,
            parent_code=parent,
            valid_from=date(2020, 1, 1),
        )
        yield AgencyRegistered.create(
            source="/bench", subject=code, data=data, time=AT, event_id=derived_id("bench-agency", code)
        )


def records(
    all_codes: list[str], count: int, source: str = "/eiso/registry", canonical: bool = True
) -> Iterator[CloudEvent]:
    """`count` records round robin over the agencies, cycling through the elements and the months of
    2022; canonical ones carry the registry's version numbers, inbound ones leave them out."""
    versions: dict[tuple[str, Element], int] = {}
    for i in range(count):
        code = all_codes[i % len(all_codes)]
        round_ = i // len(all_codes)
        element = ELEMENTS[round_ % len(ELEMENTS)]
        version = versions.get((code, element), 0) + 1
        versions[(code, element)] = version
        data = RecordData(
            record_id=uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{code}/{i}"),
            agency_code=code,
            element=element,
            year=2022,
            occurred_on=date(2022, 1 + round_ % 12, 1 + i % 28),
            document_ref=f"QĐ {i}/QĐ-UBND",
            title="Hồ sơ hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
            submitted_by="Thư ký ISO",
            channel="api" if canonical else source,
            version=version if canonical else 1,
        )
        yield RECORD_EVENT_OF[element].create(
            source=source, subject=code, data=data, time=AT, event_id=derived_id("bench", source, code, i)
        )
