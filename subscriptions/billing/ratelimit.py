"""A rate limit shared by every worker, kept in Redis: at most `limit` gateway calls per second.

Fixed one-second windows (INCR + EXPIRE): simple, atomic in Redis, and good enough to stay under
Stripe's per-second limit (https://docs.stripe.com/rate-limits). Without Redis (the demo runs tasks
in-process) there is a single caller and nothing to share, so no limit is applied.
"""

import time
from functools import cache

import redis
from django.conf import settings


@cache
def _client() -> "redis.Redis | None":
    url = settings.REDIS_URL or settings.CELERY_BROKER_URL
    return redis.Redis.from_url(url) if url.startswith("redis") else None


def acquire(name: str = "gateway", *, limit_per_s: int | None = None) -> None:
    """Block until this caller may make one more call within the shared per-second limit."""
    client = _client()
    if client is None:
        return
    limit = limit_per_s or settings.PAYMENT_RATE_LIMIT_PER_S
    while True:
        now = time.time()
        window = int(now)
        key = f"ratelimit:{name}:{window}"
        count = client.incr(key)
        if count == 1:
            client.expire(key, 2)
        if count <= limit:
            return
        time.sleep(window + 1 - now)
