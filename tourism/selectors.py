"""Reads of the tourism app, each scoped to one municipality.

Lists of many rows are single queries (select_related, or one GROUP BY), so the number of queries of a
page does not grow with its rows.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from bundles.models import Bundle
from municipalities.models import Municipality
from tourism.models import Coupon, Offer, OfferAttachment, Partner, PartnerMember

# An offer's monthly cap counts as "near its end" from this share of it used (in percent).
CAP_NEAR_PERCENT = 80


def coupons_for_shipments(*, municipality: Municipality, shipment_ids: Iterable[int]) -> dict[int, list[Coupon]]:
    """The coupons issued with each of these shipments (the packing slip prints them), in one query."""
    result: dict[int, list[Coupon]] = defaultdict(list)
    coupons = (
        Coupon.objects.for_tenant(municipality)
        .filter(shipment_id__in=list(shipment_ids))
        .select_related("offer__partner")
        .order_by("shipment_id", "offer__partner__name", "pk")
    )
    for coupon in coupons:
        result[coupon.shipment_id].append(coupon)
    return dict(result)


def partner_for_user(*, municipality: Municipality, user) -> Partner | None:
    binding = (
        PartnerMember.objects.for_tenant(municipality)
        .filter(membership__user=user, membership__role="partner")
        .select_related("partner")
        .first()
    )
    return binding.partner if binding else None


def wallet_coupons(*, municipality: Municipality, user, now: datetime) -> list[Coupon]:
    """The user's coupons here: usable ones first, soonest to expire first; then used and expired ones,
    most recent first."""
    coupons = list(
        Coupon.objects.for_tenant(municipality)
        .filter(holder=user)
        .select_related("offer__partner", "redeemed_partner")
        .order_by("expires_at", "pk")
    )
    usable = [c for c in coupons if c.status_at(now) == Coupon.Status.USABLE]
    done = [c for c in coupons if c.status_at(now) != Coupon.Status.USABLE]
    done.sort(key=lambda c: c.redeemed_at or c.expires_at, reverse=True)
    return usable + done


def bundle_offers(*, bundle: Bundle) -> list[OfferAttachment]:
    """The active offers a bundle comes with (box and welcome), partner selected; one query."""
    return list(
        OfferAttachment.objects.filter(
            municipality_id=bundle.municipality_id,
            bundle_id=bundle.pk,
            offer__is_active=True,
            offer__partner__is_active=True,
        )
        .filter(Q(offer__valid_until__isnull=True) | Q(offer__valid_until__gte=timezone.localdate()))
        .select_related("offer__partner")
        .order_by("-is_welcome", "offer__partner__name", "offer__title")
    )


# --- Partner portal ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RedemptionTotals:
    count: int
    reimbursement_won: int


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def day_range(day: date) -> tuple[datetime, datetime]:
    return _day_start(day), _day_start(day + timedelta(days=1))


def month_range(day: date) -> tuple[datetime, datetime]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return _day_start(start), _day_start(end)


def partner_redemptions(*, partner: Partner, start: datetime, end: datetime) -> QuerySet[Coupon]:
    return (
        Coupon.objects.filter(
            municipality_id=partner.municipality_id,
            redeemed_partner=partner,
            redeemed_at__gte=start,
            redeemed_at__lt=end,
        )
        .select_related("offer", "holder", "redeemed_by")
        .order_by("-redeemed_at")
    )


def redemption_totals(queryset: QuerySet[Coupon]) -> RedemptionTotals:
    row = queryset.order_by().aggregate(
        count=Count("pk"), won=Coalesce(Sum("offer__reimbursement_won"), Value(0), output_field=IntegerField())
    )
    return RedemptionTotals(row["count"], row["won"])


def municipality_month_totals(*, municipality: Municipality, now: datetime) -> RedemptionTotals:
    """Redemptions of every partner this calendar month and their reimbursement (the staff widget)."""
    start, end = month_range(timezone.localdate(now))
    return redemption_totals(
        Coupon.objects.for_tenant(municipality).filter(redeemed_at__gte=start, redeemed_at__lt=end)
    )


# --- Staff -----------------------------------------------------------------------------------------------------
def _scalar(queryset: QuerySet, expression) -> Subquery:
    """A correlated subquery giving one aggregate per outer row (0 when there is none): one GROUP BY
    inside the single query of the list, and no row multiplication between separate relations."""
    return Coalesce(
        Subquery(queryset.order_by().values("_group").annotate(v=expression).values("v")[:1]),
        Value(0),
        output_field=IntegerField(),
    )


def staff_partners(*, municipality: Municipality) -> QuerySet[Partner]:
    """Partners with their offer count, coupons issued and redeemed, and reimbursement owed so far."""
    coupons = Coupon.objects.filter(offer__partner=OuterRef("pk")).annotate(_group=F("offer__partner"))
    offers = Offer.objects.filter(partner=OuterRef("pk")).annotate(_group=F("partner"))
    return (
        Partner.objects.for_tenant(municipality)
        .annotate(
            offer_count=_scalar(offers, Count("pk")),
            issued_count=_scalar(coupons, Count("pk")),
            redeemed_count=_scalar(coupons.filter(redeemed_at__isnull=False), Count("pk")),
            reimbursed_won=_scalar(coupons.filter(redeemed_at__isnull=False), Sum("offer__reimbursement_won")),
        )
        .order_by("name")
    )


def staff_offers(*, municipality: Municipality, now: datetime) -> QuerySet[Offer]:
    """Offers with coupons issued and redeemed, this month's redemptions (against the cap) and the number of
    bundles that issue them."""
    start, end = month_range(timezone.localdate(now))
    return (
        Offer.objects.for_tenant(municipality)
        .select_related("partner")
        .annotate(
            issued_count=Count("coupons"),
            redeemed_count=Count("coupons", filter=Q(coupons__redeemed_at__isnull=False)),
            month_redeemed=Count("coupons", filter=Q(coupons__redeemed_at__gte=start, coupons__redeemed_at__lt=end)),
            bundle_count=_scalar(
                OfferAttachment.objects.filter(offer=OuterRef("pk")).annotate(_group=F("offer")), Count("pk")
            ),
        )
        .order_by("partner__name", "title")
    )


def offers_near_cap(*, municipality: Municipality, now: datetime) -> list[Offer]:
    """Active offers with a monthly cap of which at least CAP_NEAR_PERCENT % is used this month."""
    return list(
        staff_offers(municipality=municipality, now=now)
        .filter(is_active=True, monthly_cap__isnull=False)
        .alias(used_times_100=F("month_redeemed") * 100)
        .filter(used_times_100__gte=F("monthly_cap") * CAP_NEAR_PERCENT)
        .order_by("-month_redeemed")
    )


@dataclass(frozen=True)
class MonthBudget:
    month: date
    count: int
    reimbursement_won: int


def budget_by_month(*, municipality: Municipality, months: int, now: datetime) -> list[MonthBudget]:
    """Tourism budget spent: redemptions and their reimbursement per calendar month (Asia/Seoul), the last
    `months` months including this one, months without redemptions as zero. One GROUP BY."""
    this_month = timezone.localdate(now).replace(day=1)
    first = this_month
    for _step in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    _start, end = month_range(this_month)
    rows = (
        Coupon.objects.for_tenant(municipality)
        .filter(redeemed_at__gte=_day_start(first), redeemed_at__lt=end)
        .annotate(month=TruncMonth("redeemed_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(count=Count("pk"), won=Sum("offer__reimbursement_won"))
        .order_by("month")
    )
    found = {
        timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime) else row["month"]: row
        for row in rows
    }
    result = []
    month = first
    while month <= this_month:
        row = found.get(month)
        result.append(MonthBudget(month, row["count"] if row else 0, row["won"] if row else 0))
        month = (month + timedelta(days=32)).replace(day=1)
    return result
