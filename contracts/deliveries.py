"""Events on `eiso.notifier.deliveries` (writer: notifier): what became of each message.

No phone number or e-mail address travels here (contact data stays on the registry's topic): a
message is named by its request id, its agency, reason and period, the channel and the recipient's
role.
"""

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Text


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class RecipientRole(StrEnum):
    ISO_OFFICER = "iso_officer"
    HEAD = "head"
    SUPERVISOR = "supervisor"  # the supervising agency's head (the district, or the DOST)


#: Whom a message went to, as a person reads it.
RECIPIENT_ROLE_VI: dict[RecipientRole, str] = {
    RecipientRole.ISO_OFFICER: "cán bộ đầu mối ISO",
    RecipientRole.HEAD: "thủ trưởng cơ quan",
    RecipientRole.SUPERVISOR: "lãnh đạo cơ quan cấp trên",
}


#: Why a message was sent (the notifier's reasons), as a person reads it.
REASON_VI: dict[str, str] = {
    "deadline-approaching": "nhắc hạn cập nhật hồ sơ",
    "agency-lagging": "đã quá hạn mà chưa cập nhật đủ",
    "audit-overdue": "chưa đánh giá nội bộ",
    "review-overdue": "chưa tổ chức xem xét của lãnh đạo",
    "inspection-scheduled": "thông báo lịch kiểm tra",
    "training-invited": "mời tham dự lớp tập huấn",
    "training-rescheduled": "lớp tập huấn thay đổi lịch",
    "training-cancelled": "lớp tập huấn bị hủy",
    "training-reminder": "nhắc lịch tập huấn",
    "escalation": "báo cáo lên cấp trên vì cơ quan chưa cập nhật",
    "digest": "tổng hợp nhiều nội dung nhắc việc",
}
#: A message's state in the notifier, as a person reads it.
NOTIFICATION_STATUS_VI: dict[str, str] = {
    "pending": "đang chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "gửi không thành công",
    "cancelled": "đã hủy",
}
CHANNEL_VI: dict[Channel, str] = {Channel.SMS: "tin nhắn", Channel.EMAIL: "thư điện tử"}


class DeliveryData(EventData):
    request_id: Text = Field(
        min_length=1,
        max_length=100,
        description="Sent to the gateway (SMTP: Message-ID); one per idempotency key.",
    )
    request_ids: list[Text] = Field(
        default_factory=list,
        description="Each message's own request id (several when digested): what a rebuilt notifier "
        "must not send again.",
    )
    agency_code: AgencyCode
    reasons: list[Text] = Field(min_length=1, description="Event types behind it; several when digested.")
    periods: list[Text] = Field(min_length=1)
    channel: Channel
    recipient_role: RecipientRole
    gateway: Text = Field(min_length=1, max_length=40)
    attempts: int = Field(ge=1)
    segments: int | None = Field(default=None, ge=1, description="SMS parts billed.")
    error: Text | None = Field(default=None, max_length=500)


class NotificationSent(CloudEvent):
    """A gateway accepted the message (for SMTP: the server accepted it)."""

    type: Literal["notification-sent"] = "notification-sent"
    subject_field = "agency_code"
    data: DeliveryData


class NotificationFailed(CloudEvent):
    """The message could not be delivered: a permanent refusal, or retries and failover exhausted."""

    type: Literal["notification-failed"] = "notification-failed"
    subject_field = "agency_code"
    data: DeliveryData


class HoldCause(StrEnum):
    QUIET_HOURS = "quiet_hours"  # outside 07:00–22:00 or not a working day (giờ Việt Nam)
    THROTTLE = "throttle"  # the person has had their SMS for the day


#: Why a message waits, as a person reads it.
HOLD_CAUSE_VI: dict[HoldCause, str] = {
    HoldCause.QUIET_HOURS: "ngoài khung giờ gửi (07:00–22:00 các ngày làm việc)",
    HoldCause.THROTTLE: "người nhận đã nhận đủ số tin nhắn tối đa trong ngày",
}


class HeldData(EventData):
    request_ids: list[Text] = Field(min_length=1, description="The messages held, each by its request id.")
    agency_code: AgencyCode
    reasons: list[Text] = Field(min_length=1)
    channel: Channel
    recipient_role: RecipientRole
    cause: HoldCause
    until: AwareDatetime = Field(description="When they may be sent, UTC.")


class NotificationHeld(CloudEvent):
    """Messages waiting for the sending window or the throttle: they follow as `notification-sent` or
    `-failed` under the same request ids (or not at all, when their reason is withdrawn meanwhile)."""

    type: Literal["notification-held"] = "notification-held"
    subject_field = "agency_code"
    data: HeldData


DELIVERY_EVENTS: tuple[type[CloudEvent], ...] = (NotificationSent, NotificationFailed, NotificationHeld)
