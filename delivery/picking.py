# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""What merchants prepare: the pick list of a closed cycle and the demand forecast of the open ones.

The two answer the same question at different times. The forecast counts the subscriptions that
subscriptions.billing.close.cycle_close will turn into orders (the same "due" rule, the same bundle
items), so when nothing changes between the forecast and the cutoff (no new subscription, skip, pause,
cancel or bundle edit) and every order is paid, the forecast of a cycle equals its pick list.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Sum

from bundles.models import BundleItem, Merchant, Plan, Product
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions import cycles as calendar
from subscriptions.models import DeliveryCycle, Order, OrderItem, SkippedCycle, Subscription

# Products reach the logistics center the day before the boxes ship.
DELIVER_DAYS_BEFORE_SHIP = 1


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class PickLine:
    merchant_id: int
    merchant_name: str
    product_id: int
    product_name: str
    unit: str
    storage_class: str
    units: int


def pick_list(*, cycle: DeliveryCycle, merchant: Merchant | None = None) -> list[PickLine]:
    """Units of each product to pick for `cycle`: the sum of OrderItem.quantity over the cycle's PAID
    orders, per merchant and product (all merchants unless `merchant`). One GROUP BY query whatever
    the number of orders. Equals demand_forecast's line for this cycle when nothing changed (module doc)."""
    items = OrderItem.objects.filter(
        municipality_id=cycle.municipality_id, order__cycle_id=cycle.pk, order__status=Order.Status.PAID
    )
    if merchant is not None:
        items = items.filter(merchant_id=merchant.pk)
    rows = (
        items.values(
            "merchant_id", "merchant__name", "product_id", "product__name", "product__unit", "product__storage_class"
        )
        .annotate(units=Sum("quantity"))
        .order_by("merchant__name", "merchant_id", "product__name", "product_id")
    )
    return [
        PickLine(
            merchant_id=row["merchant_id"],
            merchant_name=row["merchant__name"],
            product_id=row["product_id"],
            product_name=row["product__name"],
            unit=row["product__unit"],
            storage_class=row["product__storage_class"],
            units=row["units"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ForecastLine:
    product_id: int
    product_name: str
    unit: str
    storage_class: str
    units: int


@dataclass(frozen=True)
class ForecastCycle:
    cycle_id: int
    cadence: str
    ship_date: date
    # When the merchant brings the products to the logistics center.
    deliver_by: date
    lines: list[ForecastLine] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)


def _open_cycles(municipality: Municipality, cadences: list[str], count: int, today: date) -> list[DeliveryCycle]:
    """The next `count` cycles of each cadence not yet closed, in one query."""
    rows = list(
        DeliveryCycle.objects.filter(
            municipality_id=municipality.pk,
            cadence__in=cadences,
            status=DeliveryCycle.Status.OPEN,
            ship_date__gte=today,
        ).order_by("ship_date", "cadence")
    )
    picked: list[DeliveryCycle] = []
    taken: dict[str, int] = {}
    for cycle in rows:
        if taken.get(cycle.cadence, 0) < count:
            picked.append(cycle)
            taken[cycle.cadence] = taken.get(cycle.cadence, 0) + 1
    return picked


def demand_forecast(
    *, municipality: Municipality, merchant: Merchant, cycles: int = 4, now: datetime | None = None
) -> list[ForecastCycle]:
    """Units of each of `merchant`'s products needed in the next `cycles` open cycles of every cadence
    its products are sold in, soonest ship date first (a cycle without demand is listed with no lines).

    A subscription counts for a cycle exactly when cycle_close would make its order: it is active, or
    paused with `paused_until` before the ship date (not canceled, not past due); its first cycle ships
    no later; it has not skipped that cycle. Each counts the quantity of the product in its bundle's
    current items. So the forecast equals the eventual pick list when nothing changes (module doc).

    Three queries (cadences, cycles, one GROUP BY), plus a calendar top-up the first time cycles far
    enough ahead are missing. Reads only, except that top-up, which is safe to repeat."""
    now = now or clock.now()
    today = now.astimezone(ZoneInfo(municipality.timezone)).date()
    cadences = sorted(
        set(
            Plan.objects.filter(municipality_id=municipality.pk, bundle__items__product__merchant_id=merchant.pk)
            .values_list("cadence", flat=True)
            .distinct()
        )
    )
    if not cadences:
        return []
    upcoming = _open_cycles(municipality, cadences, cycles, today)
    if len(upcoming) < cycles * len(cadences):
        # Monthly cycles are generated about four months ahead; make sure `cycles` of each exist.
        calendar.cycles_generate(municipality=municipality, through=today + timedelta(days=31 * (cycles + 1)))
        upcoming = _open_cycles(municipality, cadences, cycles, today)
    if not upcoming:
        return []
    placeholders = ", ".join(["%s"] * len(upcoming))
    sql = f"""
    SELECT c.id, pr.id, pr.name, pr.unit, pr.storage_class, SUM(bi.quantity)
    FROM {_t(DeliveryCycle)} c
    JOIN {_t(Subscription)} s ON s.municipality_id = c.municipality_id AND s.cadence = c.cadence
    JOIN {_t(DeliveryCycle)} fc ON fc.id = s.first_cycle_id
    JOIN {_t(BundleItem)} bi ON bi.bundle_id = s.bundle_id
    JOIN {_t(Product)} pr ON pr.id = bi.product_id
    WHERE c.id IN ({placeholders}) AND pr.merchant_id = %s
      AND (s.status = 'active' OR (s.status = 'paused' AND s.paused_until IS NOT NULL AND s.paused_until < c.ship_date))
      AND fc.ship_date <= c.ship_date
      AND NOT EXISTS (SELECT 1 FROM {_t(SkippedCycle)} k WHERE k.subscription_id = s.id AND k.cycle_id = c.id)
    GROUP BY c.id, pr.id, pr.name, pr.unit, pr.storage_class
    ORDER BY pr.name, pr.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(c.pk for c in upcoming), merchant.pk])
        rows = cursor.fetchall()
    lines: dict[int, list[ForecastLine]] = {c.pk: [] for c in upcoming}
    for cycle_id, product_id, name, unit, storage_class, units in rows:
        lines[cycle_id].append(ForecastLine(product_id, name, unit, storage_class, int(units)))
    return [
        ForecastCycle(
            cycle_id=c.pk,
            cadence=c.cadence,
            ship_date=c.ship_date,
            deliver_by=c.ship_date - timedelta(days=DELIVER_DAYS_BEFORE_SHIP),
            lines=lines[c.pk],
        )
        for c in upcoming
    ]
