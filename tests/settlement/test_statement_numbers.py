import threading

import pytest
import time_machine
from django.db import connection

from settlement.ledger import ledger_post_pending
from settlement.models import Posting, SettlementPeriod, Statement
from settlement.period_calendar import period_for
from settlement.periods import PeriodCloseError, period_close
from subscriptions.billing.refunds import order_refund
from tests.settlement.helpers import AFTER_DECEMBER, close_and_charge, subscribe, two_merchant_bundle
from tests.subscriptions.helpers import seoul


@pytest.mark.django_db(transaction=True)
def test_statement_numbers_have_no_gaps_under_concurrent_closes(municipality, other_municipality, stripe_gateway):
    # given November with six merchants' sales and December with an adjustment, both ready to close,
    # and another municipality's November (its numbers are its own sequence)
    bundles = [two_merchant_bundle(municipality) for _ in range(3)]
    close_and_charge(
        stripe_gateway, [subscribe(other_municipality, stripe_gateway, two_merchant_bundle(other_municipality))]
    )
    orders = close_and_charge(stripe_gateway, [subscribe(municipality, stripe_gateway, bundle) for bundle in bundles])
    with time_machine.travel(seoul(2026, 12, 10, 11, 0), tick=False):
        order_refund(order=orders[0], amount_won=1_000, reason="지연", acting_user=None, gateway=stripe_gateway)
        ledger_post_pending(municipality=municipality)
    periods = [
        period_for(other_municipality, seoul(2026, 11, 10)),
        period_for(municipality, seoul(2026, 11, 10)),
        period_for(municipality, seoul(2026, 12, 10)),
    ]
    outcomes: list = []
    start = threading.Barrier(3)

    def close_all() -> None:
        try:
            start.wait()
            for period in periods:
                try:
                    outcomes.append(period_close(period=period, acting_user=None))
                except PeriodCloseError as error:  # December before November: tried again below
                    outcomes.append(error)
        finally:
            connection.close()

    # when three workers close both months at the same moment
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        workers = [threading.Thread(target=close_all) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        for period in periods:
            period_close(period=period, acting_user=None)
    # then each month was stated once, and the numbers run 1, 2, 3, … without a gap or a repeat
    assert all(p.status == SettlementPeriod.Status.CLOSED for p in SettlementPeriod.objects.all())
    numbers = list(Statement.objects.for_tenant(municipality).order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, 6 + 2 + 1))
    assert Statement.objects.filter(period=periods[1]).count() == 6
    assert Statement.objects.filter(period=periods[2]).count() == 2
    other_numbers = Statement.objects.for_tenant(other_municipality).order_by("number").values_list("number", flat=True)
    assert list(other_numbers) == [1, 2]
    assert sum(1 for outcome in outcomes if not isinstance(outcome, Exception) and not outcome.already_closed) >= 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_posting_at_once_post_each_event_once(municipality, stripe_gateway):
    # given paid orders and a refund nobody has posted
    orders = close_and_charge(
        stripe_gateway, [subscribe(municipality, stripe_gateway, two_merchant_bundle(municipality)) for _ in range(3)]
    )
    with time_machine.travel(seoul(2026, 11, 20, 10, 0), tick=False):
        order_refund(order=orders[0], amount_won=1_000, reason="지연", acting_user=None, gateway=stripe_gateway)
    counts: list[int] = []
    start = threading.Barrier(2)

    def post() -> None:
        try:
            start.wait()
            counts.append(ledger_post_pending(municipality=municipality))
        finally:
            connection.close()

    # when
    with time_machine.travel(seoul(2026, 11, 20, 11, 0), tick=False):
        workers = [threading.Thread(target=post) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    # then one worker posted everything, the other found nothing left
    assert sorted(counts) == [0, 4]
    assert Posting.objects.count() == 4
