"""Demo subscribers with subscriptions in every state, their cards saved through localstripe,
promo codes with uses and a shipping-support campaign — all through the real services."""

import random
from datetime import timedelta

import stripe
from django.conf import settings
from django.utils import timezone

from bundles.models import Bundle, Plan
from demo.seed.people import person
from demo.seed.tenants import demo_user
from municipalities.models import Municipality
from subscriptions import lifecycle
from subscriptions.gateways.stripe_gateway import StripeGateway
from subscriptions.models import PromoCode, ShippingSupportCampaign, Subscriber, Subscription
from subscriptions.services import address_add, card_save, card_setup_start, subscriber_ensure, subscription_create

SUBSCRIBERS = {"hadong": 240, "namhae": 30}
SOURCES = ["", "", "", "sns-instagram", "banner-hadong-go-kr", "newsletter-2026-11", "portal-naver"]
CANCEL_NOTES = ["", "다음에 다시 구독할게요", "가족이 줄었어요", "", "배송 요일이 맞지 않아요"]


def _confirm_card(session, number: str = "4242424242424242") -> None:
    """What Stripe.js does in the subscriber's browser: create the card and confirm the SetupIntent."""
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    client.v1.setup_intents.confirm(session.setup_id, params={"payment_method": method.id})


def _promos(municipality: Municipality) -> list[PromoCode]:
    now = timezone.now()
    specs = [
        ("WELCOME5000", "첫 상자 5,000원 할인", PromoCode.Kind.FIXED, 5000, 1, None),
        (f"{municipality.slug.upper()}10", "3회까지 10% 할인", PromoCode.Kind.PERCENT, 1000, 3, 150),
    ]
    promos = []
    for code, description, kind, amount, boxes, max_uses in specs:
        promo = PromoCode.objects.for_tenant(municipality).filter(code=code).first()
        if promo is None:
            promo = PromoCode(
                municipality=municipality,
                code=code,
                description=description,
                kind=kind,
                amount=amount,
                boxes=boxes,
                max_uses=max_uses,
                valid_from=now - timedelta(days=60),
                valid_until=now + timedelta(days=120),
            )
            promo.full_clean()
            promo.save()
        promos.append(promo)
    return promos


def _campaign(municipality: Municipality) -> None:
    if ShippingSupportCampaign.objects.for_tenant(municipality).exists():
        return
    today = timezone.localdate()
    campaign = ShippingSupportCampaign(
        municipality=municipality,
        name="2026 하반기 배송비 지원",
        budget_won=3_000_000,
        per_box_cap_won=3_000,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=60),
    )
    campaign.full_clean()
    campaign.save()


def _subscribe(municipality: Municipality, index: int, plans: list[Plan], promos, gateway, rng) -> None:
    p = person(index if municipality.slug == "hadong" else 500 + index)
    user = demo_user(p["email"], p["name"], p["phone"])
    if Subscriber.objects.for_tenant(municipality).filter(user=user, subscriptions__isnull=False).exists():
        return
    subscriber = subscriber_ensure(municipality=municipality, user=user, name=p["name"], phone=p["phone"])
    address = address_add(
        subscriber=subscriber,
        recipient=p["name"],
        phone=p["phone"],
        postcode=p["postcode"],
        road_address=p["road_address"],
        jibun_address=p["jibun_address"],
        detail=p["detail"],
        memo=p["memo"],
    )
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    _confirm_card(session)
    card = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)
    plan = rng.choice(plans)
    term = rng.choices([1, 3, 6, 12], weights=[70, 10, 10, 10])[0]
    term = term if term == 1 or term in plan.offered_terms() else 1
    promo = rng.choice(promos) if rng.random() < 0.25 else None
    sub = subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=term,
        address=address,
        payment_method=card,
        promo_code=promo.code if promo else "",
        source=rng.choice(SOURCES),
        acting_user=user,
    )
    fate = rng.random()
    if fate < 0.10:
        until = timezone.localdate() + timedelta(days=rng.choice([14, 30, 45]))
        lifecycle.subscription_pause(
            subscription=sub, until=until if rng.random() < 0.7 else None, acting_user=user, reason="여행 중이에요"
        )
    elif fate < 0.18:
        lifecycle.subscription_skip(subscription=sub, acting_user=user)
    elif fate < 0.30:
        lifecycle.subscription_cancel(
            subscription=sub,
            reason=rng.choice(Subscription.CancelReason.values),
            note=rng.choice(CANCEL_NOTES),
            acting_user=user,
        )


def seed_subscriptions(progress=None) -> None:
    gateway = StripeGateway()
    for slug, count in SUBSCRIBERS.items():
        municipality = Municipality.objects.get(slug=slug)
        plans = list(
            Plan.objects.for_tenant(municipality)
            .filter(is_active=True, bundle__status=Bundle.Status.PUBLISHED)
            .select_related("bundle")
            .order_by("pk")
        )
        promos = _promos(municipality)
        _campaign(municipality)
        rng = random.Random(f"{slug}-subscriptions")
        for index in range(count):
            _subscribe(municipality, index, plans, promos, gateway, rng)
            if progress:
                progress(slug, index + 1, count)
