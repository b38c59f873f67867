import pytest
import requests
import time_machine
from django.conf import settings

from subscriptions.billing import charging
from subscriptions.models import Order, PaymentAttempt
from subscriptions.services import card_save, card_setup_start
from tests.notifications.helpers import tasks_run_inline
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order
from tests.subscriptions.helpers import confirm_card_like_stripe_js

pytestmark = pytest.mark.django_db
THREE_D_SECURE = "4000002500003155"


def switch_to_3ds_card(order, gateway):
    """Save a 3-D Secure card the way Stripe.js does: confirm, then confirm again after authenticating."""
    import stripe

    from subscriptions import lifecycle

    subscriber = order.subscriber
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    confirm_card_like_stripe_js(gateway, session, THREE_D_SECURE)
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    client.v1.setup_intents.confirm(session.setup_id)
    card = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)
    lifecycle.subscription_change_card(subscription=order.subscription, payment_method=card, acting_user=None)


def authenticate_at_the_bank(gateway, localstripe_url: str, payment_id: str) -> None:
    """What the subscriber's browser does on localstripe's stand-in 3-D Secure page: confirm it."""
    intent = gateway.client.v1.payment_intents.retrieve(payment_id)
    requests.post(
        f"{localstripe_url}/v1/payment_intents/{payment_id}/_authenticate",
        data={"success": "true", "client_secret": intent.client_secret, "key": settings.STRIPE_PUBLISHABLE_KEY},
        timeout=5,
    )


def test_3ds_charge_waits_for_the_subscriber_then_is_paid(
    municipality, stripe_gateway, localstripe_url, django_capture_on_commit_callbacks
):
    from django.core import mail

    # given: an order whose card asks for authentication at every charge
    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    # when: charged off-session
    with (
        tasks_run_inline(),
        time_machine.travel(CHARGE_TIME, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # then: it waits for the subscriber, who is told by e-mail with a deadline
    order.refresh_from_db()
    assert order.status == Order.Status.REQUIRES_ACTION and order.action_deadline is not None
    assert "본인 인증" in mail.outbox[0].subject
    # when: the subscriber authenticates (localstripe's stand-in for the bank's page) and comes back
    attempt = PaymentAttempt.objects.get(order=order)
    authenticate_at_the_bank(stripe_gateway, localstripe_url, attempt.payment_id)
    charging.order_payment_refresh(order_id=order.pk, gateway=stripe_gateway)
    # then
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PaymentAttempt.objects.filter(order=order).count() == 1


def test_3ds_not_completed_in_time_becomes_a_failed_attempt(municipality, stripe_gateway):
    from datetime import timedelta

    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    with time_machine.travel(CHARGE_TIME + timedelta(hours=49), tick=False):
        assert charging.actions_expire(gateway=stripe_gateway) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED and order.failure_code == "authentication_required"
    assert order.next_retry_at is not None


def test_real_stripe_402_authentication_required_is_handled_like_requires_action():
    """Real Stripe refuses an off-session charge that needs 3-D Secure with a 402 CardError
    (code authentication_required, https://docs.stripe.com/payments/3d-secure); localstripe answers 200."""
    import stripe

    from subscriptions.gateways.base import ChargeResult
    from subscriptions.gateways.stripe_gateway import StripeGateway

    error = stripe.CardError(
        "Your card was declined. This transaction requires authentication.",
        param=None,
        code="authentication_required",
        json_body={
            "error": {
                "code": "authentication_required",
                "type": "card_error",
                "payment_intent": {"id": "pi_3ds", "object": "payment_intent", "status": "requires_payment_method"},
            }
        },
    )
    result = StripeGateway._card_error(error)
    assert (result.status, result.payment_id) == (ChargeResult.Status.REQUIRES_ACTION, "pi_3ds")


def test_a_retried_charge_never_starts_a_second_payment_while_3ds_waits(municipality, stripe_gateway, localstripe_url):
    """Regression: a redelivered chunk used to charge an order waiting for 3-D Secure again, and the
    subscriber could then authenticate both payments."""
    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)  # the chunk, redelivered
    attempt = PaymentAttempt.objects.get(order=order)
    authenticate_at_the_bank(stripe_gateway, localstripe_url, attempt.payment_id)
    charging.order_payment_refresh(order_id=order.pk, gateway=stripe_gateway)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PaymentAttempt.objects.filter(order=order).count() == 1


def test_an_expired_3ds_payment_is_cancelled_at_the_gateway(municipality, stripe_gateway):
    from datetime import timedelta

    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    with time_machine.travel(CHARGE_TIME + timedelta(hours=49), tick=False):
        charging.actions_expire(gateway=stripe_gateway)
    attempt = PaymentAttempt.objects.get(order=order)
    assert attempt.status == "failed"
    assert stripe_gateway.client.v1.payment_intents.retrieve(attempt.payment_id).status == "canceled"
