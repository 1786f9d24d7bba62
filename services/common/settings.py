"""The settings base every service extends: one `Settings` class per service, env prefix
`EISO_<SERVICE>_`, no environment-name branches (docs/architecture.md, "Runtime")."""

from datetime import datetime
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, AwareDatetime, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.workdays import WORKDAYS_FILE


def _everywhere(name: str) -> AliasChoices:
    """Read unprefixed, by every service: what concerns the whole cluster, on which they must agree."""
    return AliasChoices(f"EISO_{name.upper()}")


class ServiceSettings(BaseSettings):
    """Defaults run a service on one laptop: SQLite in `.data/`, Kafka on 127.0.0.1:9092."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str
    #: Address the HTTP API listens on (0.0.0.0 in a container).
    http_host: str = "127.0.0.1"
    http_port: int = Field(ge=1, le=65535)
    database_url: str
    #: Least severe log level written.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: JSON lines (default), console (colours), or auto (console on a terminal).
    log_format: Literal["json", "console", "auto"] = "json"

    #: Kafka brokers, host:port[,host:port].
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    #: PLAINTEXT locally; SASL_SSL with SCRAM in production.
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = "PLAINTEXT"
    #: SASL mechanism when the protocol is SASL_*.
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    #: SASL user (required with SASL_*).
    kafka_username: str | None = None
    #: SASL password (required with SASL_*; never logged).
    kafka_password: SecretStr | None = None
    #: CA bundle for SSL/SASL_SSL (default: the system store).
    kafka_ssl_cafile: str | None = None
    #: Consumer group of this service; tests and replays give a fresh one to start from scratch.
    consumer_group: str | None = None
    #: Most events applied in one database transaction.
    consumer_batch_max: int = Field(default=500, ge=1, le=10_000)
    #: How long an idle consumer waits for events before looking again. FastStream also sleeps this long
    #: after a look that found nothing, so after a quiet spell — the usual state of a province — a lone
    #: event may wait up to this long per hop; a smaller value only adds cheap empty looks.
    consumer_wait_ms: int = Field(default=10, ge=1, le=1_000)
    #: Fault drills only (never in production): `before_commit:N` or `after_commit:N` kills the process
    #: with SIGKILL, as `kill -9` would, at that point of its N-th consumed batch.
    crash_at: str | None = Field(default=None, pattern=r"^(before_commit|after_commit):[1-9][0-9]*$")

    #: Partitions of each topic eiso creates; an existing topic's are never changed (more partitions
    #: would send an agency's next events to another partition, ahead of its earlier ones).
    topic_partitions: int = Field(default=3, ge=1, validation_alias=_everywhere("topic_partitions"))
    #: Copies of each partition: 1 with one broker; 3 in production (three brokers).
    topic_replication_factor: int = Field(
        default=1, ge=1, validation_alias=_everywhere("topic_replication_factor")
    )
    #: Copies that must have a record before it is acknowledged (acks=all): 1 with one broker; 2 in
    #: production, so that one broker may be down and no acknowledged event is on a single disk.
    topic_min_insync_replicas: int = Field(
        default=1, ge=1, validation_alias=_everywhere("topic_min_insync_replicas")
    )
    #: Days eiso.inbound.records keeps an event (the registry stores what it reads; this covers a
    #: registry stopped for a long holiday). The event-sourced topics are kept forever.
    topic_inbound_retention_days: int = Field(
        default=30, ge=1, validation_alias=_everywhere("topic_inbound_retention_days")
    )
    #: Days each `<topic>.dlq` keeps a dead letter, for operators to inspect, fix and publish again.
    topic_dead_letter_retention_days: int = Field(
        default=90, ge=1, validation_alias=_everywhere("topic_dead_letter_retention_days")
    )

    #: Most outbox rows published in one relay round.
    outbox_batch_max: int = Field(default=500, ge=1, le=10_000)
    #: How often the relay looks for unpublished rows when not woken by a commit.
    outbox_poll_seconds: float = Field(default=0.5, gt=0, le=60)

    #: The identity service's sign-in page, where a page sends a browser that is not signed in.
    sign_in_url: str = Field(
        default="http://127.0.0.1:8005/sign-in", validation_alias=_everywhere("sign_in_url")
    )
    #: The province's working-day calendar (days off and weekend days worked, on top of Vietnam's public
    #: holidays): one file for every service, so deadlines, inspections, training and SMS agree.
    workdays_file: Path = Field(default=WORKDAYS_FILE, validation_alias=_everywhere("workdays_file"))
    #: Largest request body accepted, in bytes (a CSV import of a whole province is ~50 KB).
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    #: Requests per second one API key may make, sustained (per replica); more get 429.
    rate_limit_per_second: float = Field(default=50, gt=0)
    #: Requests one API key may make at once after a quiet spell.
    rate_limit_burst: int = Field(default=200, ge=1)
    #: Failed attempts (wrong key, wrong callback token) one client address may make per minute,
    #: sustained; past the burst, its attempts get 429 without being checked.
    failed_attempts_per_minute: float = Field(default=10, gt=0)
    #: Failed attempts one client address may make at once.
    failed_attempts_burst: int = Field(default=30, ge=1)
    #: Requests per second one client address may make to the endpoints that need no key
    #: (certificate checks, gateway callbacks).
    anonymous_rate_per_second: float = Field(default=5, gt=0)
    #: Requests one client address may make at once to those endpoints.
    anonymous_burst: int = Field(default=100, ge=1)
    #: Proxies trusted to say who the client is (X-Forwarded-For): comma-separated addresses, or *.
    #: Limits per address count that client, so set it to the reverse proxy's address in production.
    forwarded_allow_ips: str = "127.0.0.1"

    #: First year of the province's ISO campaigns: a date or year before it is refused (422).
    campaign_first_year: int = Field(
        default=2014, ge=2000, le=2100, validation_alias=_everywhere("campaign_first_year")
    )
    #: Last year of the campaigns (default: the year after today's, giờ Việt Nam); later ones are refused.
    campaign_last_year: int | None = Field(
        default=None, ge=2000, le=2100, validation_alias=_everywhere("campaign_last_year")
    )

    #: Freeze the service clock at this instant (UTC) to replay or test a campaign at any date.
    clock_fixed_at: AwareDatetime | None = None
    #: Start the service clock at this instant (UTC) and let it run from there (retries still elapse).
    clock_starts_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _replicas_can_be_in_sync(self) -> Self:
        if self.topic_min_insync_replicas > self.topic_replication_factor:
            raise ValueError(
                f"EISO_TOPIC_MIN_INSYNC_REPLICAS={self.topic_min_insync_replicas} exceeds "
                f"EISO_TOPIC_REPLICATION_FACTOR={self.topic_replication_factor}: "
                "no write could be acknowledged"
            )
        return self

    @property
    def group_id(self) -> str:
        return self.consumer_group or self.service_name

    @property
    def source(self) -> str:
        """The CloudEvents `source` of everything this service publishes."""
        return f"/eiso/{self.service_name}"

    def fixed_time(self) -> datetime | None:
        return self.clock_fixed_at
