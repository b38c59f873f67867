"""After a cycle's charges: its shipments, the tourism coupons that go in the boxes, and the merchants'
pick lists. Run by Celery (delivery.tasks) for every closed cycle whose paid orders are not all boxes
yet, and by the demo; every step is safe to repeat."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from delivery.models import PickList, Shipment
from delivery.picking import pick_lists_confirm_for_cycle
from delivery.services import shipments_create_for_cycle
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle, Order
from tourism.services import Box, coupons_issue_for_boxes

# Cycles that shipped longer ago than this are not looked at again by the periodic run.
LOOKBACK_DAYS = 60


@dataclass(frozen=True)
class PreparedCycle:
    shipments_made: int
    coupons_issued: int
    pick_lists_confirmed: bool


def cycles_awaiting_shipments(*, now: datetime | None = None) -> list[int]:
    """Ids of recent closed cycles (of active municipalities) with work left: a paid order without a
    shipment, or charging settled with paid orders but no pick list yet. One query."""
    now = now or clock.now()
    paid = Order.objects.filter(cycle_id=OuterRef("pk"), status=Order.Status.PAID)
    unsettled = Order.objects.filter(cycle_id=OuterRef("pk"), status__in=[Order.Status.PENDING, Order.Status.CHARGING])
    unboxed = paid.exclude(Exists(Shipment.objects.filter(order_id=OuterRef("pk"))))
    unpicked = Exists(paid) & ~Exists(unsettled) & ~Exists(PickList.objects.filter(cycle_id=OuterRef("pk")))
    return list(
        DeliveryCycle.objects.filter(
            status=DeliveryCycle.Status.CLOSED,
            municipality__is_active=True,
            ship_date__gte=(now - timedelta(days=LOOKBACK_DAYS)).date(),
        )
        .filter(Exists(unboxed) | unpicked)
        .order_by("ship_date", "pk")
        .values_list("pk", flat=True)
    )


def _coupons_issue(*, cycle: DeliveryCycle, created_at: datetime) -> int:
    """Issue the coupons of the boxes made at `created_at` (this run's), in one call for all of them."""
    rows = Shipment.objects.filter(
        municipality_id=cycle.municipality_id, cycle_id=cycle.pk, created_at=created_at
    ).values_list("pk", "order__subscription_id", "order__bundle_id", "order__subscriber__user_id")
    boxes = [Box(shipment_id=s, subscription_id=sub, bundle_id=b, holder_id=u) for s, sub, b, u in rows]
    if not boxes:
        return 0
    return coupons_issue_for_boxes(
        municipality=Municipality.objects.get(pk=cycle.municipality_id), boxes=boxes, now=created_at
    )


def _charges_settled(cycle: DeliveryCycle) -> bool:
    """The first charging pass is over: no order of the cycle is still waiting for it or being charged."""
    return not Order.objects.filter(
        cycle_id=cycle.pk, status__in=[Order.Status.PENDING, Order.Status.CHARGING]
    ).exists()


def cycle_shipments_prepare(*, cycle_id: int, now: datetime | None = None) -> PreparedCycle:
    """Make the shipments of the cycle's paid orders and issue their coupons in one transaction (a box
    never exists without its coupons), then confirm the pick lists once charging has settled. An open
    cycle is left alone. Repeating it makes nothing twice: shipments are unique per order, coupons per
    (shipment, offer), and the pick-list confirmation is itself repeatable."""
    now = now or clock.now()
    cycle = DeliveryCycle.objects.get(pk=cycle_id)
    if cycle.status != DeliveryCycle.Status.CLOSED:
        return PreparedCycle(0, 0, False)
    with transaction.atomic():
        made = shipments_create_for_cycle(cycle=cycle, now=now)
        coupons = _coupons_issue(cycle=cycle, created_at=now) if made else 0
    confirmed = _charges_settled(cycle)
    if confirmed:
        pick_lists_confirm_for_cycle(cycle=cycle)
    return PreparedCycle(shipments_made=made, coupons_issued=coupons, pick_lists_confirmed=confirmed)
