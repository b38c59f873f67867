"""Rate limit on failed coupon lookups, so codes cannot be guessed at a counter or by a script.

A lookup of a well-formed code that matches no coupon counts as a failure against both the partner user
and the client IP; after MAX_FAILURES within WINDOW_SECONDS either is refused until the window ends.
Counters live in the shared cache (Redis in production and tests), as accounts.throttle does for log-in,
so every web process sees the same count. A typo caught by the check character is not counted: it
reveals nothing about which codes exist.
"""

import hashlib

from django.core.cache import cache

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _keys(*, user_id: int, ip: str | None) -> list[str]:
    keys = [f"coupon-lookup-fail:user:{user_id}"]
    if ip:
        keys.append("coupon-lookup-fail:ip:" + hashlib.sha256(ip.encode()).hexdigest()[:32])
    return keys


def lookup_is_throttled(*, user_id: int, ip: str | None) -> bool:
    counts = cache.get_many(_keys(user_id=user_id, ip=ip))
    return any(count >= MAX_FAILURES for count in counts.values())


def lookup_failure_record(*, user_id: int, ip: str | None) -> None:
    for key in _keys(user_id=user_id, ip=ip):
        # add() starts the window on the first failure only; incr() is atomic in Redis.
        if not cache.add(key, 1, timeout=WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, timeout=WINDOW_SECONDS)
