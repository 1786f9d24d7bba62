"""Outside systems' own principals on the secure broker: given, listed and withdrawn by operators.
The password is made here, handed out once and kept nowhere but in the broker's salted SCRAM
credential; the audit trail records who gave or withdrew which system's access."""

import secrets
from dataclasses import dataclass

from services.identity.broker_accounts import BrokerAccount, BrokerAccounts
from services.identity.keys import check_broker_system
from services.identity.unit_of_work import IdentityUnitOfWork


@dataclass(frozen=True)
class BrokerAccess:
    account: BrokerAccount
    #: Shown once, in the answer that gave it; a second grant replaces it.
    password: str


async def give_broker_access(
    uow: IdentityUnitOfWork, accounts: BrokerAccounts, system_id: str
) -> BrokerAccess:
    """A SCRAM principal for `system_id` that may write to its own inbound topic and nowhere else
    (again for a system that has one: a new password, the old one stops working)."""
    check_broker_system(system_id)
    password = secrets.token_urlsafe(24)
    return BrokerAccess(await accounts.provision(system_id, password), password)


async def withdraw_broker_access(uow: IdentityUnitOfWork, accounts: BrokerAccounts, system_id: str) -> bool:
    """The system can no longer write (its ACL goes) nor connect (its credential goes)."""
    return await accounts.withdraw(system_id)


async def broker_accounts(uow: IdentityUnitOfWork, accounts: BrokerAccounts) -> list[BrokerAccount]:
    return await accounts.accounts()
