"""Events on `eiso.registry.agencies` (writer: registry). The only topic that carries contact data
(personal data under Decree 13/2023/NĐ-CP: consumers keep only what reminders need)."""

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.fields import AGENCY_CODE, AgencyCode, Text
from contracts.vocabulary import Level, Obligation

#: The shape of a Vietnamese number in E.164; the registry has checked it is allocated (phonenumbers).
E164_VN = r"^\+84[1-9][0-9]{8,9}$"
_EMAIL_PART = r"[^@\s\u0000-\u001f\u007f-\u009f]+"  # no space, no control character
EMAIL = rf"^{_EMAIL_PART}@{_EMAIL_PART}\.{_EMAIL_PART}$"


class Contact(EventData):
    name: Text = Field(min_length=1, max_length=200)
    phone: str | None = Field(
        default=None,
        pattern=E164_VN,
        description="E.164: a mobile (+84912345678) or a landline (+842943862123), which takes no SMS.",
    )
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)


class Contacts(EventData):
    iso_officer: Contact | None = Field(default=None, description="Cán bộ đầu mối ISO (thư ký ISO).")
    head: Contact | None = Field(default=None, description="Thủ trưởng cơ quan.")


class AgencyData(EventData):
    """An agency as the registry knows it from `valid_from` (until `valid_to`, exclusive, if set)."""

    code: str = Field(pattern=AGENCY_CODE, description="Stable code, e.g. QCVN 102:2016 id 000.00.22.H59.")
    name: Text = Field(min_length=1, max_length=300, description="Vietnamese name, NFC.")
    level: Level
    parent_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    obligation: Obligation
    uses_eiso_software: bool = False
    valid_from: date
    valid_to: date | None = None
    contacts: Contacts = Field(default_factory=Contacts)


class AgencyRegistered(CloudEvent):
    """A new agency entered the registry."""

    type: Literal["agency-registered"] = "agency-registered"
    subject_field = "code"
    data: AgencyData


class AgencyUpdatedData(AgencyData):
    changed: list[Text] = Field(description="Fields that changed, e.g. parent_code, contacts.")


class AgencyUpdated(CloudEvent):
    """An agency's details changed from `data.valid_from` (re-parenting, obligation, contacts…)."""

    type: Literal["agency-updated"] = "agency-updated"
    subject_field = "code"
    data: AgencyUpdatedData


class AgencyRenamedData(AgencyData):
    previous_name: Text = Field(min_length=1, max_length=300)
    previous_code: str | None = Field(
        default=None, pattern=AGENCY_CODE, description="Set when the rename also changed the code."
    )


class AgencyRenamed(CloudEvent):
    """An agency took a new name (and possibly a new code) from `data.valid_from`."""

    type: Literal["agency-renamed"] = "agency-renamed"
    subject_field = "code"
    data: AgencyRenamedData


class AgencyMergedData(EventData):
    code: str = Field(pattern=AGENCY_CODE, description="The successor.")
    sources: list[AgencyCode] = Field(
        min_length=1, description="Agencies merged into it; they end the day before."
    )
    effective_on: date
    successor: AgencyData


class AgencyMerged(CloudEvent):
    """Several agencies were merged into one (new or existing) from `data.effective_on`."""

    type: Literal["agency-merged"] = "agency-merged"
    subject_field = "code"
    data: AgencyMergedData


class AgencySplitData(EventData):
    code: str = Field(pattern=AGENCY_CODE, description="The agency that was split; it ends.")
    effective_on: date
    into: list[AgencyData] = Field(min_length=2)


class AgencySplit(CloudEvent):
    """An agency was split into several new ones from `data.effective_on`."""

    type: Literal["agency-split"] = "agency-split"
    subject_field = "code"
    data: AgencySplitData


class AgencyDissolvedData(EventData):
    code: str = Field(pattern=AGENCY_CODE)
    effective_on: date
    reason: Text = Field(min_length=1, max_length=500)


class AgencyDissolved(CloudEvent):
    """An agency ceased to exist from `data.effective_on`, with no successor."""

    type: Literal["agency-dissolved"] = "agency-dissolved"
    subject_field = "code"
    data: AgencyDissolvedData


AGENCY_EVENTS: tuple[type[CloudEvent], ...] = (
    AgencyRegistered,
    AgencyUpdated,
    AgencyRenamed,
    AgencyMerged,
    AgencySplit,
    AgencyDissolved,
)
