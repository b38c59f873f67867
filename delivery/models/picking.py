"""Pick lists of a closed cycle, their confirmation by the merchant, shortfalls and the staff's decision.

A PickList is the snapshot of delivery.picking.pick_list() for one (cycle, merchant), made once the cycle's
orders are charged (delivery.shortfalls.pick_lists_confirm_for_cycle). The merchant confirms it or reports
a Shortfall per product; staff decide each shortfall (a substitute product or a partial refund), and the
decision's effect on each affected order is kept as a ShortfallEffect.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bundles.models import Merchant, Product, StorageClass
from municipalities.models import Municipality
from municipalities.tenancy import TenantModel
from subscriptions import clock
from subscriptions.models import DeliveryCycle, Order, Refund


class PickList(TenantModel):
    class Status(models.TextChoices):
        AWAITING = "awaiting", _("확인 대기")
        CONFIRMED = "confirmed", _("준비 확인")
        SHORTFALL = "shortfall", _("부족 신고")
        RESOLVED = "resolved", _("부족 처리 완료")

    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+", verbose_name=_("배송 회차"))
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="pick_lists")
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.AWAITING)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("준비 목록")
        verbose_name_plural = _("준비 목록")
        ordering = ["cycle", "merchant__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "cycle", "merchant"], name="pick_list_once_per_merchant")
        ]

    def __str__(self) -> str:
        return f"준비 목록 #{self.pk} ({self.cycle_id}, {self.merchant_id})"


class PickListLine(TenantModel):
    """One product of a pick list: `units` is what the merchant brings (the live pick list after every
    decision), `units_ordered` what the paid orders asked for when the list was last refreshed."""

    pick_list = models.ForeignKey(PickList, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=80)
    unit = models.CharField(max_length=30)
    storage_class = models.CharField(max_length=10, choices=StorageClass.choices, default=StorageClass.AMBIENT)
    units = models.PositiveIntegerField()

    class Meta:
        ordering = ["product_name", "product_id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "pick_list", "product"], name="pick_line_once_per_product")
        ]


class Shortfall(TenantModel):
    """A merchant cannot bring all the units of one product for one cycle."""

    class Status(models.TextChoices):
        OPEN = "open", _("결정 대기")
        REFUNDING = "refunding", _("환불 진행 중")
        SUBSTITUTED = "substituted", _("대체 상품으로 처리")
        REFUNDED = "refunded", _("부분 환불로 처리")

    pick_list = models.ForeignKey(PickList, on_delete=models.PROTECT, related_name="shortfalls")
    cycle = models.ForeignKey(DeliveryCycle, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    units_needed = models.PositiveIntegerField(_("필요 수량"))
    units_available = models.PositiveIntegerField(_("준비 가능 수량"))
    reason = models.CharField(_("사유"), max_length=200)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    reported_at = models.DateTimeField(default=clock.now)
    status = models.CharField(_("상태"), max_length=12, choices=Status.choices, default=Status.OPEN)
    # The decision: the municipality's allocation policy at the time, the substitute, who and when.
    policy = models.CharField(max_length=20, choices=Municipality.ShortfallPolicy.choices, blank=True)
    substitute = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("처리 메모"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("상품 부족")
        verbose_name_plural = _("상품 부족")
        ordering = ["reported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "pick_list", "product"], name="shortfall_once_per_product"),
            models.CheckConstraint(
                condition=models.Q(units_available__lt=models.F("units_needed")), name="shortfall_is_short"
            ),
        ]

    def __str__(self) -> str:
        return f"부족 #{self.pk} ({self.product_id}: {self.units_available}/{self.units_needed})"

    @property
    def units_missing(self) -> int:
        return self.units_needed - self.units_available


class ShortfallEffect(TenantModel):
    """What one decision did to one affected order: units it lost of the short product, and either the
    substitute units it got or the refund it is owed (`refund` once the gateway has refunded it)."""

    shortfall = models.ForeignKey(Shortfall, on_delete=models.CASCADE, related_name="effects")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    units_ordered = models.PositiveIntegerField()
    units_allocated = models.PositiveIntegerField()
    substitute = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Per unit: the short product's supply price in the box, and the substitute's (0 for a refund). With them
    # the box's value as it was charged can be rebuilt after any number of decisions (refund shares use it).
    supply_price_won = models.PositiveIntegerField(default=0)
    substitute_supply_price_won = models.PositiveIntegerField(default=0)
    # The order that was charged for this box (itself, or the prepaid term's order) and the amount due.
    refund_order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refund_won = models.PositiveIntegerField(default=0)
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["shortfall", "order"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "shortfall", "order"], name="shortfall_effect_once"),
            models.CheckConstraint(
                condition=models.Q(units_allocated__lt=models.F("units_ordered")), name="shortfall_effect_is_short"
            ),
        ]

    @property
    def units_missing(self) -> int:
        return self.units_ordered - self.units_allocated
