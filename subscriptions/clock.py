"""The one place the subscription and billing code asks what time it is.

Tests move it with time-machine; the demo backfills past cycles inside `clock.frozen(at)`, so that
cycles, cutoffs, charges and dunning see the past moment while the rest of Django keeps real time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("subscriptions_clock_frozen", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


def today(zone: str | None = None) -> date:
    """Today where the municipality is (default the site's zone, Asia/Seoul). Never `now().date()`: that is
    the UTC date, still yesterday in Korea from 00:00 to 09:00."""
    return timezone.localdate(now(), ZoneInfo(zone or settings.TIME_ZONE))


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
