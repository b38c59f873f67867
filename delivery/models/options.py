"""Delivery options of a municipality and the subscriber's choice among them.

- DeliverySettings: one row per municipality (made on demand by delivery.options.settings_for): the local
  area where staff deliver themselves, which methods subscribers may choose, and the weekdays cold-chain
  boxes may ship.
- DeliveryHoliday: the dates (설날, 추석 …) on which, and on the eve of which, no cold box ships.
- PickupPoint: a named place where subscribers collect their box.
- DeliveryPreference: one subscription's chosen method (no row: courier).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from delivery.models.shipments import Shipment
from municipalities.tenancy import TenantModel
from subscriptions import clock
from subscriptions.models import Subscription

# Monday = 0 … Sunday = 6 (date.weekday()). A cold box shipped on Friday sits in a courier hub over the
# weekend, so by default cold boxes leave Monday to Thursday only.
DEFAULT_COLD_WEEKDAYS = [0, 1, 2, 3]


def default_cold_weekdays() -> list[int]:
    return list(DEFAULT_COLD_WEEKDAYS)


class DeliverySettings(TenantModel):
    """Courier delivery is always possible (every subscription has an address, and it is where a local or
    pickup choice falls back to); local delivery and pickup are offered only when switched on here."""

    allow_local = models.BooleanField(_("지역 직접 배송 허용"), default=False)
    allow_pickup = models.BooleanField(_("방문 수령 허용"), default=False)
    # Inclusive ranges of 5-digit postcodes as [["52300", "52399"], …]; a single postcode is [x, x].
    local_postcode_ranges = models.JSONField(_("직접 배송 우편번호"), default=list, blank=True)
    # 읍·면·동 names matched as whole words in the road or jibun address, e.g. ["하동읍", "악양면"].
    local_area_names = models.JSONField(_("직접 배송 읍·면·동"), default=list, blank=True)
    cold_weekdays = models.JSONField(_("냉장·냉동 발송 요일"), default=default_cold_weekdays)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("배송 설정")
        verbose_name_plural = _("배송 설정")
        constraints = [models.UniqueConstraint(fields=["municipality"], name="delivery_settings_once")]

    def __str__(self) -> str:
        return f"배송 설정 ({self.municipality_id})"

    @property
    def has_local_area(self) -> bool:
        return bool(self.local_postcode_ranges or self.local_area_names)


class DeliveryHoliday(TenantModel):
    date = models.DateField(_("날짜"))
    name = models.CharField(_("이름"), max_length=40)

    class Meta:
        verbose_name = _("배송 휴일")
        verbose_name_plural = _("배송 휴일")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["municipality", "date"], name="delivery_holiday_once")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class PickupPoint(TenantModel):
    name = models.CharField(_("이름"), max_length=60)
    address = models.CharField(_("주소"), max_length=200)
    hours = models.CharField(_("운영 시간"), max_length=120, help_text=_("예: 평일 09:00~18:00"))
    is_active = models.BooleanField(_("운영 중"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("수령 장소")
        verbose_name_plural = _("수령 장소")
        ordering = ["-is_active", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="pickup_point_unique_name")]

    def __str__(self) -> str:
        return self.name


class DeliveryPreference(TenantModel):
    """How one subscription's boxes should travel. A pickup choice names its point; the others name none."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("배송 방법"), max_length=10, choices=Shipment.Method.choices)
    pickup_point = models.ForeignKey(
        PickupPoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("수령 장소")
    )
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("배송 방법 선택")
        verbose_name_plural = _("배송 방법 선택")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "subscription"], name="delivery_preference_once"),
            models.CheckConstraint(
                condition=models.Q(method="pickup", pickup_point__isnull=False)
                | (~models.Q(method="pickup") & models.Q(pickup_point__isnull=True)),
                name="delivery_preference_pickup_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.method}"
