"""Two showcase kiosks for 하동, campaign links for the tags the demo subscriptions came from, five weeks
of tagged visits, and a handful of subscriptions started from the kiosks' QR codes — through the real
services. Run as often as you like: what exists is left alone."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bundles.models import Bundle, Plan
from kiosk import selectors as kiosk_selectors
from kiosk.models import CampaignLink, Kiosk, SourceVisit
from kiosk.services import campaign_link_create, kiosk_create, source_visit_record
from municipalities.models import Municipality
from subscriptions.models import Address, PaymentMethod, Subscriber, Subscription
from subscriptions.services import subscription_create

VISIT_DAYS = 35
KIOSKS = [
    {
        "name": "시청 1층 구독경제 홍보관",
        "place": "하동군청 1층 로비",
        "orientation": Kiosk.Orientation.LANDSCAPE,
        "selection": Kiosk.Selection.FEATURED,
        "category": "",
        "visits": 140,
        "subscriptions": 4,
    },
    {
        "name": "관광안내소",
        "place": "화개장터 관광안내소",
        "orientation": Kiosk.Orientation.PORTRAIT,
        "selection": Kiosk.Selection.CATEGORY,
        "category": "tea",
        "visits": 90,
        "subscriptions": 2,
    },
]
# The tags demo/seed/subscriptions.py gives some subscriptions, with the links staff made for them.
CAMPAIGNS = [
    ("sns-instagram", "인스타그램 게시물", 420),
    ("banner-hadong-go-kr", "하동군 누리집 배너", 260),
    ("newsletter-2026-11", "11월 군정 소식지", 150),
    ("portal-naver", "네이버 플레이스", 210),
]


def _visits(municipality: Municipality, tag: str, path: str, count: int, rng: random.Random) -> None:
    """`count` visits over the last five weeks, in opening hours, each from its own phone."""
    if SourceVisit.objects.for_tenant(municipality).filter(source=tag).exists():
        return
    now = timezone.now()
    for n in range(count):
        day = now - timedelta(days=rng.randint(0, VISIT_DAYS - 1))
        at = timezone.localtime(day).replace(hour=rng.randint(9, 17), minute=rng.randint(0, 59), second=0)
        source_visit_record(
            municipality=municipality,
            source=tag,
            path=path,
            session_key=f"demo-{tag}-{n}",
            at=min(at, now),
        )


def _kiosk(municipality: Municipality, spec: dict, curator: User | None) -> Kiosk:
    kiosk = Kiosk.objects.for_tenant(municipality).filter(name=spec["name"]).first()
    if kiosk is not None:
        return kiosk
    return kiosk_create(
        municipality=municipality,
        acting_user=curator,
        name=spec["name"],
        place=spec["place"],
        orientation=spec["orientation"],
        selection=spec["selection"],
        category=spec["category"],
        rotation_seconds=10,
        idle_seconds=60,
    )


def _eligible_subscribers(municipality: Municipality) -> list[Subscriber]:
    """Subscribers in good standing with a saved address and a card that pays (not the declining one)."""
    return list(
        Subscriber.objects.for_tenant(municipality)
        .filter(subscriptions__status=Subscription.Status.ACTIVE, payment_methods__last4="4242")
        .filter(addresses__is_default=True)
        .exclude(subscriptions__source__startswith="kiosk-")
        .distinct()
        .order_by("pk")
    )


def _subscribe_from(kiosk: Kiosk, subscribers: list[Subscriber], count: int) -> None:
    """New subscriptions started from the kiosk's QR code, for subscribers who already have an address and a
    card (what a returning customer does at the kiosk: scan, log in, choose their saved card)."""
    tag = kiosk.source_tag
    if Subscription.objects.for_tenant(kiosk.municipality_id).filter(source=tag).exists():
        return
    bundles = kiosk_selectors.kiosk_loop_bundles(kiosk=kiosk)
    plans = list(
        Plan.objects.filter(bundle__in=bundles, is_active=True, bundle__status=Bundle.Status.PUBLISHED).order_by("pk")
    )
    if not plans:
        return
    made = 0
    while subscribers and made < count:
        subscriber = subscribers.pop(0)
        owned = set(Subscription.objects.filter(subscriber=subscriber).values_list("bundle_id", flat=True))
        plan = next((plan for plan in plans[made:] + plans[:made] if plan.bundle_id not in owned), None)
        if plan is None:
            continue
        address = Address.objects.filter(subscriber=subscriber, is_default=True).first()
        card = PaymentMethod.objects.filter(subscriber=subscriber, last4="4242").order_by("-created_at").first()
        subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=1,
            address=address,
            payment_method=card,
            source=tag,
            acting_user=subscriber.user,
        )
        made += 1


@transaction.atomic
def seed_kiosks() -> list[str]:
    """Returns the lines to print: each kiosk's screen URL."""
    hadong = Municipality.objects.get(slug="hadong")
    curator = User.objects.filter(email="curator@hadong.demo").first()
    rng = random.Random("hadong-kiosks")
    subscribers = _eligible_subscribers(hadong)
    lines = []
    for spec in KIOSKS:
        kiosk = _kiosk(hadong, spec, curator)
        bundles = kiosk_selectors.kiosk_loop_bundles(kiosk=kiosk)
        slug = bundles[0].slug if bundles else ""
        path = (
            reverse("subscriptions:checkout", kwargs={"municipality_slug": hadong.slug, "bundle_slug": slug})
            if slug
            else hadong.get_absolute_url()
        )
        _visits(hadong, kiosk.source_tag, path, spec["visits"], rng)
        _subscribe_from(kiosk, subscribers, spec["subscriptions"])
        lines.append(f"  {kiosk.name} ({kiosk.place}): {settings.SITE_URL}{kiosk.get_absolute_url()}")
    for tag, label, visits in CAMPAIGNS:
        if not CampaignLink.objects.for_tenant(hadong).filter(tag=tag).exists():
            campaign_link_create(
                municipality=hadong,
                acting_user=curator,
                label=label,
                target_path=hadong.get_absolute_url(),
                tag=tag,
            )
        _visits(hadong, tag, hadong.get_absolute_url(), visits, rng)
    return lines
