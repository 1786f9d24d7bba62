"""Events and records as the tests need them: valid by default, any field overridable."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from aiokafka.structs import ConsumerRecord

from contracts import CloudEvent, Topic, to_json
from contracts.agencies import AgencyData, AgencyRegistered
from contracts.records import InternalAuditCompleted, ObjectiveUpdated, RecordData
from contracts.vocabulary import Element, Level, Obligation
from services.compliance import handlers
from services.compliance.scoring.rules import load as load_rules

NOW = datetime(2022, 6, 1, 3, 0, tzinfo=UTC)

#: The compliance service's handlers under the rule set it ships with.
COMPLIANCE_HANDLERS = handlers.table(load_rules())
#: The score of an agency with one of the weighted rules met (R01–R07, R09, R10 weigh 1; R08, R11 0).
ONE_RULE = round(1 / 9, 4)


def unique_code(prefix: str = "T") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def agency_data(
    code: str, level: Level = Level.DEPARTMENT, parent: str | None = None, **fields: Any
) -> AgencyData:
    """A mandatory agency since 2020 named after its code, unless `fields` say otherwise."""
    values: dict[str, Any] = {"name": f"UBND {code}", "obligation": Obligation.MANDATORY} | fields
    return AgencyData(code=code, level=level, parent_code=parent, valid_from=date(2020, 1, 1), **values)


def agency_registered(code: str, name: str = "Sở Thử nghiệm", level: Level = Level.DEPARTMENT) -> CloudEvent:
    data = agency_data(code, level, name=name)
    return AgencyRegistered.create(source="/tests", subject=code, data=data, time=NOW)


def objective_updated(code: str, year: int = 2022, version: int = 1, **data: Any) -> CloudEvent:
    fields: dict[str, Any] = {
        "record_id": uuid.uuid4(),
        "agency_code": code,
        "element": Element.QUALITY_OBJECTIVES,
        "year": year,
        "occurred_on": date(year, 2, 1),
        "document_ref": "QĐ 01/QĐ-TEST",
        "title": "Mục tiêu chất lượng",
        "submitted_by": "Thư ký ISO",
        "channel": "api",
        "version": version,
    }
    record = RecordData(**{**fields, **data})
    return ObjectiveUpdated.create(source="/tests", subject=code, data=record, time=NOW)


def inbound(code: str, source: str, **data: Any) -> InternalAuditCompleted:
    """An internal audit as an outside system (`source`) publishes it on the inbound topic."""
    record = RecordData(
        record_id=uuid.uuid4(),
        agency_code=code,
        element=Element.INTERNAL_AUDIT,
        year=2022,
        occurred_on=data.pop("occurred_on", "2022-05-10"),
        document_ref="BC-DGNB",
        title="Đánh giá nội bộ 2022",
        submitted_by="Phần mềm ISO điện tử",
        channel=source,
        **data,
    )
    return InternalAuditCompleted.create(source=source, subject=code, data=record, time=NOW)  # type: ignore[return-value]


_offsets: dict[tuple[str, int], int] = {}


def consumer_record(
    value: bytes | CloudEvent,
    topic: str = Topic.REGISTRY_RECORDS,
    key: str | None = None,
    partition: int = 0,
    offset: int | None = None,
    headers: tuple[tuple[str, bytes], ...] = (),
) -> "ConsumerRecord[bytes, bytes]":
    """A record as aiokafka hands it out, keyed like eiso's producers key it (by the event's subject)
    unless told; offsets count up per partition unless given."""
    if key is None:
        key = value.kafka_key() if isinstance(value, CloudEvent) else "K"
    if offset is None:
        offset = _offsets.get((topic, partition), 0)
        _offsets[(topic, partition)] = offset + 1
    raw = to_json(value) if isinstance(value, CloudEvent) else value
    return ConsumerRecord(
        topic, partition, offset, 0, 0, key.encode(), raw, None, len(key), len(raw), headers
    )
