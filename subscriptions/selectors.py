"""Reads of subscriptions, always scoped to a municipality and, for subscribers, to their own records."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Count, DateField, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek

from accounts.models import User
from bundles.models import Bundle
from municipalities.models import Municipality
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions.models import (
    Address,
    Order,
    PaymentAttempt,
    PaymentMethod,
    PromoCode,
    PromoRedemption,
    Refund,
    ShippingSupportCampaign,
    ShippingSupportDraw,
    SkippedCycle,
    Subscriber,
    Subscription,
    SubscriptionEvent,
)


def subscriber_for_user(*, municipality: Municipality, user: User) -> Subscriber | None:
    if not user.is_authenticated:
        return None
    return Subscriber.objects.for_tenant(municipality).filter(user=user).first()


def my_subscriptions(*, municipality: Municipality, user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_tenant(municipality)
        .filter(subscriber__user=user)
        .select_related("bundle", "plan", "address", "payment_method", "first_cycle")
        .order_by("status", "-created_at")
    )


def my_subscription(*, municipality: Municipality, user: User, subscription_id: int) -> Subscription:
    """One of the signed-in user's subscriptions; someone else's (or another tenant's) is a 404."""
    return get_for_tenant_or_404(
        my_subscriptions(municipality=municipality, user=user).prefetch_related(
            Prefetch("skips", queryset=SkippedCycle.objects.select_related("cycle").order_by("cycle__ship_date"))
        ),
        municipality=municipality,
        pk=subscription_id,
    )


def my_addresses(*, subscriber: Subscriber) -> QuerySet[Address]:
    return Address.objects.filter(subscriber=subscriber).order_by("-is_default", "-created_at")


def my_cards(*, subscriber: Subscriber) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.filter(subscriber=subscriber).order_by("-is_default", "-created_at")


def staff_subscriptions(*, municipality: Municipality) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_tenant(municipality)
        .select_related("subscriber", "bundle", "plan")
        .order_by("-created_at")
    )


def staff_subscription(*, municipality: Municipality, subscription_id: int) -> Subscription:
    return get_for_tenant_or_404(
        Subscription.objects.select_related("subscriber__user", "bundle", "plan", "address", "payment_method"),
        municipality=municipality,
        pk=subscription_id,
    )


def subscription_events(*, subscription: Subscription) -> QuerySet[SubscriptionEvent]:
    return SubscriptionEvent.objects.filter(subscription=subscription).select_related("actor", "effective_cycle")


# --- Staff: counts, promo codes, shipping support ------------------------------------------------------------
def subscription_status_counts(*, municipality: Municipality) -> dict[str, int]:
    """How many of this municipality's subscriptions are in each status, in one aggregate query."""
    return Subscription.objects.for_tenant(municipality).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Subscription.Status.values}
    )


def subscription_dashboard_stats(*, municipality: Municipality, since: datetime, top_reasons: int = 3) -> dict:
    """The dashboard widget's numbers: subscriptions per status, new and cancelled ones since `since`, and
    the most frequent cancel reasons among those cancellations (two queries)."""
    subscriptions = Subscription.objects.for_tenant(municipality)
    counts = subscriptions.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Subscription.Status.values},
        new=Count("pk", filter=Q(created_at__gte=since)),
        canceled_recently=Count("pk", filter=Q(status=Subscription.Status.CANCELED, canceled_at__gte=since)),
    )
    reasons = (
        subscriptions.filter(status=Subscription.Status.CANCELED, canceled_at__gte=since)
        .exclude(cancel_reason="")
        .values("cancel_reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "cancel_reason")[:top_reasons]
    )
    labels = dict(Subscription.CancelReason.choices)
    return {
        "status_counts": {status: counts[status] for status in Subscription.Status.values},
        "new": counts["new"],
        "canceled_recently": counts["canceled_recently"],
        "top_cancel_reasons": [(labels.get(row["cancel_reason"], "-"), row["count"]) for row in reasons],
    }


def subscription_orders(*, subscription: Subscription) -> QuerySet[Order]:
    """The subscription's orders, newest cycle first, with their payment attempts and refunds (3 queries)."""
    return (
        Order.objects.filter(subscription=subscription)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("attempts", queryset=PaymentAttempt.objects.order_by("number")),
            Prefetch("refunds", queryset=Refund.objects.select_related("actor").order_by("created_at", "pk")),
        )
        .order_by("-cycle__ship_date", "-pk")
    )


def bundle_names(*, municipality: Municipality, bundle_ids: set[int]) -> dict[int, str]:
    if not bundle_ids:
        return {}
    return dict(Bundle.objects.for_tenant(municipality).filter(pk__in=bundle_ids).values_list("pk", "name"))


def staff_promo_codes(*, municipality: Municipality) -> QuerySet[PromoCode]:
    return PromoCode.objects.for_tenant(municipality).order_by("-created_at", "-pk")


def staff_promo_code(*, municipality: Municipality, promo_id: int) -> PromoCode:
    return get_for_tenant_or_404(PromoCode.objects.all(), municipality=municipality, pk=promo_id)


def promo_redemptions(*, promo: PromoCode) -> QuerySet[PromoRedemption]:
    return (
        PromoRedemption.objects.filter(promo_code=promo)
        .select_related("subscriber", "subscription")
        .order_by("-created_at", "-pk")
    )


def staff_support_campaigns(*, municipality: Municipality) -> QuerySet[ShippingSupportCampaign]:
    return (
        ShippingSupportCampaign.objects.for_tenant(municipality)
        .select_related("municipality")
        .order_by("-ends_on", "-pk")
    )


FORECAST_WINDOW_DAYS = 14
LOW_BUDGET_SHARE = Decimal("0.10")


def support_campaign_forecast(*, campaign: ShippingSupportCampaign, today: date) -> dict:
    """When will the campaign's budget run out at the pace of the last 14 days?

    The window is `today` and the 13 days before it (local dates of the municipality), but never earlier
    than the campaign's start, so a campaign a few days old is not averaged over days it did not run.
    The exhaustion date is the first day on which the remaining budget is used up if every day from
    tomorrow spends the daily average: today + ceil(remaining / average), computed in integers so it is
    exact. Returns remaining_won, spent_in_window_won, window_days, daily_average_won (Decimal, exact to
    0.01 won), projected_exhaustion_on (None when nothing was spent or nothing remains), exhausted,
    low_budget (remaining below 10 % of the budget), runs_out_before_end and warn.
    """
    zone = ZoneInfo(campaign.municipality.timezone)
    remaining = campaign.budget_won - campaign.spent_won
    window_start = max(today - timedelta(days=FORECAST_WINDOW_DAYS - 1), campaign.starts_on)
    window_days = max((today - window_start).days + 1, 0)
    spent = 0
    if window_days:
        spent = (
            ShippingSupportDraw.objects.filter(
                campaign=campaign,
                created_at__gte=datetime.combine(window_start, time.min, tzinfo=zone),
                created_at__lt=datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone),
            ).aggregate(total=Sum("amount_won"))["total"]
            or 0
        )
    daily_average = (Decimal(spent) / window_days).quantize(Decimal("0.01")) if window_days else Decimal(0)
    projected = None
    if spent > 0 and remaining > 0:
        days_left = -(-remaining * window_days // spent)  # ceil(remaining / (spent / window_days))
        projected = today + timedelta(days=days_left)
    running = campaign.is_active and today <= campaign.ends_on
    low_budget = remaining < campaign.budget_won * LOW_BUDGET_SHARE
    runs_out_before_end = projected is not None and projected < campaign.ends_on
    return {
        "remaining_won": remaining,
        "spent_in_window_won": spent,
        "window_days": window_days,
        "daily_average_won": daily_average,
        "projected_exhaustion_on": projected,
        "exhausted": remaining <= 0,
        "low_budget": low_budget,
        "runs_out_before_end": runs_out_before_end,
        "warn": running and (low_budget or runs_out_before_end),
    }


def support_draws_by_week(*, campaign: ShippingSupportCampaign) -> list[tuple[date, int]]:
    """Won drawn from the campaign per week (Monday of the week in the municipality's time zone, total),
    in one GROUP BY query; weeks without draws between the first and the last are filled with 0."""
    zone = ZoneInfo(campaign.municipality.timezone)
    rows = (
        ShippingSupportDraw.objects.filter(campaign=campaign)
        .annotate(week=TruncWeek("created_at", tzinfo=zone, output_field=DateField()))
        .values("week")
        .annotate(total=Sum("amount_won"))
        .order_by("week")
    )
    totals = {row["week"]: row["total"] for row in rows}
    if not totals:
        return []
    week, last = min(totals), max(totals)
    weeks: list[tuple[date, int]] = []
    while week <= last:
        weeks.append((week, totals.get(week, 0)))
        week += timedelta(weeks=1)
    return weeks


def subscription_by_checkout_token(
    *, municipality: Municipality, user: User, token: UUID | None
) -> Subscription | None:
    """The subscription a checkout page already made, if that page is submitted again."""
    if token is None or not user.is_authenticated:
        return None
    return Subscription.objects.for_tenant(municipality).filter(subscriber__user=user, checkout_token=token).first()
