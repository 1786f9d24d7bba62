"""Events on `eiso.training.sessions` (writer: training): sessions planned and changed, enrolments,
invitations and completions.

Session events are about a session, not an agency: their subject (and Kafka key) is the session id, so
each session's changes stay in order. Enrolment, invitation and completion events are about an agency:
their subject is its code. Times of day are wall-clock times in Asia/Ho_Chi_Minh (what the invitation
and the calendar show); `starts_at`/`ends_at` give the same instants in UTC.
"""

from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AgencyCode, Text


class TrainingRole(StrEnum):
    ISO_OFFICER = "iso_officer"  # cán bộ đầu mối ISO
    HEAD = "head"  # lãnh đạo cơ quan
    STAFF = "staff"  # công chức, viên chức


class EnrolmentStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


#: How people name an enrolment's state and a trainee's role.
ENROLMENT_STATUS_VI: dict[EnrolmentStatus, str] = {
    EnrolmentStatus.CONFIRMED: "đã xác nhận",
    EnrolmentStatus.WAITLISTED: "trong danh sách chờ",
    EnrolmentStatus.CANCELLED: "đã hủy",
    EnrolmentStatus.COMPLETED: "đã hoàn thành khóa học",
}
TRAINING_ROLE_VI: dict[TrainingRole, str] = {
    TrainingRole.ISO_OFFICER: "cán bộ đầu mối ISO",
    TrainingRole.HEAD: "lãnh đạo cơ quan",
    TrainingRole.STAFF: "công chức, viên chức",
}


class SessionDay(EventData):
    on: date = Field(description="Calendar day, giờ Việt Nam.")
    starts: time = Field(description="Wall-clock start, giờ Việt Nam.")
    ends: time = Field(description="Wall-clock end, giờ Việt Nam.")
    starts_at: AwareDatetime = Field(description="The same start, UTC.")
    ends_at: AwareDatetime = Field(description="The same end, UTC.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> "SessionDay":
        if self.ends <= self.starts:
            raise ValueError("a day ends after it starts")
        return self


class SessionData(EventData):
    session_id: Text = Field(min_length=1, max_length=36)
    revision: int = Field(ge=1)
    course_code: Text = Field(min_length=1, max_length=40)
    course_title_vi: Text = Field(min_length=1, max_length=300)
    days: list[SessionDay] = Field(min_length=1)
    venue: Text = Field(min_length=1, max_length=300)
    trainer: Text = Field(min_length=1, max_length=200)
    capacity: int = Field(ge=1)
    seats_taken: int = Field(ge=0)
    cancelled: bool = False
    note: Text | None = Field(default=None, max_length=500, description="Why it changed, for people.")


class TrainingScheduled(CloudEvent):
    """A session is open for enrolment."""

    type: Literal["training-scheduled"] = "training-scheduled"
    subject_field = "session_id"
    data: SessionData


class TrainingRescheduled(CloudEvent):
    """A session's days, venue or trainer changed; those enrolled must be told."""

    type: Literal["training-rescheduled"] = "training-rescheduled"
    subject_field = "session_id"
    data: SessionData


class TrainingCancelled(CloudEvent):
    """A session will not take place; its enrolments are cancelled."""

    type: Literal["training-cancelled"] = "training-cancelled"
    subject_field = "session_id"
    data: SessionData


class EnrolmentData(EventData):
    enrolment_id: Text = Field(min_length=1, max_length=36)
    session_id: Text = Field(min_length=1, max_length=36)
    agency_code: AgencyCode
    person_name: Text = Field(
        min_length=1,
        max_length=200,
        description="Who attends (no phone or e-mail: contacts stay in the registry).",
    )
    role: TrainingRole
    status: EnrolmentStatus
    waitlist_position: int | None = Field(default=None, ge=1)
    first_day: datetime = Field(description="When the session starts, UTC.")


class EnrolmentConfirmed(CloudEvent):
    """A seat is held for the person (also when promoted from the waiting list)."""

    type: Literal["enrolment-confirmed"] = "enrolment-confirmed"
    subject_field = "agency_code"
    data: EnrolmentData


class EnrolmentWaitlisted(CloudEvent):
    """The session is full (or the quota is used); the person waits at the given position."""

    type: Literal["enrolment-waitlisted"] = "enrolment-waitlisted"
    subject_field = "agency_code"
    data: EnrolmentData


class EnrolmentCancelled(CloudEvent):
    """A person will not attend (cancelled by the agency or an operator); their seat went to the next
    on the waiting list, if anyone. Reminders for them are dropped."""

    type: Literal["enrolment-cancelled"] = "enrolment-cancelled"
    subject_field = "agency_code"
    data: EnrolmentData


class InvitationData(EventData):
    agency_code: AgencyCode
    year: int
    session_id: Text | None = Field(
        max_length=36, description="The upcoming session with free seats suggested, if any."
    )
    course_title_vi: Text | None = Field(default=None, max_length=300)
    first_day: datetime | None = Field(default=None, description="When that session starts, UTC.")
    reason_vi: Text = Field(min_length=1, max_length=1000)


class TrainingInvited(CloudEvent):
    """An agency reported lagging with nobody enrolled in an upcoming session is invited, once a year."""

    type: Literal["training-invited"] = "training-invited"
    subject_field = "agency_code"
    data: InvitationData


class CompletionData(EventData):
    agency_code: AgencyCode
    enrolment_id: Text = Field(min_length=1, max_length=36)
    session_id: Text = Field(min_length=1, max_length=36)
    course_code: Text = Field(min_length=1, max_length=40)
    course_title_vi: Text = Field(min_length=1, max_length=300)
    person_name: Text = Field(min_length=1, max_length=200)
    role: TrainingRole
    completed_on: date = Field(description="The last day attended, giờ Việt Nam.")
    certificate_code: Text = Field(
        min_length=1, max_length=40, description="Public verification code: GET /certificates/{code}."
    )


class TrainingCompleted(CloudEvent):
    """A participant attended the required days: compliance counts it for the training rule."""

    type: Literal["training-completed"] = "training-completed"
    subject_field = "agency_code"
    data: CompletionData


TRAINING_EVENTS: tuple[type[CloudEvent], ...] = (
    TrainingScheduled,
    TrainingRescheduled,
    TrainingCancelled,
    EnrolmentConfirmed,
    EnrolmentWaitlisted,
    EnrolmentCancelled,
    TrainingInvited,
    TrainingCompleted,
)
