"""Shipments: the box of one paid order on its way to the subscriber, and the history of its moves.

Floor: between subscriptions (it reads paid orders) and settlement; nothing below imports it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bundles.models import StorageClass
from municipalities.tenancy import TenantModel
from subscriptions import clock
from subscriptions.models import DeliveryCycle, Order


class Shipment(TenantModel):
    """One box of one paid order. The address and contents are the order's snapshot (Order.recipient …,
    OrderItem), so a shipment never changes when the subscriber edits an address later.

    `order` is a ForeignKey with a unique (municipality, order) constraint rather than a OneToOneField:
    a OneToOneField adds a unique index on `order_id` alone, and every unique constraint of a tenant
    table must include `municipality` (ARCHITECTURE.md, Tenancy)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("포장 대기")
        PACKED = "packed", _("포장 완료")
        SHIPPED = "shipped", _("발송")
        DELIVERED = "delivered", _("배송 완료")
        RETURNED = "returned", _("반송")
        LOST = "lost", _("분실")

    # A box can leave with a tracking number straight from `pending` (the courier's bulk upload), and a
    # returned or lost box is final here: a replacement is a new order, not a resurrected shipment.
    TRANSITIONS = {
        Status.PENDING: {Status.PACKED, Status.SHIPPED},
        Status.PACKED: {Status.PENDING, Status.SHIPPED, Status.LOST},
        Status.SHIPPED: {Status.DELIVERED, Status.RETURNED, Status.LOST},
        Status.DELIVERED: {Status.RETURNED},
        Status.RETURNED: set(),
        Status.LOST: set(),
    }
    # Moves into these statuses must say why.
    REASON_REQUIRED = {Status.RETURNED, Status.LOST}
    # The timestamp kept beside each status.
    STATUS_TIMESTAMPS = {
        Status.PACKED: "packed_at",
        Status.SHIPPED: "shipped_at",
        Status.DELIVERED: "delivered_at",
        Status.RETURNED: "returned_at",
        Status.LOST: "lost_at",
    }

    class Method(models.TextChoices):
        COURIER = "courier", _("택배")
        LOCAL = "local", _("지역 직접 배송")
        PICKUP = "pickup", _("방문 수령")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("주문"))
    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("배송 회차"))
    # The coldest storage class among the order's items (bundles.models.STORAGE_RANK), fixed at creation.
    storage_class = models.CharField(
        _("보관"), max_length=10, choices=StorageClass.choices, default=StorageClass.AMBIENT
    )
    method = models.CharField(_("배송 방법"), max_length=10, choices=Method.choices, default=Method.COURIER)
    # Where a pickup box waits (method pickup only); PROTECT keeps a point that has boxes from vanishing.
    pickup_point = models.ForeignKey(
        "delivery.PickupPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("수령 장소"),
    )
    # The day the box leaves: the cycle's ship date, or for a cold box the first day on or after it that
    # the municipality's cold-chain rules allow (delivery.options.cold_ship_on). Null on boxes made before
    # the rule existed.
    ship_on = models.DateField(_("발송일"), null=True, blank=True)
    courier = models.CharField(_("택배사"), max_length=20, blank=True)
    tracking_number = models.CharField(_("운송장 번호"), max_length=20, blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("사유"), max_length=300, blank=True, help_text=_("반송·분실 사유"))
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    lost_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("배송")
        verbose_name_plural = _("배송")
        ordering = ["cycle", "order"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "order"], name="shipment_once_per_order"),
            models.CheckConstraint(
                condition=~models.Q(status__in=["returned", "lost"]) | ~models.Q(reason=""),
                name="shipment_reason_when_returned_or_lost",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "cycle", "status"])]

    def __str__(self) -> str:
        return f"배송 #{self.pk} (주문 #{self.order_id})"

    @property
    def is_cold(self) -> bool:
        """냉장·냉동: flagged on every list and slip."""
        return self.storage_class != StorageClass.AMBIENT


class ShipmentEvent(TenantModel):
    """One move of a shipment: who, when, from which status to which, and why."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=Shipment.Status.choices)
    to_status = models.CharField(max_length=10, choices=Shipment.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("배송 이력")
        verbose_name_plural = _("배송 이력")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.from_status} → {self.to_status}"
