"""Demo subscribers with subscriptions in every state, their cards saved through localstripe,
promo codes with uses and a shipping-support campaign — all through the real services."""

import random
from datetime import timedelta

import stripe
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from bundles.models import Bundle, Plan
from demo.seed.people import person
from demo.seed.tenants import demo_user
from municipalities.models import Municipality
from subscriptions import clock, lifecycle
from subscriptions.billing import charging
from subscriptions.billing.refunds import order_refund
from subscriptions.billing.run import billing_run
from subscriptions.gateways.stripe_gateway import StripeGateway
from subscriptions.models import Order, PromoCode, ShippingSupportCampaign, Subscriber, Subscription
from subscriptions.services import address_add, card_save, card_setup_start, subscriber_ensure, subscription_create

SUBSCRIBERS = {"hadong": 240, "namhae": 30}
HISTORY_DAYS = 42
VISA = "4242424242424242"
DECLINING = "4000000000000341"
SOURCES = ["", "", "", "sns-instagram", "banner-hadong-go-kr", "newsletter-2026-11", "portal-naver"]
CANCEL_NOTES = ["", "다음에 다시 구독할게요", "가족이 줄었어요", "", "배송 요일이 맞지 않아요"]


def _confirm_card(session, number: str) -> None:
    """What Stripe.js does in the subscriber's browser: create the card and confirm the SetupIntent."""
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    client.v1.setup_intents.confirm(session.setup_id, params={"payment_method": method.id})


def _promos(municipality: Municipality) -> list[PromoCode]:
    now = clock.now()
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
    today = clock.today(municipality.timezone)
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


def _subscribe(municipality: Municipality, index: int, plans: list[Plan], promos, gateway, rng) -> Subscription | None:
    p = person(index if municipality.slug == "hadong" else 500 + index)
    user = demo_user(p["email"], p["name"], p["phone"])
    if Subscriber.objects.for_tenant(municipality).filter(user=user, subscriptions__isnull=False).exists():
        return None
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
    # A few cards are declined at every charge: their boxes go through dunning in the history.
    card = _new_card(subscriber, gateway, DECLINING if rng.random() < 0.06 else VISA)
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
        until = clock.today() + timedelta(days=rng.choice([14, 30, 60]))
        lifecycle.subscription_pause(
            subscription=sub, until=until if rng.random() < 0.7 else None, acting_user=user, reason="여행 중이에요"
        )
    elif fate < 0.18:
        lifecycle.subscription_skip(subscription=sub, acting_user=user)
    elif fate < 0.26:
        lifecycle.subscription_cancel(
            subscription=sub,
            reason=rng.choice(Subscription.CancelReason.values),
            note=rng.choice(CANCEL_NOTES),
            acting_user=user,
        )
    return sub


def _new_card(subscriber: Subscriber, gateway, number: str):
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    _confirm_card(session, number)
    return card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)


def _history(municipality: Municipality, start, gateway, rng, progress) -> None:
    """Walk the billing engine day by day from `start` to today: cycles close, cards are charged,
    declined cards go through dunning; half of those subscribers put in a new card the next day."""
    days = (timezone.now() - start).days
    decided: dict[int, bool] = {}  # subscription id -> does this subscriber fix the card?
    for day in range(1, days + 1):
        with clock.frozen(start.replace(hour=3) + timedelta(days=day)):
            billing_run(gateway=gateway)
        with clock.frozen(start.replace(hour=12) + timedelta(days=day)):
            failed = (
                Order.objects.for_tenant(municipality)
                .filter(status=Order.Status.FAILED)
                .select_related("subscription__subscriber")
            )
            for order in failed:
                if order.subscription_id in decided:
                    continue  # each subscriber reacts once, to the first failure notice
                decided[order.subscription_id] = rng.random() < 0.5
                if not decided[order.subscription_id]:
                    continue  # never fixed: dunning runs its course and the box is cancelled
                card = _new_card(order.subscription.subscriber, gateway, VISA)
                lifecycle.subscription_change_card(
                    subscription=order.subscription, payment_method=card, acting_user=order.subscription.subscriber.user
                )
                charging.order_retry_now(order=order)
        if progress:
            progress(f"{municipality.slug} 결제", day, days)
    # A few damaged boxes were partly refunded by staff.
    staff = User.objects.filter(memberships__municipality=municipality, memberships__role="finance").first()
    for order in Order.objects.for_tenant(municipality).filter(status=Order.Status.PAID, amount_won__gt=0)[:4]:
        order_refund(
            order=order,
            amount_won=min(order.amount_won, 10_000),
            reason="배송 중 상자 파손",
            acting_user=staff,
            gateway=gateway,
        )


def seed_subscriptions(progress=None) -> None:
    """Subscriptions start six weeks ago, so the demo has six weekly cycles of history."""
    gateway = StripeGateway()
    start = timezone.localtime(timezone.now() - timedelta(days=HISTORY_DAYS)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    for slug, count in SUBSCRIBERS.items():
        municipality = Municipality.objects.get(slug=slug)
        if Order.objects.for_tenant(municipality).exists():
            continue  # the history was built by an earlier run
        rng = random.Random(f"{slug}-subscriptions")
        with clock.frozen(start):
            plans = list(
                Plan.objects.for_tenant(municipality)
                .filter(is_active=True, bundle__status=Bundle.Status.PUBLISHED)
                .select_related("bundle")
                .order_by("pk")
            )
            promos = _promos(municipality)
            _campaign(municipality)
            for index in range(count):
                _subscribe(municipality, index, plans, promos, gateway, rng)
                if progress:
                    progress(f"{slug} 구독", index + 1, count)
        _history(municipality, start, gateway, rng, progress)
