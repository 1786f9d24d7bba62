"""Sending, on a pinned clock and a scratch database, with scripted gateways standing in for the
carriers: quiet hours, the throttle, digests, retries and failover, one message per key."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.agencies import AgencyData, Contact, Contacts
from contracts.compliance import DeadlineApproaching, DeadlineData
from contracts.deliveries import Channel, NotificationSent, RecipientRole
from contracts.vocabulary import Element, Level, Obligation
from services.common import workdays
from services.common.clock import FixedClock
from services.common.mailer import Mailer
from services.common.outbox_inbox import outbox
from services.notifier import policy, sms, templates
from services.notifier.gateways import Outcome, Result
from services.notifier.lifecycle import Notification
from services.notifier.policy import SendingRules
from services.notifier.store import NotifierUnitOfWork
from services.notifier.tables import notifications, replica
from services.notifier.usecases import dispatch, messages
from services.notifier.usecases.dispatch import Dispatcher
from services.notifier.usecases.messages import Delays, queue

Sessions = async_sessionmaker[AsyncSession]
CALENDAR = workdays.load()
PHONE = "+84912345678"
FRIDAY_9AM = datetime(2022, 9, 30, 2, 0, tzinfo=UTC)  # 09:00 giờ Việt Nam, a working day


@dataclass
class ScriptedGateway:
    """A carrier that answers from a script, then accepts; it remembers request ids like real ones."""

    name: str
    script: list[Result] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, request_id: str, phone: str, text: str, brandname: str) -> Result:
        self.calls.append((request_id, text))
        return self.script.pop(0) if self.script else Result(Outcome.ACCEPTED, f"sms-{len(self.calls)}")


RULES = SendingRules(
    quiet_opens=time(7),
    quiet_closes=time(22),
    working_days_only=True,
    throttle_limit=3,
    throttle_window=timedelta(hours=24),
    attempts_per_gateway=2,
    backoff_base=0.0,
    backoff_cap=0.0,
    brandname="SOKHCN",
    digest_window=timedelta(seconds=60),
)


@dataclass
class World:
    sessions: Sessions
    clock: FixedClock
    primary: ScriptedGateway
    fallback: ScriptedGateway
    dispatcher: Dispatcher

    def uow(self) -> NotifierUnitOfWork:
        return NotifierUnitOfWork(self.sessions, self.clock, "/eiso/notifier")

    async def command(self, usecase: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        """What `Service.command` does: the use case in a unit of work of its own, committed."""
        async with self.uow() as uow:
            result = await usecase(uow, *args, **kwargs)
            await uow.commit()
        return result

    async def queue(
        self, reason: str = "audit-overdue", period: str = "2022", critical: bool = False
    ) -> None:
        context = {"year": 2022, "deadline": "30/10/2022", "missing": ["Đánh giá nội bộ"]}
        async with self.uow() as uow:
            await queue(
                uow,
                Delays(timedelta(0)),
                "A1",
                reason,
                period,
                (RecipientRole.ISO_OFFICER,),
                context,
                critical=critical,
            )
            await uow.commit()

    async def rows(self) -> list[dict[str, object]]:
        async with self.sessions() as session:
            return [dict(r) for r in (await session.execute(select(notifications))).mappings()]

    async def events(self) -> list[dict[str, Any]]:
        async with self.sessions() as session:
            return [json.loads(v) for (v,) in await session.execute(select(outbox.c.value))]


@pytest.fixture
async def world(notifier_db: Sessions) -> World:
    agency = AgencyData(
        code="A1",
        name="UBND xã Hòa Thuận",
        level=Level.COMMUNE,
        obligation=Obligation.ENCOURAGED,
        valid_from=date(2020, 1, 1),
        contacts=Contacts(iso_officer=Contact(name="Nguyễn Thị Mai", phone=PHONE)),
    )
    async with notifier_db() as session, session.begin():
        await replica.save(session, agency)
    primary, fallback = ScriptedGateway("esms"), ScriptedGateway("speedsms")
    mailer = Mailer("smtp", "127.0.0.1", 1, "eiso@localhost")
    dispatcher = Dispatcher(templates.load(), CALENDAR, RULES, [primary, fallback], mailer)
    return World(notifier_db, FixedClock(FRIDAY_9AM), primary, fallback, dispatcher)


async def test_one_message_per_key_however_often_the_finding_arrives(world: World) -> None:
    for _ in range(3):
        await world.queue()
    await world.dispatcher.run_once(world.command)
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1
    request_id, text = world.primary.calls[0]
    assert text.startswith("UBND xa Hoa Thuan: chua to chuc danh gia noi bo nam 2022") and text.isascii()
    assert request_id == policy.request_id(
        policy.idempotency_key("A1", "audit-overdue", "2022", Channel.SMS, PHONE)
    )
    (event,) = await world.events()
    assert (
        event["type"] == "notification-sent"
        and PHONE not in json.dumps(event)
        and "912" not in json.dumps(event)
    )


async def test_an_sms_due_at_night_waits_for_seven_oclock_on_the_next_working_day(world: World) -> None:
    world.clock.set(datetime(2022, 9, 30, 16, 0, tzinfo=UTC))  # 23:00 Friday giờ Việt Nam
    await world.queue()
    await world.dispatcher.run_once(world.command)
    assert world.primary.calls == []
    (row,) = await world.rows()
    assert row["due_at"] == datetime(2022, 10, 3, 0, 0, tzinfo=UTC)  # Monday 07:00
    world.clock.set(datetime(2022, 10, 3, 0, 0, tzinfo=UTC))
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1


async def test_a_critical_message_goes_at_night(world: World) -> None:
    world.clock.set(datetime(2022, 9, 30, 16, 0, tzinfo=UTC))
    await world.queue(critical=True)
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1


async def test_reasons_pending_together_are_one_digest(world: World) -> None:
    await world.queue("audit-overdue")
    await world.queue("review-overdue")
    await world.dispatcher.run_once(world.command)
    ((request_id, text),) = world.primary.calls
    assert text.startswith("UBND xa Hoa Thuan: 2 viec can lam ve HTQLCL")
    rows = await world.rows()
    assert {r["batch_id"] for r in rows} == {request_id} and {r["status"] for r in rows} == {"sent"}
    (event,) = await world.events()
    assert sorted(event["data"]["reasons"]) == ["audit-overdue", "review-overdue"]


async def test_the_fourth_sms_in_a_day_waits_until_the_first_is_a_day_old(world: World) -> None:
    for hour in range(3):
        world.clock.set(FRIDAY_9AM + timedelta(hours=hour))
        await world.queue(period=f"2022-{hour}")
        await world.dispatcher.run_once(world.command)
    world.clock.set(FRIDAY_9AM + timedelta(hours=3))
    await world.queue(period="2022-3")
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 3
    held = [r for r in await world.rows() if r["status"] == "pending"]
    assert [r["due_at"] for r in held] == [FRIDAY_9AM + timedelta(hours=24)]


async def test_transient_failures_retry_then_fail_over_with_the_same_request_id(world: World) -> None:
    world.primary.script = [
        Result(Outcome.TRANSIENT, detail="HTTP 503"),
        Result(Outcome.TRANSIENT, detail="timeout"),
    ]
    await world.queue()
    for _ in range(3):
        await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 2 and len(world.fallback.calls) == 1
    assert world.fallback.calls[0][0] == world.primary.calls[0][0], "same request id on every try"
    (event,) = await world.events()
    assert (event["type"], event["data"]["gateway"]) == ("notification-sent", "speedsms")


async def test_a_permanent_refusal_is_not_retried_and_is_reported(world: World) -> None:
    world.primary.script = [Result(Outcome.PERMANENT, detail="error 007: invalid phone")]
    await world.queue()
    for _ in range(3):
        await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1 and world.fallback.calls == []
    (event,) = await world.events()
    assert (event["type"], event["data"]["error"]) == ("notification-failed", "error 007: invalid phone")


async def test_a_batch_interrupted_after_the_gateway_call_is_resent_with_its_request_id(world: World) -> None:
    """The crash between the gateway call and the commit: the row stays `sending`; once the attempt's
    lease has run out the same request id is sent again (the carrier recognises it)."""
    await world.queue()

    class CrashError(Exception):
        pass

    async def crash_before_the_outcome(
        usecase: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any
    ) -> Any:
        if usecase is dispatch.record_outcome:  # the gateway was called; its answer is never recorded
            raise CrashError
        return await world.command(usecase, *args, **kwargs)

    # The round survives; the batch is left in flight.
    await world.dispatcher.run_once(crash_before_the_outcome)
    (row,) = await world.rows()
    assert row["status"] == "sending"
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1, "not before the attempt's lease has run out"
    world.clock.set(FRIDAY_9AM + RULES.lease)
    await world.dispatcher.run_once(world.command)
    assert [c[0] for c in world.primary.calls] == [row["batch_id"]] * 2
    assert [r["status"] for r in await world.rows()] == ["sent"]


async def test_a_long_digest_lists_what_fits_in_three_parts_and_counts_the_rest(world: World) -> None:
    for n in range(20):
        await world.queue("audit-overdue", period=f"2022-{n}")
    await world.dispatcher.run_once(world.command)
    ((_, text),) = world.primary.calls
    assert sms.segments(text).count <= 3 and "viec khac" in text


async def test_free_text_that_is_not_gsm_is_left_out_rather_than_refused(world: World) -> None:
    context = {
        "course": "ISO",
        "when": "08:00 thứ Ba 10/05/2022",
        "venue": "",
        "reason": "Giảng viên ốm • ≥2 ngày 😷",
    }
    async with world.uow() as uow:
        await queue(
            uow,
            Delays(timedelta(0)),
            "A1",
            "training-cancelled",
            "S1:2",
            (RecipientRole.ISO_OFFICER,),
            context,
        )
        await uow.commit()
    await world.dispatcher.run_once(world.command)
    ((_, text),) = world.primary.calls
    assert text.endswith("bi huy: Giang vien om 2 ngay.") and text.isascii()


async def test_a_retry_due_after_ten_at_night_waits_for_the_morning(world: World) -> None:
    world.clock.set(datetime(2022, 9, 30, 14, 59, 50, tzinfo=UTC))  # 21:59:50 giờ Việt Nam
    world.primary.script = [Result(Outcome.TRANSIENT, detail="timeout")]
    await world.queue()
    await world.dispatcher.run_once(world.command)
    world.clock.set(datetime(2022, 9, 30, 15, 0, 30, tzinfo=UTC))  # 22:00:30
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1
    (row,) = await world.rows()
    assert (row["status"], row["due_at"]) == ("sending", datetime(2022, 10, 3, 0, 0, tzinfo=UTC))


async def test_a_rebuilt_notifier_does_not_send_what_its_own_topic_says_was_sent(world: World) -> None:
    """Replaying the topics into a fresh database: the delivery outcome it published, read back, makes
    the replayed finding's messages a record of the past, not a second SMS."""
    await world.queue("audit-overdue")
    await world.queue("review-overdue")
    await world.dispatcher.run_once(world.command)
    (published,) = await world.events()
    async with world.sessions() as session, session.begin():
        await session.execute(notifications.delete())  # the rebuilt notifier's empty database
    async with world.uow() as uow:
        await dispatch.outcome_read_back(uow, NotificationSent.model_validate(published))
        await uow.commit()
    await world.queue("audit-overdue")
    await world.queue("review-overdue")
    await world.dispatcher.run_once(world.command)
    assert len(world.primary.calls) == 1, "the digest went once, before the rebuild"
    assert sorted(str(r["status"]) for r in await world.rows()) == ["sent", "sent"]


async def deadline_messages(world: World, deadline: date) -> dict[str, Any]:
    """What the agency's ISO officer receives, by SMS and e-mail, 30 days before `deadline`."""
    code = f"D{deadline:%m%d}"
    agency = AgencyData(
        code=code,
        name="UBND xã Long Hòa",
        level=Level.COMMUNE,
        obligation=Obligation.ENCOURAGED,
        valid_from=date(2020, 1, 1),
        contacts=Contacts(iso_officer=Contact(name="Lê Văn Tư", phone=PHONE, email="tu@xa.vn")),
    )
    data = DeadlineData(
        agency_code=code, year=2022, deadline=deadline, days_left=30, missing=[Element.INTERNAL_AUDIT]
    )
    event = DeadlineApproaching.create(source="/t", subject=code, time=FRIDAY_9AM, data=data)
    assert isinstance(event, DeadlineApproaching)
    async with world.uow() as uow:
        await replica.save(uow.session, agency)
        await messages.deadline_approaching(uow, event, Delays(timedelta(0)), CALENDAR)
        await uow.commit()
    async with world.uow() as uow:
        queued: list[Notification] = await uow.notifications.listing(code, None, 10)
    return {str(n.channel): world.dispatcher.render([n]) for n in queued}


async def test_a_deadline_on_a_sunday_is_called_a_day_off_by_sms_and_email(world: World) -> None:
    sent = await deadline_messages(world, date(2022, 10, 30))  # the 2022 campaign's deadline: a Sunday
    assert (
        "Han chot 30/10/2022 la ngay nghi (Chu nhat), de nghi hoan thanh cham nhat ngay 28/10/2022."
        in sent["sms"].sms
    )
    assert sent["sms"].sms_segments.encoding == "GSM-7"
    assert (
        "Hạn chót 30/10/2022 là ngày nghỉ (Chủ nhật): đề nghị cơ quan cập nhật trên phần mềm ISO điện tử "
        "trước ngày này, chậm nhất trong ngày 28/10/2022 (ngày làm việc cuối cùng trước hạn)."
        in sent["email"].text
    )
    assert "là ngày nghỉ (Chủ nhật)" in sent["email"].html


async def test_a_deadline_on_a_working_day_says_nothing_of_days_off(world: World) -> None:
    sent = await deadline_messages(world, date(2022, 10, 31))  # a Monday
    assert "ngay nghi" not in sent["sms"].sms and "ngày nghỉ" not in sent["email"].text
    assert "Đề nghị cơ quan cập nhật trên phần mềm ISO điện tử trước thời hạn." in sent["email"].text


@pytest.mark.parametrize("phone", ["+842943862123", "+84741234567"])  # a landline; an unallocated prefix
async def test_a_phone_that_cannot_take_an_sms_gets_none_and_the_email_still_goes(
    world: World, phone: str
) -> None:
    """A landline is a valid contact, and a number stored before numbers were validated may not be a
    mobile at all: the carrier would refuse either, so only the e-mail is made."""
    agency = AgencyData(
        code="L1",
        name="Sở Tài chính",
        level=Level.DEPARTMENT,
        obligation=Obligation.MANDATORY,
        valid_from=date(2020, 1, 1),
        contacts=Contacts(iso_officer=Contact(name="Lê Văn Tư", phone=phone, email="tu@stc.vn")),
    )
    async with world.uow() as uow:
        await replica.save(uow.session, agency)
        context = {"year": 2022, "deadline": "30/10/2022", "missing": []}
        await queue(
            uow, Delays(timedelta(0)), "L1", "audit-overdue", "2022", (RecipientRole.ISO_OFFICER,), context
        )
        await uow.commit()
    assert [(r["channel"], r["address"]) for r in await world.rows()] == [("email", "tu@stc.vn")]
    await world.dispatcher.run_once(world.command)
    assert world.primary.calls == [] and world.fallback.calls == []
