"""What the registry is asked to do, validated: the bodies of its commands. The HTTP routes take them,
and a row of an imported CSV file becomes an `AgencyIn` too, so a file and the API refuse the same
input the same way."""

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from contracts.agencies import EMAIL, Contacts
from contracts.fields import AGENCY_CODE, Paragraph, Text
from contracts.identity import SYSTEM_ID
from contracts.vocabulary import Level, Obligation
from services.common.inputs import CampaignYear, Day, RequestBody
from services.common.phones import PHONE_PATTERN, normalise_phone


class ContactIn(RequestBody):
    name: Text = Field(min_length=1, max_length=200)
    #: A mobile (SMS and e-mail) or a landline (e-mail only), stored as E.164.
    phone: str | None = Field(
        default=None, max_length=30, pattern=PHONE_PATTERN, examples=["0912 345 678", "(0294) 3862 123"]
    )
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL)

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        try:
            return normalise_phone(value) if value else None
        except ValueError as exc:  # the Vietnamese message as it is, without pydantic's "Value error, "
            raise PydanticCustomError("phone_number", str(exc)) from None


class ContactsIn(RequestBody):
    iso_officer: ContactIn | None = None
    head: ContactIn | None = None

    def to_contract(self) -> Contacts:
        return Contacts.model_validate(self.model_dump())


class AgencyIn(RequestBody):
    code: str = Field(pattern=AGENCY_CODE, examples=["000.00.22.H59"])
    name: Text = Field(min_length=1, max_length=300, examples=["Sở Khoa học và Công nghệ"])
    level: Level
    parent_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    obligation: Obligation | None = Field(default=None, description="Defaults by level.")
    uses_eiso_software: bool = False
    valid_from: Day | None = Field(default=None, description="Defaults to today (giờ Việt Nam).")
    contacts: ContactsIn = Field(default_factory=ContactsIn)


class Effective(RequestBody):
    effective_on: Day | None = Field(default=None, description="Defaults to today (giờ Việt Nam).")


class AgencyPatch(Effective):
    obligation: Obligation | None = None
    uses_eiso_software: bool | None = None
    contacts: ContactsIn | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given (what the update changes), as the agency's own types."""
        changes: dict[str, Any] = self.model_dump(exclude={"effective_on", "contacts"}, exclude_none=True)
        if self.contacts is not None:
            changes["contacts"] = self.contacts.to_contract()
        return changes


class ReparentIn(Effective):
    parent_code: str | None = Field(pattern=AGENCY_CODE)


class RenameIn(Effective):
    name: Text = Field(min_length=1, max_length=300)
    new_code: str | None = Field(default=None, pattern=AGENCY_CODE)


class DissolveIn(Effective):
    reason: Text = Field(min_length=1, max_length=500)


class MergeIn(Effective):
    sources: list[Annotated[str, Field(pattern=AGENCY_CODE)]] = Field(min_length=1, max_length=100)
    into: str | None = Field(default=None, pattern=AGENCY_CODE, description="An existing successor…")
    new: AgencyIn | None = Field(default=None, description="…or a new one (its valid_from is effective_on).")


class SplitIn(Effective):
    into: list[AgencyIn] = Field(min_length=2, max_length=50)


class RecordIn(RequestBody):
    year: CampaignYear
    occurred_on: Day
    document_ref: Text = Field(min_length=1, max_length=200, examples=["Số 12/QĐ-SKHCN"])
    title: Text = Field(min_length=1, max_length=500)
    notes: Paragraph | None = Field(default=None, max_length=4000)
    submitted_by: Text = Field(min_length=1, max_length=200)


class SystemIn(RequestBody):
    id: str = Field(pattern=SYSTEM_ID, examples=["vn.travinh.eiso"])
    name: Text = Field(min_length=1, max_length=200)
    scope: list[Annotated[str, Field(pattern=AGENCY_CODE)]] = Field(
        min_length=1,
        max_length=1000,
        description="Agencies it may speak for; a parent code covers its children.",
    )
