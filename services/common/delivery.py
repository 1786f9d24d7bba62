"""What became of one message handed to a gateway (an SMS gateway, an SMTP server): the three outcomes
every sender acts on the same way, whatever carried the message."""

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    TRANSIENT = "transient"  # timeouts, 5xx, 4xx SMTP, connection refused: retry with backoff
    PERMANENT = "permanent"  # 4xx HTTP, 5xx SMTP, invalid address, rejected content: never retried


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    provider_id: str | None = None
    detail: str = ""
