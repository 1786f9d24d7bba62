"""Rate limits: token buckets per API key (one integration's burst cannot starve the others, or the
database), per client address for failed attempts and for the endpoints that need no key. Kept in the
process: with several replicas each allows the rate (say so in the limits an operator sets)."""

import math
import time
from dataclasses import dataclass, field

from fastapi import HTTPException, Request, status


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

    def give_back(self, key: str) -> None:
        """Return the request `take` spent (it turned out not to count)."""
        if key in self._buckets:
            tokens, at = self._buckets[key]
            self._buckets[key] = (min(float(self.burst), tokens + 1), at)

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)  # re-inserted last: dict order is least recently used first
        if len(self._buckets) > self.capacity:
            del self._buckets[next(iter(self._buckets))]


def retry_after(seconds: float) -> str:
    """The Retry-After header's whole seconds, never 0."""
    return str(max(1, math.ceil(seconds)))


def _address(request: Request) -> str:
    """The caller's address (behind a proxy, what it forwarded: see the setting forwarded_allow_ips)."""
    return request.client.host if request.client else "unknown"


def _too_many(wait: float, what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"{what}; retry in {retry_after(wait)} s",
        headers={"Retry-After": retry_after(wait)},
    )


@dataclass
class RequestLimits:
    """What a service allows, in three buckets: requests per API key (charged only once the key is
    proven, so knowing a key id is not enough to get its holder refused), failed attempts per client
    address (bad keys, bad callback tokens: guessing is slowed to a trickle), and requests per client
    address to the endpoints that need no key (certificate checks, gateway callbacks)."""

    per_key: TokenBuckets
    failures: TokenBuckets
    anonymous: TokenBuckets

    def attempt(self, request: Request) -> None:
        """Spend one of this address's attempts before anything is checked (so that guesses sent all
        at once are counted as they arrive, not after their checks); 429 if it has none left.
        `succeeded` gives it back."""
        if (wait := self.failures.take(_address(request), time.monotonic())) is not None:
            raise _too_many(wait, "too many failed attempts from this address")

    def succeeded(self, request: Request) -> None:
        """The attempt proved right: it costs the address nothing."""
        self.failures.give_back(_address(request))

    def charge_key(self, key_id: str) -> None:
        if (wait := self.per_key.take(key_id, time.monotonic())) is not None:
            raise _too_many(wait, "too many requests for this key")

    def charge_address(self, request: Request) -> None:
        if (wait := self.anonymous.take(_address(request), time.monotonic())) is not None:
            raise _too_many(wait, "too many requests from this address")
