import hashlib
import hmac
import json
import time

import stripe
import time_machine
from django.conf import settings

from subscriptions.billing.close import cycle_close
from subscriptions.models import Order
from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, seoul, subscriber_with_card

BEFORE = seoul(2026, 11, 15, 10, 0)  # weekly cycle: cutoff 11-16 00:00, charge 02:00, ships 11-19
CHARGE_TIME = seoul(2026, 11, 16, 2, 5)


def closed_orders(municipality, gateway, count: int, *, number: str = "4242424242424242", term: int = 1) -> list[Order]:
    """`count` weekly subscriptions made before the cutoff, and the cycle closed: their orders, due now."""
    with time_machine.travel(BEFORE, tick=False):
        plan = published_bundle(municipality, cadences=("weekly",)).plans.get()
        subs = []
        for _ in range(count):
            subscriber, address, card = subscriber_with_card(municipality, gateway, number=number)
            subs.append(
                subscription_create(
                    subscriber=subscriber,
                    plan=plan,
                    term_boxes=term,
                    address=address,
                    payment_method=card,
                    acting_user=subscriber.user,
                )
            )
    with time_machine.travel(CHARGE_TIME, tick=False):
        cycle_close(cycle_id=subs[0].first_cycle_id)
    return list(Order.objects.filter(subscription__in=subs).order_by("pk"))


def closed_order(municipality, gateway, *, number: str = "4242424242424242", term: int = 1) -> Order:
    return closed_orders(municipality, gateway, 1, number=number, term=term)[0]


def intents_for(order: Order) -> list:
    """Every PaymentIntent localstripe holds for this order (by our reference in metadata)."""
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    prefix = f"order-{order.pk}-attempt-"
    return [
        intent
        for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter()
        if "ref" in intent.metadata and intent.metadata["ref"].startswith(prefix)
    ]


def signed(payload: dict, *, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header (https://docs.stripe.com/webhooks#verify-manually)."""
    body = json.dumps(payload).encode()
    timestamp = timestamp or int(time.time())
    mac = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={mac}"
