"""Operators give outside systems their own Kafka principal (`POST /broker-accounts`), list and
withdraw them. A system so given publishes to `eiso.inbound.records.<system id>` only, and the registry
takes the topic, not the event, as the word on who published."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel, Field

from contracts.identity import SYSTEM_ID, Role
from services.common.audit import by
from services.common.auth import Caller, require
from services.common.inputs import RequestBody
from services.identity.api.shared import ServiceDep, refusals, unavailable
from services.identity.broker_accounts import BrokerAccount
from services.identity.usecases import systems

router = APIRouter(prefix="/broker-accounts", tags=["access"])
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    409: {"description": "The broker is not in secure mode: it takes no passwords."},
    503: {"description": "The broker did not answer, or refused."},
}


class BrokerAccountIn(RequestBody):
    system_id: str = Field(
        pattern=SYSTEM_ID, description="The registered system's id (its `source`), e.g. vn.travinh.eiso."
    )


class BrokerAccountOut(BaseModel):
    system_id: str = Field(description="The SCRAM user name.")
    topic: str = Field(description="The one topic the system may write to.")
    mechanism: str
    password: str | None = Field(default=None, description="Shown once, in the answer that gave it.")

    @classmethod
    def of(cls, account: BrokerAccount, password: str | None = None) -> "BrokerAccountOut":
        return cls(
            system_id=account.system_id, topic=account.topic, mechanism=account.mechanism, password=password
        )


@router.post("", status_code=201, response_model=BrokerAccountOut, responses=UNAVAILABLE)
async def give(
    body: BrokerAccountIn, caller: Caller, request: Request, service: ServiceDep
) -> BrokerAccountOut:
    """A principal for the system (a new password if it has one); its topic is created with it."""
    require(caller, Role.OPERATOR)
    with refusals(), unavailable():
        access = await service.act(
            by(caller, request, f"system:{body.system_id}"),
            systems.give_broker_access,
            service.broker_accounts,
            body.system_id,
        )
    return BrokerAccountOut.of(access.account, access.password)


@router.get("", response_model=list[BrokerAccountOut], responses=UNAVAILABLE)
async def list_accounts(caller: Caller, service: ServiceDep) -> list[BrokerAccountOut]:
    require(caller, Role.OPERATOR)
    with unavailable():
        found = await service.query(systems.broker_accounts, service.broker_accounts)
    return [BrokerAccountOut.of(account) for account in found]


@router.delete("/{system_id}", status_code=204, responses=UNAVAILABLE)
async def withdraw(
    system_id: Annotated[str, Path(pattern=SYSTEM_ID)], caller: Caller, request: Request, service: ServiceDep
) -> None:
    """The system can write no more (at once, even on an open connection) nor connect again."""
    require(caller, Role.OPERATOR)
    with unavailable():
        withdrawn = await service.act(
            by(caller, request, f"system:{system_id}"),
            systems.withdraw_broker_access,
            service.broker_accounts,
            system_id,
        )
    if not withdrawn:
        raise HTTPException(404, detail=f"system {system_id} has no principal on the broker")
