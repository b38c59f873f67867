# ruff: noqa: S608 - the SQL is assembled only from the table name and fixed fragments; every value is a parameter.
"""Issuing coupons: with each box (per shipment) and once when a subscription starts (welcome).

Exactly once, at the database level: the unique constraints (municipality, offer, shipment_id) and
(municipality, offer, subscription_id) for welcome coupons make a second insert of the same coupon a
no-op (`INSERT … ON CONFLICT DO NOTHING RETURNING`), so repeating a call, or two calls racing from two
connections, issues each coupon once and reports only the rows it really made.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from municipalities.models import Municipality
from notifications.services import Recipient, notify_many
from tourism.codes import generate_code
from tourism.models import Coupon, Offer, OfferAttachment

# Rows per INSERT statement: far below SQLite's bound-parameter limit (the demo may run on SQLite).
INSERT_CHUNK = 1000


@dataclass(frozen=True)
class Box:
    """One box leaving for one subscriber: the shipment (delivery), its subscription and bundle, and
    the user who holds the coupons."""

    shipment_id: int
    subscription_id: int
    bundle_id: int
    holder_id: int


def _day_end(day: date) -> datetime:
    """The first moment after `day` ends in the site's time zone (a coupon is good through that day)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def coupon_expiry(*, offer: Offer, issued_at: datetime) -> datetime:
    """When a coupon of `offer` issued at `issued_at` stops being usable: `validity_days` whole days after
    the issue date, or the end of the fixed window, whichever comes first when both are set."""
    ends = []
    if offer.validity_days:
        ends.append(_day_end(timezone.localdate(issued_at) + timedelta(days=offer.validity_days)))
    if offer.valid_until:
        ends.append(_day_end(offer.valid_until))
    return min(ends)


def _issuable(offer: Offer, now: datetime) -> bool:
    return coupon_expiry(offer=offer, issued_at=now) > now


def _issuable_attachments(*, municipality: Municipality, bundle_ids: set[int], welcome: bool, now: datetime):
    today = timezone.localdate(now)
    return (
        OfferAttachment.objects.for_tenant(municipality)
        .filter(
            bundle_id__in=bundle_ids,
            is_welcome=welcome,
            offer__is_active=True,
            offer__partner__is_active=True,
        )
        .filter(Q(offer__valid_until__isnull=True) | Q(offer__valid_until__gte=today))
        .select_related("offer__partner")
    )


def _insert(*, municipality_id: int, rows: list[tuple[int, int, int | None, int, datetime, datetime]]) -> list[tuple]:
    """Insert coupons [(offer_id, holder_id, shipment_id, subscription_id, issued_at, expires_at)];
    return (id, offer_id, holder_id, shipment_id, subscription_id) of those that did not exist yet.

    ON CONFLICT without a target also skips a clash of `code`, which with 95 random bits does not happen
    in practice; the coupon would then simply be issued on the next repeat of the call."""
    table = connection.ops.quote_name(Coupon._meta.db_table)
    made: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, '', '')"] * len(chunk))
            params: list = []
            # The backend's own form of a datetime (SQLite, the demo's database, stores naive UTC text).
            adapt = connection.ops.adapt_datetimefield_value
            for offer_id, holder_id, shipment_id, subscription_id, issued_at, expires_at in chunk:
                params += [municipality_id, offer_id, holder_id, shipment_id, subscription_id]
                params += [generate_code(), adapt(issued_at), adapt(expires_at)]
            cursor.execute(
                f"""
                INSERT INTO {table} (municipality_id, offer_id, holder_id, shipment_id, subscription_id,
                                     code, issued_at, expires_at, redeemed_place, redemption_note)
                VALUES {values}
                ON CONFLICT DO NOTHING
                RETURNING id, offer_id, holder_id, shipment_id, subscription_id
                """,
                params,
            )
            made += cursor.fetchall()
    return made


@transaction.atomic
def coupons_issue_for_boxes(*, municipality: Municipality, boxes: Sequence[Box], now: datetime | None = None) -> int:
    """Issue the coupons of every active offer attached to each box's bundle; return how many were made.

    Set-based: one query for the offers, one INSERT per thousand coupons, one for the holders to tell.
    Safe to repeat: a (shipment, offer) that already has its coupon is skipped by the unique constraint.
    Offers that are inactive, of an inactive partner, or whose fixed window has ended are not issued.
    """
    now = now or timezone.now()
    if not boxes:
        return 0
    offers_by_bundle: dict[int, list[Offer]] = defaultdict(list)
    for attachment in _issuable_attachments(
        municipality=municipality, bundle_ids={box.bundle_id for box in boxes}, welcome=False, now=now
    ):
        if _issuable(attachment.offer, now):
            offers_by_bundle[attachment.bundle_id].append(attachment.offer)
    rows = [
        (offer.pk, box.holder_id, box.shipment_id, box.subscription_id, now, coupon_expiry(offer=offer, issued_at=now))
        for box in boxes
        for offer in offers_by_bundle.get(box.bundle_id, ())
    ]
    if not rows:
        return 0
    made = _insert(municipality_id=municipality.pk, rows=rows)
    offers = {offer.pk: offer for offers in offers_by_bundle.values() for offer in offers}
    _notify_issued(municipality=municipality, made=made, offers=offers, event="shipment", now=now)
    return len(made)


@transaction.atomic
def coupons_issue_welcome(
    *, municipality: Municipality, subscription_id: int, bundle_id: int, holder_id: int, now: datetime | None = None
) -> int:
    """Issue the welcome coupons of `bundle_id` to a subscription that has just started; return how many
    were made. Once per (subscription, offer) whatever the number of calls."""
    now = now or timezone.now()
    offers = {
        attachment.offer.pk: attachment.offer
        for attachment in _issuable_attachments(
            municipality=municipality, bundle_ids={bundle_id}, welcome=True, now=now
        )
        if _issuable(attachment.offer, now)
    }
    if not offers:
        return 0
    rows = [
        (offer.pk, holder_id, None, subscription_id, now, coupon_expiry(offer=offer, issued_at=now))
        for offer in offers.values()
    ]
    made = _insert(municipality_id=municipality.pk, rows=rows)
    _notify_issued(municipality=municipality, made=made, offers=offers, event="welcome", now=now)
    return len(made)


def _notify_issued(
    *, municipality: Municipality, made: list[tuple], offers: dict[int, Offer], event: str, now: datetime
) -> None:
    """One message per holder per issuing event (a box, or a subscription's welcome), naming its offers."""
    if not made:
        return
    by_event: dict[tuple[int, str], list[Offer]] = defaultdict(list)
    for _id, offer_id, holder_id, shipment_id, subscription_id in made:
        key = (
            f"coupon-issued-shipment-{shipment_id}"
            if event == "shipment"
            else f"coupon-issued-welcome-{subscription_id}"
        )
        by_event[(holder_id, key)].append(offers[offer_id])
    holders = {
        user.pk: user
        for user in User.objects.filter(pk__in={holder_id for holder_id, _key in by_event}).only(
            "pk", "name", "email", "phone"
        )
    }
    link = settings.SITE_URL + reverse("tourism:wallet", kwargs={"municipality_slug": municipality.slug})
    messages = []
    for (holder_id, event_key), event_offers in by_event.items():
        user = holders[holder_id]
        expires = min(coupon_expiry(offer=offer, issued_at=now) for offer in event_offers)
        context = {
            "offer": "·".join(offer.title for offer in event_offers),
            "partner": "·".join(dict.fromkeys(offer.partner.name for offer in event_offers)),
            "expires": date_format(timezone.localdate(expires - timedelta(microseconds=1)), "Y년 n월 j일"),
        }
        messages.append((Recipient(user.pk, user.name, user.email, user.phone), event_key, context, link))
    notify_many(municipality=municipality, kind="coupon_issued", messages=messages)
