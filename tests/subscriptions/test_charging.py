import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from notifications.models import Message
from subscriptions.billing import charging
from subscriptions.billing.refunds import RefundNotAllowed, order_refund
from subscriptions.models import Order, PaymentAttempt, Refund, Subscription
from tests.notifications.helpers import tasks_run_inline
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, closed_orders, intents_for

DECLINING = "4000000000000341"


@pytest.mark.django_db
def test_a_due_order_is_charged_once_and_paid(municipality, stripe_gateway):
    # given
    order = closed_order(municipality, stripe_gateway)
    # when: charged, then charged again by a retried task
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # then
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    attempt = PaymentAttempt.objects.get(order=order)
    assert (attempt.number, attempt.idempotency_key, attempt.status) == (1, f"order-{order.pk}-attempt-1", "succeeded")
    intents = intents_for(order)
    assert len(intents) == 1 and intents[0].amount == 42_000 and intents[0].currency == "krw"


@pytest.mark.django_db
def test_prepaid_term_payment_counts_the_remaining_boxes(municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway, term=3)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    subscription = Subscription.objects.get(pk=order.subscription_id)
    assert order.boxes_charged == 3 and subscription.prepaid_boxes_remaining == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_charging_the_same_orders_charge_each_once(municipality, stripe_gateway):
    # given: three orders and two workers given the same chunk
    orders = closed_orders(municipality, stripe_gateway, 3)
    ids = [o.pk for o in orders]
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            with time_machine.travel(CHARGE_TIME, tick=False):
                for order_id in ids:
                    charging.order_charge(order_id=order_id, gateway=stripe_gateway)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then
    for order in orders:
        order.refresh_from_db()
        assert order.status == Order.Status.PAID
        assert PaymentAttempt.objects.filter(order=order).count() == 1
        assert len(intents_for(order)) == 1


@pytest.mark.django_db
def test_a_worker_killed_after_the_gateway_call_is_reconciled_without_a_second_charge(municipality, stripe_gateway):
    # given: the attempt was recorded and the gateway charged, but the worker died before saving the outcome
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        attempt = charging._attempt_start(order.pk, now=CHARGE_TIME)
        sub = order.subscription
        stripe_gateway.charge(
            customer_id=sub.subscriber.gateway_customer_id,
            method_id=sub.payment_method.gateway_method_id,
            amount_won=attempt.amount_won,
            idempotency_key=attempt.idempotency_key,
            reference=attempt.idempotency_key,
        )
        # a retried task finds the order in flight and does nothing
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # when
    with time_machine.travel(CHARGE_TIME + timedelta(minutes=15), tick=False):
        settled = charging.attempts_reconcile(gateway=stripe_gateway)
    # then
    order.refresh_from_db()
    assert settled == 1 and order.status == Order.Status.PAID
    assert PaymentAttempt.objects.filter(order=order).count() == 1
    assert len(intents_for(order)) == 1


@pytest.mark.django_db
def test_an_attempt_that_never_reached_the_gateway_is_closed_and_charged_anew(municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging._attempt_start(order.pk, now=CHARGE_TIME)  # died before calling
    with time_machine.travel(CHARGE_TIME + timedelta(minutes=15), tick=False):
        charging.attempts_reconcile(gateway=stripe_gateway)
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert list(PaymentAttempt.objects.filter(order=order).values_list("status", flat=True)) == ["failed", "succeeded"]
    assert len(intents_for(order)) == 1


@pytest.mark.django_db
def test_declined_card_follows_dunning_then_cancels_the_box(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    # given
    order = closed_order(municipality, stripe_gateway, number=DECLINING)
    # when: the first charge and the +1, +3, +5 day retries all decline
    moments = [CHARGE_TIME + timedelta(days=d, minutes=1) for d in (0, 1, 3, 5)]
    expected_retries = [moments[0] + timedelta(days=d) for d in (1, 3, 5)]  # counted from the first failure
    for index, moment in enumerate(moments):
        with (
            tasks_run_inline(),
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        order.refresh_from_db()
        if index < 3:
            assert order.status == Order.Status.FAILED and order.failure_code == "card_declined"
            assert abs((order.next_retry_at - expected_retries[index]).total_seconds()) < 5
    # then
    assert order.status == Order.Status.CANCELED
    assert PaymentAttempt.objects.filter(order=order).count() == 4
    sub = Subscription.objects.get(pk=order.subscription_id)
    assert sub.status == Subscription.Status.PAST_DUE
    assert len(mail.outbox) == 4
    assert "결제에 실패했습니다" in mail.outbox[0].subject and "취소" in mail.outbox[-1].subject
    # each notice also went to the phone, once per failed attempt
    assert sorted(Message.objects.filter(channel="sms").values_list("event_key", "status")) == [
        (f"order-{order.pk}-attempt-1-failed", "sent"),
        (f"order-{order.pk}-attempt-2-failed", "sent"),
        (f"order-{order.pk}-attempt-3-failed", "sent"),
        (f"order-{order.pk}-canceled", "sent"),
    ]


@pytest.mark.django_db
def test_a_retry_before_its_time_charges_nothing(municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway, number=DECLINING)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    assert PaymentAttempt.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_refunds_never_exceed_what_was_paid(municipality, stripe_gateway, staff_admin):
    # given: a paid ₩42,000 order
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    order.refresh_from_db()
    # when: ₩30,000 for a damaged box, then ₩12,001 more
    order_refund(order=order, amount_won=30_000, reason="상자 파손", acting_user=staff_admin, gateway=stripe_gateway)
    with pytest.raises(RefundNotAllowed, match="12,000원"):
        order_refund(order=order, amount_won=12_001, reason="추가", acting_user=staff_admin, gateway=stripe_gateway)
    order_refund(order=order, amount_won=12_000, reason="전액", acting_user=staff_admin, gateway=stripe_gateway)
    # then
    order.refresh_from_db()
    assert order.refunded_won == 42_000
    assert list(Refund.objects.values_list("amount_won", "status")) == [(30_000, "succeeded"), (12_000, "succeeded")]
    with pytest.raises(RefundNotAllowed):
        order_refund(order=order, amount_won=1, reason="또", acting_user=staff_admin, gateway=stripe_gateway)


@pytest.mark.django_db
def test_the_attempt_records_the_card_it_charged(municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway)
    card = order.subscription.payment_method
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    assert PaymentAttempt.objects.get(order=order).payment_method == card


@pytest.mark.django_db
def test_a_box_cancelled_after_dunning_gives_its_shipping_support_back(municipality, stripe_gateway):
    # given: a ₩3,000-per-box campaign paid part of a box's shipping at cycle close, and the card declines
    from django.utils import timezone

    from subscriptions.models import ShippingSupportCampaign, ShippingSupportDraw

    with time_machine.travel(CHARGE_TIME - timedelta(days=2), tick=False):
        today = timezone.localdate()
        ShippingSupportCampaign.objects.create(
            municipality=municipality,
            name="배송비 지원",
            budget_won=10_000,
            per_box_cap_won=3_000,
            starts_on=today,
            ends_on=today + timedelta(30),
        )
    order = closed_order(municipality, stripe_gateway, number=DECLINING)
    assert order.shipping_support_won == 3_000
    assert ShippingSupportCampaign.objects.get().spent_won == 3_000
    # when: every retry declines and the box is cancelled
    for days in (0, 1, 3, 5):
        with time_machine.travel(CHARGE_TIME + timedelta(days=days, minutes=1), tick=False):
            charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # then: the budget can pay another box's shipping; the order keeps what it would have cost
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELED and order.shipping_support_won == 3_000
    assert ShippingSupportCampaign.objects.get().spent_won == 0
    assert not ShippingSupportDraw.objects.exists()
