"""The database store for login limits: fixed windows that every worker and host counts in together."""

from __future__ import annotations

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app import ratelimit_store


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_two_stores_on_one_database_share_each_window(app, database_url, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit_store.time, "time", clock)
    host_a = storage_from_string(f"tsunagi+{database_url}")
    host_b = storage_from_string(f"tsunagi+{database_url}")
    assert isinstance(host_a, ratelimit_store.DatabaseStorage) and host_a.check()
    assert [host_a.incr("login|cw", 60), host_b.incr("login|cw", 60), host_a.incr("login|cw", 60)] == [1, 2, 3]
    assert host_b.get("login|cw") == 3 and host_b.get_expiry("login|cw") == clock.now + 60
    assert host_a.incr("login|lead", 60) == 1  # keys count apart
    clock.now += 61  # the window ended: counting starts again
    assert host_b.get("login|cw") == 0
    assert host_b.incr("login|cw", 60) == 1 and host_a.get_expiry("login|cw") == clock.now + 60
    host_a.clear("login|cw")
    assert host_b.get("login|cw") == 0


def test_the_fixed_window_limiter_refuses_past_the_limit_on_either_store(app, database_url, monkeypatch):
    monkeypatch.setattr(ratelimit_store.time, "time", Clock())
    limit = parse("3 per minute")
    limiters = [FixedWindowRateLimiter(storage_from_string(f"tsunagi+{database_url}")) for _ in range(2)]
    answers = [limiters[i % 2].hit(limit, "address", "127.0.0.1") for i in range(5)]
    assert answers == [True, True, True, False, False]
