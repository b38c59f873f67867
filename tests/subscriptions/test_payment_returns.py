"""A payment that completes after its order stopped waiting for it is given back, once, automatically."""

from datetime import timedelta

import pytest
import stripe
import time_machine
from django.conf import settings
from django.urls import reverse

from subscriptions.billing import charging, returns
from subscriptions.gateways.stripe_gateway import StripeGateway
from subscriptions.models import Order, PaymentAttempt, PaymentReturn
from tests.notifications.helpers import tasks_run_inline
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, intents_for
from tests.subscriptions.test_webhooks import intent_event, post

pytestmark = pytest.mark.django_db


class SearchNotCaughtUp(StripeGateway):
    """Stripe's search is eventually consistent ("data … can be up to a minute old", docs.stripe.com/search):
    a payment made a moment ago may not be found yet. localstripe's search is immediate, so this gateway
    answers the one lookup as Stripe can during that minute; every other call goes to localstripe."""

    def charge_find(self, *, reference: str, customer_id: str):
        return None


def _refunded(payment_id: str) -> int:
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    charge = client.v1.payment_intents.retrieve(payment_id).charges.data[0]
    return charge.amount_refunded


def _paid_twice(order, gateway) -> tuple[PaymentAttempt, str]:
    """The worker died after the gateway took the money and reconciliation could not see it yet, so the
    order was charged again and paid by a second attempt. Returns the first attempt and its payment."""
    with time_machine.travel(CHARGE_TIME, tick=False):
        first = charging._attempt_start(order.pk, now=CHARGE_TIME)
        sub = order.subscription
        gateway.charge(
            customer_id=sub.subscriber.gateway_customer_id,
            method_id=sub.payment_method.gateway_method_id,
            amount_won=first.amount_won,
            idempotency_key=first.idempotency_key,
            reference=first.idempotency_key,
        )
    with time_machine.travel(CHARGE_TIME + timedelta(minutes=15), tick=False):
        charging.attempts_reconcile(gateway=SearchNotCaughtUp())
        charging.order_charge(order_id=order.pk, gateway=gateway)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and len(intents_for(order)) == 2
    return first, next(i.id for i in intents_for(order) if i.metadata["ref"] == first.idempotency_key)


def _success_event(first: PaymentAttempt, payment_id: str) -> dict:
    return intent_event("evt_lost", "payment_intent.succeeded", payment_id, metadata={"ref": first.idempotency_key})


def test_a_lost_payment_found_after_the_order_was_paid_again_is_returned(
    client, municipality, stripe_gateway, staff_admin, django_capture_on_commit_callbacks
):
    # given
    order = closed_order(municipality, stripe_gateway)
    first, lost_payment = _paid_twice(order, stripe_gateway)
    kept_payment = PaymentAttempt.objects.get(order=order, number=2).payment_id
    # when: Stripe's webhook for the first payment arrives (twice, as webhooks may)
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        assert post(client, _success_event(first, lost_payment)).status_code == 200
        assert post(client, _success_event(first, lost_payment)).status_code == 200
    # then: the first payment is given back in full, once; the order stays paid by the second
    payment_return = PaymentReturn.objects.get()
    assert payment_return.attempt_id == first.pk and payment_return.status == PaymentReturn.Status.SUCCEEDED
    assert payment_return.amount_won == first.amount_won == 42_000
    assert _refunded(lost_payment) == 42_000 and _refunded(kept_payment) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.refunded_won == 0
    # and sending it again (a repeated task, the sweep) refunds nothing more
    returns.payment_return_send(return_id=payment_return.pk, gateway=stripe_gateway)
    assert returns.returns_send_pending(gateway=stripe_gateway) == 0
    assert _refunded(lost_payment) == 42_000
    # and staff see it on the order
    client.force_login(staff_admin)
    page = client.get(
        reverse("subscriptions:staff-order", kwargs={"municipality_slug": municipality.slug, "order_id": order.pk})
    )
    assert "자동 환불: 42,000원 (환불 완료)" in page.content.decode()


def test_a_return_the_gateway_could_not_take_is_sent_again_by_the_sweep(
    client, municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    # given: a return opened while its task is lost (never run)
    order = closed_order(municipality, stripe_gateway)
    first, lost_payment = _paid_twice(order, stripe_gateway)
    with django_capture_on_commit_callbacks(execute=False):
        post(client, _success_event(first, lost_payment))
    payment_return = PaymentReturn.objects.get()
    # when: the gateway cannot be reached, then the sweep runs with it back
    unreachable = StripeGateway()
    unreachable.client = stripe.StripeClient(
        api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": "http://127.0.0.1:9"}, max_network_retries=0
    )
    failed = returns.payment_return_send(return_id=payment_return.pk, gateway=unreachable)
    assert failed.status == PaymentReturn.Status.FAILED and failed.error
    assert _refunded(lost_payment) == 0
    assert returns.returns_send_pending(gateway=stripe_gateway) == 1
    # then
    payment_return.refresh_from_db()
    assert payment_return.status == PaymentReturn.Status.SUCCEEDED and payment_return.refund_id
    assert _refunded(lost_payment) == 42_000


def test_a_payment_found_late_pays_the_order_it_was_for_when_nothing_else_did(client, municipality, stripe_gateway):
    # given: reconciliation could not see the payment yet and put the order back to be charged
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        first = charging._attempt_start(order.pk, now=CHARGE_TIME)
        sub = order.subscription
        stripe_gateway.charge(
            customer_id=sub.subscriber.gateway_customer_id,
            method_id=sub.payment_method.gateway_method_id,
            amount_won=first.amount_won,
            idempotency_key=first.idempotency_key,
            reference=first.idempotency_key,
        )
    with time_machine.travel(CHARGE_TIME + timedelta(minutes=15), tick=False):
        charging.attempts_reconcile(gateway=SearchNotCaughtUp())
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING
    # when: the payment's webhook arrives before the next charge
    (payment,) = intents_for(order)
    assert post(client, _success_event(first, payment.id)).status_code == 200
    # then: that payment pays the order; nothing is returned and no second charge is made
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PaymentReturn.objects.count() == 0
    with time_machine.travel(CHARGE_TIME + timedelta(minutes=20), tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    assert len(intents_for(order)) == 1
