"""The notifier sending 10,000 reminders through a local HTTP gateway (the suite's carrier, eSMS
style), throttling off: messages per second, and duplicates (there must be none)."""

import asyncio
import time
from datetime import date
from typing import Any

from bench import workload
from bench.infra import Infra, produce, service, until_caught_up
from contracts import Topic
from contracts.agencies import AgencyData, AgencyRegistered, Contact, Contacts
from contracts.compliance import AgencyLagging, LaggingData
from contracts.envelope import CloudEvent, derived_id
from contracts.vocabulary import Element, Level, Obligation
from tests.carrier import Carrier, serve

Figures = dict[str, Any]


def phone(n: int) -> str:
    return f"+8491{n:07d}"


def agencies_with_officers(codes: list[str]) -> list[CloudEvent]:
    return [
        AgencyRegistered.create(
            source="/bench",
            subject=code,
            data=AgencyData(
                code=code,
                name=f"UBND xã Thử nghiệm {n}",
                level=Level.COMMUNE,
                obligation=Obligation.MANDATORY,
                valid_from=date(2020, 1, 1),
                contacts=Contacts(iso_officer=Contact(name="Nguyễn Thị Mai", phone=phone(n))),
            ),
            time=workload.AT,
            event_id=derived_id("bench-officer", code),
        )
        for n, code in enumerate(codes)
    ]


def lagging(codes: list[str]) -> list[CloudEvent]:
    return [
        AgencyLagging.create(
            source="/eiso/compliance",
            subject=code,
            data=LaggingData(
                agency_code=code,
                year=2022,
                deadline=date(2022, 10, 30),
                missing=[Element.INTERNAL_AUDIT],
                score=0.5,
            ),
            time=workload.AT,
            event_id=derived_id("bench-lagging", code),
        )
        for code in codes
    ]


async def notifier(infra: Infra, reminders: int) -> Figures:
    codes = workload.codes(reminders, prefix="NT")
    await produce(Topic.REGISTRY_AGENCIES, agencies_with_officers(codes))
    carrier = Carrier()
    server, url = serve(carrier)
    try:
        process = service(
            "notifier",
            infra.database("notifier"),
            clock_starts_at="2022-11-01T02:00:00Z",  # 09:00 giờ Việt Nam on a working day
            sms_primary="esms",
            esms_url=f"{url}/esms",
            esms_api_key="bench",
            esms_secret_key="bench",
            throttle_per_day="1000",
            digest_seconds="0",
            dispatch_seconds="0.1",
        )
        # The officers' numbers first (in the province they are known long before any reminder).
        await until_caught_up(process.env["EISO_NOTIFIER_CONSUMER_GROUP"], [Topic.REGISTRY_AGENCIES], 600)
        started = time.monotonic()
        await produce(Topic.COMPLIANCE_STATUS, lagging(codes))
        deadline = started + 1800
        while len(carrier.delivered) < reminders and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.5)  # the carrier runs in a thread: poll its count against a deadline
        seconds = time.monotonic() - started
        process.stop()
    finally:
        server.shutdown()
    phones = [d[2] for d in carrier.delivered]
    return {
        "reminders": reminders,
        "delivered": len(carrier.delivered),
        "messages_per_s": round(len(carrier.delivered) / seconds, 1),
        "seconds": round(seconds, 1),
        "duplicates": len(phones) - len(set(phones)),
        "resent_request_ids": len(carrier.duplicates),
    }
