import pytest
import time_machine

from settlement.ledger import ledger_post_pending
from settlement.period_calendar import period_for
from settlement.reconciliation import OrderDifference, period_reconcile
from subscriptions.billing.refunds import order_refund
from tests.settlement.helpers import IN_NOVEMBER, paid_orders, two_merchant_bundle
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


def test_payments_and_refunds_the_ledger_has_not_seen_are_listed_by_order(municipality, stripe_gateway):
    # given two paid orders the ledger has posted, then a refund it has not
    first, second = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    november = period_for(municipality, seoul(2026, 11, 10))
    with time_machine.travel(IN_NOVEMBER, tick=False):
        before_posting = period_reconcile(period=november)
        ledger_post_pending(municipality=municipality)
        posted = period_reconcile(period=november)
        order_refund(order=second, amount_won=3_000, reason="지연", acting_user=None, gateway=stripe_gateway)
        # when
        report = period_reconcile(period=november)
    # then
    assert before_posting.orders == [
        OrderDifference(order_id=first.pk, ledger_won=0, gateway_won=42_000),
        OrderDifference(order_id=second.pk, ledger_won=0, gateway_won=42_000),
    ]
    assert before_posting.difference_won == 84_000
    assert posted.balanced and posted.difference_won == 0
    assert report.orders == [OrderDifference(order_id=second.pk, ledger_won=42_000, gateway_won=39_000)]
    assert report.orders[0].difference_won == 3_000
    assert report.difference_won == -3_000
    assert not report.balanced
    # and once the refund is posted, everything matches again
    with time_machine.travel(IN_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
    assert period_reconcile(period=november).balanced


def test_the_report_adds_up_the_ledger_accounts(municipality, stripe_gateway):
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    november = period_for(municipality, seoul(2026, 11, 10))
    with time_machine.travel(IN_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
    report = period_reconcile(period=november)
    # 42,000 captured = 29,000 merchants + 8,614 commission + 1,386 card fee + 3,000 shipping
    assert (report.captured_won, report.refunded_won) == (42_000, 0)
    assert (report.merchant_payable_won, report.commission_won) == (29_000, 8_614)
    assert (report.card_fees_won, report.shipping_won) == (1_386, 3_000)
    assert report.allocated_won == 42_000


def test_a_payment_taken_twice_balances_once_the_second_is_given_back(
    client, municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    from subscriptions.billing import returns
    from subscriptions.models import PaymentReturn
    from tests.subscriptions.billing_helpers import closed_order
    from tests.subscriptions.test_payment_returns import _paid_twice, _success_event
    from tests.subscriptions.test_webhooks import post

    # given: an order paid by its second attempt, and the first attempt's payment found late
    order = closed_order(municipality, stripe_gateway)
    first, lost_payment = _paid_twice(order, stripe_gateway)
    with django_capture_on_commit_callbacks(execute=False):
        post(client, _success_event(first, lost_payment))
    november = period_for(municipality, seoul(2026, 11, 10))
    with time_machine.travel(IN_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
        # then: while the money is still held, the order shows the second payment as a difference
        assert period_reconcile(period=november).orders == [
            OrderDifference(order_id=order.pk, ledger_won=42_000, gateway_won=84_000)
        ]
        # when: it is given back
        returns.payment_return_send(return_id=PaymentReturn.objects.get().pk, gateway=stripe_gateway)
        # then
        assert period_reconcile(period=november).balanced
