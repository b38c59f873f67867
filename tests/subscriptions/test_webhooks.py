import time

import pytest
import time_machine
from django.urls import reverse

from subscriptions.billing import charging
from subscriptions.models import GatewayEvent, Order, PaymentAttempt
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, signed

pytestmark = pytest.mark.django_db
URL = "/stripe/webhook/"


def intent_event(event_id: str, type_: str, payment_id: str, **obj) -> dict:
    """Shaped like Stripe's published example event (shared/stripe-fixtures), thinned to what we read."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "type": type_,
        "data": {
            "object": {
                "id": payment_id,
                "object": "payment_intent",
                "amount": 42000,
                "currency": "krw",
                "metadata": {},
                **obj,
            }
        },
    }


def post(client, payload, **kwargs):
    body, header = signed(payload, **kwargs)
    return client.post(URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_webhook_url_is_routed():
    assert reverse("stripe-webhook") == URL


def test_forged_signature_is_refused(client):
    response = post(client, intent_event("evt_1", "payment_intent.succeeded", "pi_x"), secret="whsec_wrong")
    assert response.status_code == 400
    assert GatewayEvent.objects.count() == 0


def test_stale_signature_is_refused(client):
    response = post(
        client, intent_event("evt_1", "payment_intent.succeeded", "pi_x"), timestamp=int(time.time()) - 3600
    )
    assert response.status_code == 400
    assert GatewayEvent.objects.count() == 0


def test_a_succeeded_event_pays_an_order_whose_answer_was_lost(client, municipality, stripe_gateway):
    # given: the charge went through but the worker stopped before recording it
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        attempt = charging._attempt_start(order.pk, now=CHARGE_TIME)
    event = intent_event("evt_ok", "payment_intent.succeeded", "pi_lost", metadata={"ref": attempt.idempotency_key})
    # when: the webhook arrives, twice
    first, second = post(client, event), post(client, event)
    # then
    assert (first.status_code, second.status_code) == (200, 200)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert GatewayEvent.objects.count() == 1
    assert PaymentAttempt.objects.get(pk=attempt.pk).payment_id == "pi_lost"


def test_a_late_failure_never_unpays_a_paid_order(client, municipality, stripe_gateway):
    # given: paid synchronously
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    payment_id = PaymentAttempt.objects.get(order=order).payment_id
    # when: an out-of-order failure event for the same payment arrives
    response = post(
        client,
        intent_event(
            "evt_late",
            "payment_intent.payment_failed",
            payment_id,
            last_payment_error={"code": "card_declined", "message": "declined"},
        ),
    )
    # then
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.failure_code == ""


def test_success_after_a_recorded_success_changes_nothing(client, municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    order.refresh_from_db()
    paid_at = order.paid_at
    payment_id = PaymentAttempt.objects.get(order=order).payment_id
    post(client, intent_event("evt_dup", "payment_intent.succeeded", payment_id))
    order.refresh_from_db()
    assert order.paid_at == paid_at


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_a_verifiable_failure_webhook(municipality, stripe_gateway, localstripe_url, live_server):
    """localstripe signs its deliveries like Stripe: register our endpoint, decline a charge, and the
    verified event lands (the synchronous answer already failed the order; the event changes nothing)."""
    import requests

    register = f"{localstripe_url}/_config/webhooks/kkureomi"
    requests.post(
        register,
        timeout=5,
        json={
            "url": live_server.url + URL,
            "secret": "whsec_kkureomi_demo",
            "events": ["payment_intent.payment_failed"],
        },
    )
    try:
        order = closed_order(municipality, stripe_gateway, number="4000000000000341")
        # Charged in real time: localstripe runs in this process and would sign with a travelled clock.
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        for _ in range(100):
            if GatewayEvent.objects.filter(type="payment_intent.payment_failed").exists():
                break
            time.sleep(0.1)
        assert GatewayEvent.objects.filter(type="payment_intent.payment_failed").count() == 1
        order.refresh_from_db()
        assert order.status == Order.Status.FAILED and order.attempts_count == 1
    finally:
        # localstripe cannot delete a webhook: narrow it to an event that never happens.
        requests.post(register, timeout=5, json={"url": live_server.url + URL, "secret": "x", "events": ["none"]})
