"""The one place the subscription and billing code asks what time it is.

Tests move it with time-machine; the demo backfills past cycles inside `clock.frozen(at)`, so that
cycles, cutoffs, charges and dunning see the past moment while the rest of Django keeps real time.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("subscriptions_clock_frozen", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    token = _frozen.set(at)
    try:
        yield
    finally:
        _frozen.reset(token)
