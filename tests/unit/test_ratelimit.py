"""Token buckets (on a fake clock) and the username a log-in request names."""

from __future__ import annotations

import json

import pytest

from corridor.api import ratelimit
from corridor.api.ratelimit import TokenBuckets, login_username


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)  # empty: one token comes in 1/rate seconds
    assert buckets.take("b") == 0.0  # another key has its own bucket
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    clock.now += 60
    assert [buckets.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refilled to the burst, no more
    assert buckets.take("a") > 0


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        TokenBuckets(rate=0, burst=1)
    with pytest.raises(ValueError, match="burst >= 1"):
        TokenBuckets(rate=1, burst=0)


def test_many_keys_do_not_grow_memory_without_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 100)
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=1, clock=clock)
    for n in range(1000):
        buckets.take(f"10.0.{n // 256}.{n % 256}")
        clock.now += 0.001
    assert len(buckets._buckets) <= 100
    # pruning forgets idle (refilled) buckets first: an address that just spent its token keeps its debt
    clock.now += 10
    buckets.take("hot")
    for n in range(50):
        buckets.take(f"new-{n}")
    assert buckets.take("hot") > 0


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"username=Officer&password=x&csrf_token=y", "application/x-www-form-urlencoded", "officer"),
        (json.dumps({"username": " Admin ", "password": "x"}).encode(), "application/json", "admin"),
        (b"password=x", "application/x-www-form-urlencoded", None),
        (b"{not json", "application/json", None),
        (b"[1, 2]", "application/json", None),
        (json.dumps({"username": 5}).encode(), "application/json", None),
        (b"username=officer", "text/plain", None),
        (b"username=\xff\xfe", "application/x-www-form-urlencoded", None),
    ],
)
def test_login_username(body: bytes, content_type: str, expected: str | None) -> None:
    assert login_username(body, content_type) == expected
