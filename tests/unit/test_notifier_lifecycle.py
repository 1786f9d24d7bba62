"""A notification's life: the moves the lifecycle allows, and the ones it refuses — in the pure rule
and in the store, which cannot write a forbidden one."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from contracts.deliveries import Channel, RecipientRole
from services.common.clock import FixedClock
from services.notifier import policy
from services.notifier.lifecycle import ForbiddenTransitionError, Message, NotificationStatus, move
from services.notifier.store import NotifierUnitOfWork
from services.notifier.tables import notifications

Status = NotificationStatus
NOW = datetime(2022, 9, 30, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (Status.PENDING, Status.SENDING),
        (Status.PENDING, Status.CANCELLED),
        (Status.PENDING, Status.SENT),  # its outcome read back from its own topic (a rebuild)
        (Status.PENDING, Status.FAILED),
        (Status.SENDING, Status.SENT),
        (Status.SENDING, Status.FAILED),
        (Status.CANCELLED, Status.PENDING),  # a session moved away and back
    ],
)
def test_the_moves_of_a_notifications_life(current: NotificationStatus, to: NotificationStatus) -> None:
    assert move(current, to) == to


@pytest.mark.parametrize(
    ("current", "to"),
    [
        (Status.SENT, Status.PENDING),
        (Status.SENT, Status.CANCELLED),
        (Status.FAILED, Status.SENDING),
        (Status.SENDING, Status.PENDING),  # a batch in flight keeps its request id until it ends
        (Status.SENDING, Status.CANCELLED),  # in flight: too late to drop
        (Status.CANCELLED, Status.SENT),
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_refused(
    current: NotificationStatus, to: NotificationStatus
) -> None:
    with pytest.raises(ForbiddenTransitionError, match=f"a {current} notification cannot become {to}"):
        move(current, to)


def message(period: str) -> Message:
    key = policy.idempotency_key("A1", "audit-overdue", period, Channel.SMS, "+84912345678")
    return Message(
        key=key,
        request_id=policy.request_id(key),
        agency_code="A1",
        reason="audit-overdue",
        period=period,
        channel=Channel.SMS,
        role=RecipientRole.ISO_OFFICER,
        recipient_name="Nguyễn Thị Mai",
        address="+84912345678",
        context={},
        critical=False,
        due_at=NOW,
    )


async def test_the_store_cannot_write_a_forbidden_status(
    notifier_db: async_sessionmaker[AsyncSession],
) -> None:
    async with NotifierUnitOfWork(notifier_db, FixedClock(NOW), "/t") as uow:
        assert await uow.notifications.add(message("2022"), Status.PENDING, NOW)
        with pytest.raises(ForbiddenTransitionError):
            await uow.notifications.add(message("2023"), Status.SENDING, NOW)  # never claimed
        with pytest.raises(ForbiddenTransitionError):
            await uow.notifications.remember_outcomes([message("2022").request_id], Status.CANCELLED)
        await uow.commit()
    async with notifier_db() as session:
        rows = (await session.execute(select(notifications.c.period, notifications.c.status))).all()
    assert [tuple(r) for r in rows] == [("2022", "pending")]


async def test_a_sent_message_is_not_moved_by_a_later_cancellation_or_claim(
    notifier_db: async_sessionmaker[AsyncSession],
) -> None:
    async with NotifierUnitOfWork(notifier_db, FixedClock(NOW), "/t") as uow:
        await uow.notifications.add(message("2022"), Status.PENDING, NOW)
        (queued,) = await uow.notifications.due(NOW, 10)
        assert await uow.notifications.claim([queued.id], "batch-1", "esms") == 1
        assert await uow.notifications.mark_sent([queued.id], NOW, "sms-1", 1) == 1
        assert await uow.notifications.cancel("A1", ("audit-overdue",), "") == 0
        assert await uow.notifications.claim([queued.id], "batch-2", "esms") == 0
        assert await uow.notifications.mark_failed([queued.id], "late") == 0
        (sent,) = await uow.notifications.batch("batch-1")
    assert (sent.status, sent.provider_id, sent.error) == (Status.SENT, "sms-1", None)
