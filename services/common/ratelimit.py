"""Requests per API key: a token bucket each, so one integration's burst cannot starve the others (or
the database). Kept in the process: with several replicas each allows the rate (say so in the limits
an operator sets)."""

import math
from dataclasses import dataclass, field


@dataclass
class TokenBuckets:
    #: Requests a key may make per second, sustained.
    rate: float
    #: Requests a key may make at once, after a quiet spell.
    burst: int
    #: Most keys remembered: the ones idle longest are forgotten first (they would be full anyway).
    capacity: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (tokens, at)

    def take(self, key: str, now: float) -> float | None:
        """Spend one request of `key` at `now` (monotonic seconds): None if allowed, else the seconds
        until one will be."""
        tokens, at = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._remember(key, tokens - 1, now)
            return None
        self._remember(key, tokens, now)
        return (1 - tokens) / self.rate

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)  # re-inserted last: dict order is least recently used first
        if len(self._buckets) > self.capacity:
            del self._buckets[next(iter(self._buckets))]


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds, never 0."""
    return str(max(1, math.ceil(seconds)))
