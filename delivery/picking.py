# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""What merchants prepare: the pick list of a closed cycle and the demand forecast of the open ones.

The two answer the same question at different times. The forecast counts the subscriptions that
subscriptions.billing.close.cycle_close will turn into orders (the same "due" rule, the same bundle
items), so when nothing changes between the forecast and the cutoff (no new subscription, skip, pause,
cancel or bundle edit) and every order is paid, the forecast of a cycle equals its pick list.

Once a cycle's orders are charged, pick_lists_confirm_for_cycle keeps the pick list as one PickList per
merchant (the snapshot the merchant confirms; delivery.shortfalls handles what they cannot bring), and
pick_lists_sync brings those snapshots up to date after a late payment or a shortfall decision.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from bundles.models import BundleItem, Merchant, Plan, Product
from delivery.models import PickList, PickListLine, Shortfall
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions import cycles as calendar
from subscriptions.models import DeliveryCycle, Order, OrderItem, SkippedCycle, Subscription

# Products reach the logistics center the day before the boxes ship.
DELIVER_DAYS_BEFORE_SHIP = 1


def deliver_by(cycle: DeliveryCycle) -> date:
    """The day the merchants bring a cycle's products to the logistics center."""
    return cycle.ship_date - timedelta(days=DELIVER_DAYS_BEFORE_SHIP)


def logistics_center_address(municipality: Municipality) -> str:
    """Where merchants bring their products: the center's address, or the municipality's own."""
    return municipality.logistics_center_address or municipality.address


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
            deliver_by=deliver_by(c),
            lines=lines[c.pk],
        )
        for c in upcoming
    ]


# --- the pick lists' snapshot ------------------------------------------------------------------------
class PickingNotAllowed(Exception):
    """A pick-list or shortfall change was refused; `messages` are for the person who asked, in Korean."""

    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(messages))


def pick_lists_sync(cycle: DeliveryCycle, merchant_ids: set[int] | None) -> list[PickList]:
    """Make the pick lists of `cycle` (of `merchant_ids`, or every merchant) equal the live pick list. Six
    queries at most whatever the number of orders; the caller holds a lock that serializes it."""
    now = clock.now()
    wanted: dict[int, dict[int, PickLine]] = defaultdict(dict)
    for line in pick_list(cycle=cycle):
        if merchant_ids is None or line.merchant_id in merchant_ids:
            wanted[line.merchant_id][line.product_id] = line
    lists_qs = PickList.objects.select_for_update().filter(cycle_id=cycle.pk)
    if merchant_ids is not None:
        lists_qs = lists_qs.filter(merchant_id__in=merchant_ids)
    lists = {pl.merchant_id: pl for pl in lists_qs}
    new_lists = [
        PickList(
            municipality_id=cycle.municipality_id, cycle_id=cycle.pk, merchant_id=m, created_at=now, updated_at=now
        )
        for m in sorted(wanted)
        if m not in lists
    ]
    if new_lists:
        for pl in PickList.objects.bulk_create(new_lists):
            lists[pl.merchant_id] = pl
    existing = {
        (line.pick_list_id, line.product_id): line
        for line in PickListLine.objects.filter(pick_list__in=list(lists.values()))
    }
    to_create, to_update, changed = [], [], set()
    for merchant_id, pl in lists.items():
        for product_id, line in wanted.get(merchant_id, {}).items():
            row = existing.pop((pl.pk, product_id), None)
            if row is None:
                to_create.append(
                    PickListLine(
                        municipality_id=cycle.municipality_id,
                        pick_list=pl,
                        product_id=product_id,
                        product_name=line.product_name,
                        unit=line.unit,
                        storage_class=line.storage_class,
                        units=line.units,
                    )
                )
                changed.add(pl.pk)
            elif row.units != line.units:
                row.units = line.units
                to_update.append(row)
                changed.add(pl.pk)
    # Lines left over lost all their units (refunded, or moved to a substitute).
    gone = [row.pk for row in existing.values()]
    changed |= {row.pick_list_id for row in existing.values()}
    PickListLine.objects.bulk_create(to_create)
    PickListLine.objects.bulk_update(to_update, ["units"])
    if gone:
        PickListLine.objects.filter(pk__in=gone).delete()
    if changed:
        # The merchant confirmed other numbers: ask again.
        PickList.objects.filter(pk__in=changed, status=PickList.Status.CONFIRMED).update(
            status=PickList.Status.AWAITING, confirmed_at=None, confirmed_by=None
        )
        PickList.objects.filter(pk__in=changed).update(updated_at=now)
    return list(PickList.objects.filter(pk__in=[pl.pk for pl in lists.values()]).order_by("pk"))


@transaction.atomic
def pick_lists_confirm_for_cycle(*, cycle: DeliveryCycle) -> list[PickList]:
    """Snapshot the paid orders' pick list of a closed cycle as one PickList per merchant.

    Call it once the cycle's orders are charged (the logistics task does, after the billing run). The
    cycle row is locked, so two runs cannot both create lists; running it again only brings the lines up
    to date with the paid orders (no duplicates, nothing for an unchanged cycle). A fixed number of queries
    whatever the number of orders."""
    locked = DeliveryCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != DeliveryCycle.Status.CLOSED:
        raise PickingNotAllowed(_("마감되지 않은 회차는 준비 목록을 만들 수 없습니다."))
    return pick_lists_sync(locked, None)


# --- reads for the merchant and staff pages ------------------------------------------------------------
def merchant_pick_lists(*, municipality: Municipality, merchant: Merchant) -> QuerySet[PickList]:
    """The merchant's pick lists, latest ship date first, with their lines and shortfalls (3 queries)."""
    return (
        PickList.objects.filter(municipality_id=municipality.pk, merchant_id=merchant.pk)
        .select_related("cycle")
        .prefetch_related("lines", "shortfalls")
        .order_by("-cycle__ship_date", "cycle__cadence", "pk")
    )


def staff_cycle_pick_lists(*, cycle: DeliveryCycle) -> list[PickList]:
    """Every pick list of a cycle with its merchant, lines and shortfalls (with their products and the
    substitutes chosen): four queries whatever the number of merchants or orders."""
    return list(
        PickList.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk)
        .select_related("merchant", "confirmed_by")
        .prefetch_related(
            "lines",
            Prefetch(
                "shortfalls",
                queryset=Shortfall.objects.select_related(
                    "product", "substitute", "substitute__merchant", "decided_by"
                ),
            ),
        )
        .order_by("merchant__name", "pk")
    )
