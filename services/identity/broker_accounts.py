"""Kafka principals of outside systems, held by the broker itself: a SCRAM-SHA-512 credential named by
the system's id, one ACL that lets it write to its own inbound topic (`eiso.inbound.records.<id>`) and
nothing else, and that topic. The broker, not eiso's database, is where these live: it is what checks
them, and keeping a second copy here would only give the two a chance to disagree.

confluent-kafka's admin client is the one Python client that can alter SCRAM credentials and ACLs;
its calls block, so each runs in a thread.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

# Public in confluent_kafka.admin, but not re-exported there as mypy --strict reads it.
from confluent_kafka.admin._acl import AclBinding, AclBindingFilter, AclOperation, AclPermissionType
from confluent_kafka.admin._resource import ResourcePatternType, ResourceType
from confluent_kafka.admin._scram import (
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)
from confluent_kafka.cimpl import NewTopic

from contracts.topics import system_topic
from services.common.kafka import topic_configs
from services.common.settings import ServiceSettings

#: What outside systems authenticate with; the only mechanism the secure broker enables.
MECHANISM = "SCRAM-SHA-512"
#: PBKDF2 iterations of the stored credential (Kafka's minimum is 4096).
ITERATIONS = 8192
TIMEOUT_SECONDS = 15.0
LIBRDKAFKA_LOG = logging.getLogger("eiso.librdkafka")
T = TypeVar("T")


class BrokerUnavailableError(Exception):
    """The broker did not answer, or refused."""


class BrokerNotSecureError(BrokerUnavailableError):
    """The broker takes no passwords, so it holds no principals: a matter of configuration."""


@dataclass(frozen=True)
class BrokerAccount:
    """A system's principal on the broker and the one topic it may write to."""

    system_id: str
    topic: str
    mechanism: str = MECHANISM


class BrokerAccounts:
    """The principals of outside systems on the cluster eiso's services use (`kafka_*` settings; the
    service's own principal must be a super user, as `deploy/kafka/kafka.sh start --secure` makes it)."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings

    @property
    def secure(self) -> bool:
        return self.settings.kafka_security_protocol.startswith("SASL")

    def _admin(self) -> AdminClient:
        if not self.secure:
            raise BrokerNotSecureError(
                "the broker takes no passwords (EISO_KAFKA_SECURITY_PROTOCOL="
                f"{self.settings.kafka_security_protocol}): systems get Kafka credentials only from a broker "
                "in secure mode (SASL_SSL with SCRAM and ACLs, e.g. deploy/kafka/kafka.sh start --secure)"
            )
        s = self.settings
        password = s.kafka_password.get_secret_value() if s.kafka_password else ""
        config: dict[str, str | int | float | bool] = {
            "bootstrap.servers": s.kafka_bootstrap_servers,
            "security.protocol": s.kafka_security_protocol,
            "sasl.mechanism": s.kafka_sasl_mechanism,
            "sasl.username": s.kafka_username or "",
            "sasl.password": password,
        }
        if s.kafka_ssl_cafile:
            config["ssl.ca.location"] = s.kafka_ssl_cafile
        # librdkafka writes its own lines to stderr ("%6|…|FAIL|… Disconnected") unless given a logger:
        # through Python's logging they become the service's JSON log lines like any other.
        settings: dict[str, Any] = {**config, "logger": LIBRDKAFKA_LOG}
        return AdminClient(settings)

    async def provision(self, system_id: str, password: str) -> BrokerAccount:
        """The system's topic (kept like the shared inbound topic), its credential (a second call
        replaces the password) and its write ACL. Each step may be repeated: a retry after a failure
        half-way finishes the job."""
        topic = system_topic(system_id)
        s = self.settings

        def run(admin: AdminClient) -> None:
            new = NewTopic(
                topic, s.topic_partitions, s.topic_replication_factor, config=topic_configs(topic, s)
            )
            for future in admin.create_topics([new], operation_timeout=TIMEOUT_SECONDS).values():
                _result(future, allowed=KafkaError.TOPIC_ALREADY_EXISTS)
            info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS)
            upsert = UserScramCredentialUpsertion(system_id, info, password.encode())
            for future in admin.alter_user_scram_credentials([upsert]).values():
                _result(future)
            write = AclBinding(
                ResourceType.TOPIC,
                topic,
                ResourcePatternType.LITERAL,
                f"User:{system_id}",
                "*",
                AclOperation.WRITE,
                AclPermissionType.ALLOW,
            )
            for future in admin.create_acls([write]).values():
                _result(future)

        await self._call(run)
        return BrokerAccount(system_id, topic)

    async def withdraw(self, system_id: str) -> bool:
        """Remove the system's ACLs (its writes are refused from the next request, even on a connection
        already open) and its credential (no new connection); its topic stays until read. False when
        it had neither."""

        def run(admin: AdminClient) -> bool:
            principal = f"User:{system_id}"
            # None: any resource name, any host (the stubs allow only strings).
            acls = AclBindingFilter(
                ResourceType.ANY,
                None,  # type: ignore[arg-type]
                ResourcePatternType.ANY,
                principal,
                None,  # type: ignore[arg-type]
                AclOperation.ANY,
                AclPermissionType.ANY,
            )
            removed = sum(len(_result(f) or []) for f in admin.delete_acls([acls]).values())
            deletion = UserScramCredentialDeletion(system_id, ScramMechanism.SCRAM_SHA_512)
            for future in admin.alter_user_scram_credentials([deletion]).values():
                if _result(future, allowed=KafkaError.RESOURCE_NOT_FOUND) is _ABSENT:
                    return removed > 0
            return True

        return await self._call(run)

    async def accounts(self) -> list[BrokerAccount]:
        """Every system principal on the broker (the service's own is left out)."""

        def run(admin: AdminClient) -> list[str]:
            every = admin.describe_user_scram_credentials()  # None: one future for all users
            return sorted(_result(every))

        users = await self._call(run)
        own = self.settings.kafka_username
        return [BrokerAccount(user, system_topic(user)) for user in users if user != own]

    async def _call(self, run: Callable[[AdminClient], T]) -> T:
        admin = self._admin()
        try:
            return await asyncio.to_thread(run, admin)
        except KafkaException as failed:
            error = failed.args[0] if failed.args else None
            reason = error.str() if isinstance(error, KafkaError) else str(failed)
            raise BrokerUnavailableError(f"the broker refused: {reason}") from None


_ABSENT = object()


def _result(future: Any, allowed: int | None = None) -> Any:
    """The future's result; `_ABSENT` when it failed with the `allowed` error code (already done)."""
    try:
        return future.result(TIMEOUT_SECONDS)
    except KafkaException as failed:
        error = failed.args[0] if failed.args else None
        if allowed is not None and isinstance(error, KafkaError) and error.code() == allowed:
            return _ABSENT
        raise
