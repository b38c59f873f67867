"""The logistics center's packing work for one cycle: the packing list (boxes grouped by storage class
and delivery method, coldest first) and the pick summary (units of every product, per merchant). Marking
boxes packed is a move like the others, in delivery.services.

Reads cost a fixed number of queries whatever the number of boxes: one for the shipments with their
orders and pickup points, one for all their items.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from bundles.models import StorageClass
from core import privacy
from delivery.models import Shipment
from delivery.picking import PickLine, pick_list
from subscriptions.models import DeliveryCycle, OrderItem

Status = Shipment.Status
# Boxes that are still in the center's hands or on their way; returned and lost boxes are not packed again.
PACKABLE_STATUSES = (Status.PENDING, Status.PACKED, Status.SHIPPED, Status.DELIVERED)

_STORAGE_ORDER = Case(
    When(storage_class=StorageClass.FROZEN, then=Value(0)),
    When(storage_class=StorageClass.CHILLED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
_METHOD_ORDER = Case(
    When(method=Shipment.Method.COURIER, then=Value(0)),
    When(method=Shipment.Method.LOCAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def shipments_in_packing_order(*, cycle: DeliveryCycle, statuses: tuple[str, ...] = PACKABLE_STATUSES) -> QuerySet:
    """The cycle's shipments in the order boxes are packed and slips are printed: frozen, chilled, then
    ambient; courier, local delivery, then pickup (by point); then by order number."""
    return (
        Shipment.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk, status__in=statuses)
        .annotate(storage_order=_STORAGE_ORDER, method_order=_METHOD_ORDER)
        .order_by("storage_order", "method_order", "pickup_point__name", "pickup_point_id", "order_id")
    )


def items_prefetch() -> Prefetch:
    """A shipment's order items with their products (for the unit), in one query for all boxes."""
    return Prefetch("order__items", queryset=OrderItem.objects.select_related("product").order_by("pk"))


@dataclass(frozen=True)
class PackingItem:
    product_name: str
    unit: str
    quantity: int


@dataclass(frozen=True)
class PackingBox:
    shipment_id: int
    order_id: int
    recipient_masked: str
    bundle_name: str
    status: str
    status_label: str
    items: list[PackingItem]
    # A cold box may leave after the cycle's ship date (the municipality's cold-chain days).
    ship_on: date | None


@dataclass
class PackingGroup:
    storage_class: str
    storage_label: str
    method: str
    method_label: str
    pickup_point: str
    boxes: list[PackingBox] = field(default_factory=list)
    # Units of each product over the group's boxes: what to lay out on the packing table.
    products: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def is_cold(self) -> bool:
        return self.storage_class != StorageClass.AMBIENT

    @property
    def product_rows(self) -> list[tuple[str, str, int]]:
        return [(name, unit, units) for (name, unit), units in sorted(self.products.items())]


def packing_list(*, cycle: DeliveryCycle) -> list[PackingGroup]:
    """The boxes of `cycle` to pack, grouped by storage class, delivery method and pickup point, in
    packing order (shipments_in_packing_order). Names are masked: boxes are matched by order number.
    Two queries whatever the number of boxes."""
    shipments = shipments_in_packing_order(cycle=cycle).select_related("order", "pickup_point")
    groups: dict[tuple, PackingGroup] = {}
    for shipment in shipments.prefetch_related(items_prefetch()):
        point = shipment.pickup_point.name if shipment.pickup_point_id else ""
        key = (shipment.storage_class, shipment.method, point)
        group = groups.get(key)
        if group is None:
            group = groups[key] = PackingGroup(
                storage_class=shipment.storage_class,
                storage_label=str(StorageClass(shipment.storage_class).label),
                method=shipment.method,
                method_label=str(Shipment.Method(shipment.method).label),
                pickup_point=point,
            )
        items = [
            PackingItem(item.product_name, item.product.unit, item.quantity) for item in shipment.order.items.all()
        ]
        for item in items:
            group.products[(item.product_name, item.unit)] = group.products.get((item.product_name, item.unit), 0) + (
                item.quantity
            )
        group.boxes.append(
            PackingBox(
                shipment_id=shipment.pk,
                order_id=shipment.order_id,
                recipient_masked=privacy.mask_name(shipment.order.recipient),
                bundle_name=shipment.order.bundle_name,
                status=shipment.status,
                status_label=str(Status(shipment.status).label),
                items=items,
                ship_on=shipment.ship_on,
            )
        )
    return list(groups.values())


@dataclass(frozen=True)
class MerchantPicks:
    merchant_id: int
    merchant_name: str
    lines: list[PickLine]

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)


def pick_summary(*, cycle: DeliveryCycle) -> list[MerchantPicks]:
    """Every product of the cycle's paid orders with its units, grouped by merchant (picking.pick_list:
    one GROUP BY query)."""
    merchants: dict[int, MerchantPicks] = {}
    for line in pick_list(cycle=cycle):
        if line.merchant_id not in merchants:
            merchants[line.merchant_id] = MerchantPicks(line.merchant_id, line.merchant_name, [])
        merchants[line.merchant_id].lines.append(line)
    return list(merchants.values())
