"""One key's burst is cut at its limit and refills with time; other keys are not affected."""

from fastapi import HTTPException, Request

from services.common.ratelimit import RequestLimits, TokenBuckets, retry_after


def test_a_burst_is_allowed_up_to_the_limit_then_refused_until_a_token_comes_back() -> None:
    buckets = TokenBuckets(rate=2, burst=5)
    assert [buckets.take("k1", 100.0) for _ in range(5)] == [None] * 5
    wait = buckets.take("k1", 100.0)
    assert wait == 0.5 and retry_after(wait) == "1"
    assert buckets.take("k2", 100.0) is None, "another key has its own bucket"
    assert buckets.take("k1", 100.5) is None, "half a second later, at 2/s, one more"
    assert buckets.take("k1", 100.5) is not None
    assert [buckets.take("k1", 200.0) for _ in range(6)].count(None) == 5, (
        "a quiet spell refills to the burst only"
    )


def test_the_least_recently_used_keys_are_forgotten_past_the_capacity() -> None:
    buckets = TokenBuckets(rate=1, burst=1, capacity=2)
    for key in ("a", "b", "c"):
        assert buckets.take(key, 0.0) is None
    assert buckets.take("b", 0.0) is not None, "b is still remembered (empty)"
    assert buckets.take("a", 0.0) is None, "a was forgotten, so it starts full again"


def test_guesses_sent_all_at_once_are_counted_as_they_arrive_and_a_right_one_costs_nothing() -> None:
    """An attempt is spent before its key is checked: a thousand guesses in flight at once get no
    further than the burst (counting them after their checks would let all of them through)."""
    limits = RequestLimits(
        per_key=TokenBuckets(rate=100, burst=100),
        failures=TokenBuckets(rate=1 / 60, burst=3),
        anonymous=TokenBuckets(rate=100, burst=100),
    )
    guess = Request({"type": "http", "client": ("203.0.113.9", 1), "headers": []})
    let_through = 0
    for _ in range(1000):  # none of them has been checked yet
        try:
            limits.attempt(guess)
            let_through += 1
        except HTTPException as refused:
            assert refused.status_code == 429
    assert let_through == 3
    holder = Request({"type": "http", "client": ("198.51.100.7", 1), "headers": []})
    for _ in range(10):  # right keys, one after another
        limits.attempt(holder)
        limits.succeeded(holder)
