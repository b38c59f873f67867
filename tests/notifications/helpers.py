"""Helpers for tests that send notifications."""

from collections.abc import Iterator
from contextlib import contextmanager

from notifications.services import Recipient


@contextmanager
def tasks_run_inline() -> Iterator[None]:
    """Run Celery tasks in the calling thread, as a deployment without a broker does.

    The test settings point Celery at Redis (so the worker tests are real); with no worker running, a
    test that wants to see the message actually sent (mail.outbox, status "sent") runs them inline.
    """
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def recipient_for(user) -> Recipient:
    return Recipient(user_id=user.pk, name=user.name, email=user.email, phone=user.phone)


def people(count: int) -> list:
    """`count` accounts in one insert (no password hashing: these never log in)."""
    from accounts.models import User

    start = User.objects.count()
    return User.objects.bulk_create(
        User(email=f"reader{start + n}@example.kr", name="김하동", phone=f"010-2000-{n:04d}", password="!")
        for n in range(count)
    )
