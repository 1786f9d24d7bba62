"""One key's burst is cut at its limit and refills with time; other keys are not affected."""

from services.common.ratelimit import TokenBuckets, retry_after


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
