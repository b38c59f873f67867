"""Staff tables of the logistics pages (django-tables2 on the KRDS base table): cycles with their boxes
counted by status, and one cycle's shipments. Every column reads from the row, its annotations and its
select_related parents, so a page costs no query per row. A cold box carries a badge with the words
(냉장/냉동), never a colour alone; recipients are masked unless the viewer's role needs them."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bundles.models import StorageClass
from core import privacy
from core.tables import KrdsTable
from delivery.models import Shipment
from subscriptions.models import DeliveryCycle

STATUS_BADGES = {
    Shipment.Status.PENDING: "bg-light-gray",
    Shipment.Status.PACKED: "bg-light-primary",
    Shipment.Status.SHIPPED: "bg-light-secondary",
    Shipment.Status.DELIVERED: "bg-light-success",
    Shipment.Status.RETURNED: "bg-light-warning",
    Shipment.Status.LOST: "bg-light-danger",
}
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}


def status_badge(status: str) -> str:
    return format_html(
        '<span class="krds-badge {}">{}</span>', STATUS_BADGES.get(status, ""), Shipment.Status(status).label
    )


def storage_badge(storage_class: str) -> str:
    """냉장·냉동 in a bordered badge with a snowflake-free word, so it reads in black and white too."""
    label = StorageClass(storage_class).label
    if storage_class == StorageClass.AMBIENT:
        return format_html('<span class="storage-ambient">{}</span>', label)
    return format_html(
        '<span class="krds-badge bg-primary cold-badge">{} <span class="sr-only">{}</span></span>',
        label,
        _("보관 상자"),
    )


class CycleShipmentTable(KrdsTable):
    ship_date = tables.Column(verbose_name=_("발송일"), attrs={"th": {"scope": "col"}})
    cadence = tables.Column(verbose_name=_("배송 주기"))
    boxes_total = tables.Column(verbose_name=_("상자"), attrs=NUM)
    pending_count = tables.Column(verbose_name=_("포장 대기"), attrs=NUM)
    packed_count = tables.Column(verbose_name=_("포장 완료"), attrs=NUM)
    shipped_count = tables.Column(verbose_name=_("발송"), attrs=NUM)
    delivered_count = tables.Column(verbose_name=_("배송 완료"), attrs=NUM)
    returned_count = tables.Column(verbose_name=_("반송"), attrs=NUM)
    lost_count = tables.Column(verbose_name=_("분실"), attrs=NUM)
    cold_count = tables.Column(verbose_name=_("냉장·냉동"), attrs=NUM)

    class Meta(KrdsTable.Meta):
        model = DeliveryCycle
        fields = ()
        sequence = (
            "ship_date",
            "cadence",
            "boxes_total",
            "pending_count",
            "packed_count",
            "shipped_count",
            "delivered_count",
            "returned_count",
            "lost_count",
            "cold_count",
        )
        orderable = False
        empty_text = _("마감된 회차가 없습니다.")

    def __init__(self, *args, municipality_slug: str, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        super().__init__(*args, **kwargs)

    def render_ship_date(self, record: DeliveryCycle, value) -> str:
        url = reverse(
            "delivery:staff-cycle",
            kwargs={"municipality_slug": self.municipality_slug, "cycle_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, value.strftime("%Y-%m-%d"))

    def render_cold_count(self, value: int) -> str:
        if not value:
            return "0"
        return format_html('<span class="krds-badge bg-primary cold-badge">{} {}</span>', _("냉장·냉동"), value)


class ShipmentTable(KrdsTable):
    # KRDS check boxes (the native box is drawn by the label), each named for screen readers.
    pick = tables.Column(accessor="pk", verbose_name=_("선택"), orderable=False, exclude_from_export=True)
    order = tables.Column(accessor="order_id", verbose_name=_("주문 번호"))
    recipient = tables.Column(accessor="order__recipient", verbose_name=_("받는 분"))
    bundle = tables.Column(accessor="order__bundle_name", verbose_name=_("꾸러미"))
    storage_class = tables.Column(verbose_name=_("보관"))
    method = tables.Column(verbose_name=_("배송 방법"))
    ship_on = tables.Column(verbose_name=_("발송일"), default="—")
    courier = tables.Column(verbose_name=_("택배사"))
    tracking_number = tables.Column(verbose_name=_("운송장 번호"))
    status = tables.Column(verbose_name=_("상태"))

    class Meta(KrdsTable.Meta):
        model = Shipment
        fields = ()
        sequence = (
            "pick",
            "order",
            "recipient",
            "bundle",
            "storage_class",
            "method",
            "ship_on",
            "courier",
            "tracking_number",
            "status",
        )
        order_by = ("order",)
        empty_text = _("조건에 맞는 상자가 없습니다.")
        row_attrs = {"class": lambda record: "is-cold" if record.is_cold else ""}

    def __init__(self, *args, municipality_slug: str, show_personal_data: bool, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.show_personal_data = show_personal_data
        super().__init__(*args, **kwargs)
        self.columns["pick"].column.verbose_name = format_html(
            '<span class="krds-form-check"><input type="checkbox" id="pick-all">'
            '<label for="pick-all"><span class="sr-only">{}</span></label></span>',
            gettext("이 쪽 상자 모두 선택"),
        )

    def render_pick(self, record: Shipment) -> str:
        return format_html(
            '<span class="krds-form-check"><input type="checkbox" name="shipment" value="{pk}" id="pick-{pk}" '
            'form="bulk-form"><label for="pick-{pk}"><span class="sr-only">{label}</span></label></span>',
            pk=record.pk,
            label=gettext("주문 #%(order)s 선택") % {"order": record.order_id},
        )

    def render_order(self, record: Shipment) -> str:
        url = reverse(
            "delivery:staff-shipment",
            kwargs={"municipality_slug": self.municipality_slug, "shipment_id": record.pk},
        )
        return format_html('<a href="{}">#{}</a>', url, record.order_id)

    def value_order(self, record: Shipment) -> int:
        return record.order_id

    def render_recipient(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_name(value)

    def value_recipient(self, value: str) -> str:
        return self.render_recipient(value)

    def render_storage_class(self, record: Shipment) -> str:
        return storage_badge(record.storage_class)

    def value_storage_class(self, record: Shipment) -> str:
        return record.get_storage_class_display()

    def render_method(self, record: Shipment) -> str:
        if record.pickup_point_id:
            return format_html(
                '{}<br><span class="text-subtle">{}</span>', record.get_method_display(), record.pickup_point.name
            )
        return record.get_method_display()

    def value_method(self, record: Shipment) -> str:
        if record.pickup_point_id:
            return f"{record.get_method_display()} ({record.pickup_point.name})"
        return record.get_method_display()

    def render_ship_on(self, value) -> str:
        return value.strftime("%Y-%m-%d")

    def render_status(self, record: Shipment) -> str:
        return status_badge(record.status)

    def value_status(self, record: Shipment) -> str:
        return record.get_status_display()
