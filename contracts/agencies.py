"""Events on `eiso.registry.agencies` (writer: registry). The only topic that carries contact data."""

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.envelope import CloudEvent, EventData
from contracts.vocabulary import Level, Obligation

AGENCY_CODE = r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$"


class AgencyData(EventData):
    """An agency as the registry knows it on `valid_from`."""

    code: str = Field(
        pattern=AGENCY_CODE, description="Stable code, e.g. the QCVN 102:2016 id 000.00.22.H59."
    )
    name: str = Field(min_length=1, max_length=300, description="Vietnamese name, NFC.")
    level: Level
    parent_code: str | None = Field(default=None, pattern=AGENCY_CODE)
    obligation: Obligation
    uses_eiso_software: bool = False
    valid_from: date


class AgencyRegistered(CloudEvent):
    """A new agency entered the registry."""

    type: Literal["agency-registered"] = "agency-registered"
    subject_field = "code"
    data: AgencyData
