"""Whether a service's state can be rebuilt from the topics: each service declares it (`REPLAY` in its
`app` module), and `eiso replay` does what the declaration allows — nothing, for a service that keeps
what no topic carries."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Replay:
    #: Why the service's state cannot be rebuilt from the topics; None when it can.
    refused: str | None = None
    #: The tables no topic carries, which a rebuild copies from the database it replaces.
    carried: tuple[str, ...] = ()

    @classmethod
    def from_topics(cls, *carried: str) -> "Replay":
        """Rebuilt from the topics but for `carried` (the credentials too: their replica is built from
        `eiso.identity.credentials`)."""
        return cls(carried=carried)

    @classmethod
    def refused_because(cls, why: str) -> "Replay":
        return cls(refused=why)
