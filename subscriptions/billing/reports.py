"""Reads of the staff billing pages: cycles with their order counts, failed payments, recovered revenue.

Each costs the same number of queries for 2 rows or 2,000: counts and sums are conditional aggregates.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncWeek

from municipalities.models import Municipality
from subscriptions.models import DeliveryCycle, Order, PaymentAttempt

CYCLES_EACH_WAY = 8  # per cadence: the last 8 cycles whose cutoff passed and the next 8 still open
CHART_WEEKS = 8
# Attempts the engine closed itself (never reached the card company): not a decline, not a recovery.
NOT_DECLINES = ("not_sent", "rate_limited")
Status = Order.Status


def municipality_zone(municipality: Municipality) -> ZoneInfo:
    return ZoneInfo(municipality.timezone)


# --- Reads of the billing pages ----------------------------------------------------------------------
def _order_counts(prefix: str = "") -> dict:
    """Conditional aggregates over orders (`prefix` = "orders__" from a cycle): one pass, one query."""
    status, amount = f"{prefix}status", f"{prefix}amount_won"
    return {
        "orders_total": Count(f"{prefix}pk"),
        "due_count": Count(f"{prefix}pk", filter=Q(**{f"{amount}__gt": 0})),
        "pending_count": Count(f"{prefix}pk", filter=Q(**{f"{status}__in": [Status.PENDING, Status.CHARGING]})),
        "charging_count": Count(f"{prefix}pk", filter=Q(**{status: Status.CHARGING})),
        "paid_count": Count(f"{prefix}pk", filter=Q(**{status: Status.PAID})),
        "failed_count": Count(f"{prefix}pk", filter=Q(**{status: Status.FAILED})),
        "action_count": Count(f"{prefix}pk", filter=Q(**{status: Status.REQUIRES_ACTION})),
        "canceled_count": Count(f"{prefix}pk", filter=Q(**{status: Status.CANCELED})),
        "charged_won": Coalesce(Sum(amount), 0),
        "paid_won": Coalesce(Sum(amount, filter=Q(**{status: Status.PAID})), 0),
        "refunded_won": Coalesce(Sum(f"{prefix}refunded_won"), 0),
    }


def _recent_and_upcoming(municipality: Municipality, now: datetime) -> Q:
    """Per cadence, the last CYCLES_EACH_WAY cycles whose cutoff passed and the next CYCLES_EACH_WAY open
    ones: a window function ranks them inside the same SQL statement (no query per cadence)."""
    passed = Case(When(cutoff_at__lte=now, then=Value(True)), default=Value(False))
    # Past cycles rank newest first; in the open partition the first key is NULL and the second decides.
    past_cutoff = Case(When(cutoff_at__lte=now, then=F("cutoff_at")))
    ranked = (
        DeliveryCycle.objects.for_tenant(municipality)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("cadence"), passed],
                order_by=[past_cutoff.desc(nulls_last=True), F("cutoff_at").asc()],
            )
        )
        .filter(rank__lte=CYCLES_EACH_WAY)
        .values("pk")
    )
    return Q(pk__in=ranked)


def cycles_with_counts(*, municipality: Municipality, now: datetime, filtered: bool) -> QuerySet[DeliveryCycle]:
    cycles = DeliveryCycle.objects.for_tenant(municipality)
    if not filtered:
        cycles = cycles.filter(_recent_and_upcoming(municipality, now))
    return cycles.annotate(**_order_counts("orders__"))


def cycle_summary(*, cycle: DeliveryCycle) -> dict:
    counts = Order.objects.filter(cycle=cycle).aggregate(**_order_counts())
    total = counts["orders_total"]
    settled = counts["paid_count"] + counts["failed_count"] + counts["canceled_count"]
    counts["settled_count"] = settled
    counts["progress_percent"] = settled * 100 // total if total else 0
    return counts


def _real_declines() -> QuerySet[PaymentAttempt]:
    return PaymentAttempt.objects.filter(status=PaymentAttempt.Status.FAILED).exclude(decline_code__in=NOT_DECLINES)


def failed_orders(*, municipality: Municipality) -> QuerySet[Order]:
    """Orders that need attention: failed (dunning will retry), waiting for 3-D Secure, or cancelled
    because the card kept failing (a cancel without a failure code was not a payment problem)."""
    return (
        Order.objects.for_tenant(municipality)
        .filter(
            Q(status__in=[Status.FAILED, Status.REQUIRES_ACTION]) | (Q(status=Status.CANCELED) & ~Q(failure_code=""))
        )
        .select_related("subscriber", "cycle")
    )


def failed_summary(*, municipality: Municipality) -> dict:
    return failed_orders(municipality=municipality).aggregate(
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        requires_action=Count("pk", filter=Q(status=Status.REQUIRES_ACTION)),
        canceled=Count("pk", filter=Q(status=Status.CANCELED)),
        at_risk_won=Coalesce(Sum("amount_won", filter=Q(status__in=[Status.FAILED, Status.REQUIRES_ACTION])), 0),
        lost_won=Coalesce(Sum("amount_won", filter=Q(status=Status.CANCELED)), 0),
    )


def _recovered(municipality: Municipality) -> QuerySet[Order]:
    """Paid orders that had at least one declined attempt before: revenue dunning and card changes won back."""
    declined_before = _real_declines().filter(order=OuterRef("pk"))
    return Order.objects.for_tenant(municipality).filter(Exists(declined_before), status=Status.PAID)


def recovered_revenue(*, municipality: Municipality, since: datetime) -> dict:
    return (
        _recovered(municipality)
        .filter(paid_at__gte=since)
        .aggregate(count=Count("pk"), total_won=Coalesce(Sum("amount_won"), 0))
    )


def failures_and_recoveries_by_week(*, municipality: Municipality, now: datetime, weeks: int = CHART_WEEKS) -> list:
    """(Monday, orders with a decline that week, orders recovered that week) for the last `weeks` weeks,
    in the municipality's time zone; two GROUP BY queries."""
    zone = municipality_zone(municipality)
    this_monday = now.astimezone(zone).date() - timedelta(days=now.astimezone(zone).weekday())
    first = this_monday - timedelta(weeks=weeks - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    failures = dict(
        _real_declines()
        .filter(municipality=municipality, created_at__gte=start)
        .order_by()  # no Meta ordering: it would only add joins to a GROUP BY
        .annotate(week=TruncWeek("created_at", tzinfo=zone, output_field=DateField()))
        .values("week")
        .annotate(n=Count("order", distinct=True))
        .values_list("week", "n")
    )
    recoveries = dict(
        _recovered(municipality)
        .filter(paid_at__gte=start)
        .order_by()
        .annotate(week=TruncWeek("paid_at", tzinfo=zone, output_field=DateField()))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    return [(monday, failures.get(monday, 0), recoveries.get(monday, 0)) for monday in mondays]
