"""Reads of the logistics center's staff pages: cycles with their boxes counted by status, one cycle's
shipments, one shipment with its history. Every read is scoped to one municipality and costs a fixed
number of queries whatever the number of boxes."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from bundles.models import StorageClass
from delivery.models import Shipment, ShipmentEvent
from delivery.packing import items_prefetch
from municipalities.models import Municipality
from subscriptions.models import DeliveryCycle

Status = Shipment.Status
COUNTED = (Status.PENDING, Status.PACKED, Status.SHIPPED, Status.DELIVERED, Status.RETURNED, Status.LOST)


def _count(**conditions) -> Coalesce:
    boxes = (
        Shipment.objects.filter(cycle_id=OuterRef("pk"), **conditions)
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(boxes, output_field=IntegerField()), 0)


def _cold_count() -> Coalesce:
    boxes = (
        Shipment.objects.filter(cycle_id=OuterRef("pk"))
        .exclude(storage_class=StorageClass.AMBIENT)
        .values("cycle_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(boxes, output_field=IntegerField()), 0)


def cycles_with_shipment_counts(*, municipality: Municipality) -> QuerySet[DeliveryCycle]:
    """The municipality's closed cycles, latest ship date first, each with `boxes_total`, a count per
    status (`pending_count` … `lost_count`) and `cold_count`. One query (correlated counts)."""
    counts = {f"{status}_count": _count(status=status) for status in COUNTED}
    return (
        DeliveryCycle.objects.filter(municipality_id=municipality.pk, status=DeliveryCycle.Status.CLOSED)
        .annotate(boxes_total=_count(), cold_count=_cold_count(), **counts)
        .order_by("-ship_date", "cadence")
    )


def cycles_to_send(*, municipality: Municipality, limit: int = 3) -> list[DeliveryCycle]:
    """The closed cycles that still have boxes to pack or send (pending or packed), soonest ship date
    first, with the counts of cycles_with_shipment_counts. One query."""
    return list(
        cycles_with_shipment_counts(municipality=municipality)
        .filter(Q(pending_count__gt=0) | Q(packed_count__gt=0))
        .order_by("ship_date", "cadence")[:limit]
    )


def cycle_counts(*, cycle: DeliveryCycle) -> dict[str, int]:
    """One cycle's boxes: `total`, per status and `cold`. One aggregate query."""
    boxes = Shipment.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk)
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in COUNTED}
    return boxes.aggregate(
        total=Count("pk"), cold=Count("pk", filter=~Q(storage_class=StorageClass.AMBIENT)), **aggregates
    )


def cycle_shipments(*, cycle: DeliveryCycle) -> QuerySet[Shipment]:
    """The cycle's shipments with what the list shows (order snapshot, pickup point)."""
    return (
        Shipment.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk)
        .select_related("order", "pickup_point")
        .order_by("order_id")
    )


def shipment_for_staff(*, municipality: Municipality, shipment_id: int) -> Shipment:
    """One shipment of `municipality` with its order, items and events (newest first); another tenant's
    id is a 404."""
    shipment = (
        Shipment.objects.filter(municipality_id=municipality.pk, pk=shipment_id)
        .select_related("order__subscriber__user", "cycle", "pickup_point")
        .prefetch_related(
            items_prefetch(),
            Prefetch("events", queryset=ShipmentEvent.objects.select_related("actor").order_by("-created_at", "-pk")),
        )
        .first()
    )
    if shipment is None:
        raise Http404
    return shipment


@dataclass(frozen=True)
class Move:
    to: str
    label: str
    needs_reason: bool


def moves_allowed(shipment: Shipment) -> list[Move]:
    """The statuses staff may move this box to (Shipment.TRANSITIONS), in the order of the status list."""
    allowed = Shipment.TRANSITIONS.get(Status(shipment.status), set())
    return [
        Move(status.value, str(status.label), status in Shipment.REASON_REQUIRED)
        for status in Status
        if status in allowed
    ]
