from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.core.management import call_command

from settlement.models import Posting, SettlementPeriod, Statement
from settlement.tasks import ledger_post_pending_task, periods_close_due_task
from tests.settlement.helpers import AFTER_NOVEMBER, paid_orders, two_merchant_bundle
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


@contextmanager
def tasks_inline() -> Iterator[None]:
    """Run .delay() in the calling thread (the test settings point Celery at Redis with no worker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def test_the_hourly_task_posts_and_the_daily_task_closes_on_the_close_day(
    municipality, stripe_gateway, settings, django_capture_on_commit_callbacks
):
    # given paid November orders; periods close on the 5th of the next month
    settings.SETTLEMENT_CLOSE_DAY = 5
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    with tasks_inline():
        # when the hourly task runs
        with time_machine.travel(seoul(2026, 11, 20, 10, 40), tick=False):
            ledger_post_pending_task()
            ledger_post_pending_task()
        # then
        assert Posting.objects.count() == 2
        # when the daily task runs on the 4th, then on the 5th, twice
        with time_machine.travel(seoul(2026, 12, 4, 3, 0), tick=False):
            periods_close_due_task()
        november = SettlementPeriod.objects.get(label="2026-11")
        assert november.status == SettlementPeriod.Status.OPEN
        with time_machine.travel(AFTER_NOVEMBER, tick=False), django_capture_on_commit_callbacks(execute=True):
            periods_close_due_task()
            periods_close_due_task()
    # then it is closed once, and its statements' PDFs are rendered
    november.refresh_from_db()
    assert november.status == SettlementPeriod.Status.CLOSED
    assert november.closed_by is None
    assert Statement.objects.filter(period=november).count() == 2
    assert Statement.objects.filter(period=november, pdf_sha256="").count() == 0


def test_setup_periodic_tasks_registers_the_settlement_schedules():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_periodic_tasks")
    assert PeriodicTask.objects.get(name="settlement-post-pending").task == "settlement.tasks.ledger_post_pending_task"
    assert PeriodicTask.objects.get(name="settlement-close-due").task == "settlement.tasks.periods_close_due_task"
