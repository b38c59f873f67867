"""Building blocks for subscription tests: real services, real localstripe."""

from datetime import datetime
from zoneinfo import ZoneInfo

import stripe
from django.conf import settings

from bundles.models import Bundle
from bundles.services import bundle_publish, bundle_set_item, plan_set
from subscriptions.gateways.base import SetupSession
from subscriptions.services import address_add, card_save, card_setup_start, subscriber_ensure
from tests.accounts.factories import UserFactory
from tests.bundles.factories import BundleFactory, ProductFactory

SEOUL = ZoneInfo("Asia/Seoul")
VISA = "4242424242424242"
DECLINING = "4000000000000341"


def seoul(*args: int) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def published_bundle(municipality, *, price_won: int = 39_000, cadences=("monthly", "weekly"), **plan_fields) -> Bundle:
    bundle = BundleFactory(municipality=municipality)
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=20_000)
    bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    for cadence in cadences:
        plan_set(
            bundle=bundle,
            cadence=cadence,
            acting_user=None,
            price_won=price_won,
            shipping_fee_won=3_000,
            prepay_3_discount_bp=300,
            prepay_6_discount_bp=500,
            prepay_12_discount_bp=800,
            **plan_fields,
        )
    return bundle_publish(bundle=bundle, acting_user=None)


def confirm_card_like_stripe_js(gateway, session: SetupSession, number: str = VISA) -> None:
    """What Stripe.js does in the browser: create the card and confirm the SetupIntent with it."""
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}}
    )
    client.v1.setup_intents.confirm(session.setup_id, params={"payment_method": method.id})


def subscriber_with_card(municipality, gateway, *, user=None, number: str = VISA):
    user = user or UserFactory()
    subscriber = subscriber_ensure(municipality=municipality, user=user, name=user.name, phone="010-1234-5678")
    address = address_add(
        subscriber=subscriber,
        recipient=user.name,
        phone="010-1234-5678",
        postcode="52302",
        road_address="경상남도 하동군 하동읍 군청로 23",
        detail="101동 202호",
        memo="문 앞에 놓아 주세요",
    )
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    confirm_card_like_stripe_js(gateway, session, number)
    card = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)
    return subscriber, address, card
