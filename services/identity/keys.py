"""API keys, as the identity service issues them: random, stored and published only as digests,
revocable. Pure rules; the use cases in `usecases.keys` apply them."""

import re
import secrets
from dataclasses import dataclass

from contracts.identity import CREDENTIAL_ID, SYSTEM_ID, Role
from contracts.topics import system_of, system_topic
from services.common.credentials import digest, split_key


@dataclass(frozen=True)
class NewKey:
    id: str
    #: The whole key, handed out once and never stored.
    key: str
    digest: str


def new_key() -> NewKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(key_id, f"eiso_{key_id}_{secret}", digest(secret))


def bootstrap_parts(key: str) -> tuple[str, str]:
    """(id, secret) of EISO_BOOTSTRAP_OPERATOR_KEY; ValueError when it is not shaped like a key."""
    parts = split_key(key)
    if parts is None or not re.match(CREDENTIAL_ID, parts[0]):
        raise ValueError(
            "EISO_BOOTSTRAP_OPERATOR_KEY must look like eiso_<id>_<secret>, the id made of letters, "
            "digits and '-' (at most 32)"
        )
    return parts


class KeyRefusedError(Exception):
    """A key that cannot be issued as asked; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_broker_system(system_id: str) -> None:
    """A system id that can name a Kafka principal and its topic (`eiso.inbound.records.<id>`): the
    contract's shape, and not `dlq`, whose topic would be the inbound dead-letter topic."""
    if not re.fullmatch(SYSTEM_ID, system_id) or system_of(system_topic(system_id)) != system_id:
        raise KeyRefusedError(
            "system_id",
            f"{system_id!r} cannot name a system's topic (lower-case letters, digits, dots, "
            "hyphens; not 'dlq')",
        )


class RevocationRefusedError(Exception):
    """A key that must stay: the message says why and what to do instead."""


def check_issue(role: Role, agency_code: str | None, system_id: str | None = None) -> None:
    if (role in (Role.AGENCY, Role.FEED)) != (agency_code is not None):
        raise KeyRefusedError("agency_code", "needed by, and only by, roles agency and feed")
    if system_id is not None and role != Role.SYSTEM:
        raise KeyRefusedError("system_id", "only a key of role system publishes as a system")


def check_revocation(key_id: str, bootstrap_id: str | None, active_operators: list[str]) -> None:
    """Never the bootstrap key (it would come back at the next start anyway), never the last active
    operator key (nobody could issue keys any more)."""
    if key_id == bootstrap_id:
        raise RevocationRefusedError(
            "the bootstrap operator key cannot be revoked; to retire it, set another "
            "EISO_BOOTSTRAP_OPERATOR_KEY and restart the identity service"
        )
    if active_operators == [key_id]:
        raise RevocationRefusedError(
            "this is the last active operator key; issue another operator key before revoking it"
        )
