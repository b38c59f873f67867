"""Staff tables of the billing pages (django-tables2 on the KRDS base table): delivery cycles with their
order counts, one cycle's orders, and failed payments.

Every column reads from the row, its annotations and its select_related parents only, so a page costs no
query per row. Subscribers' names are masked unless the viewer's role needs them (`show_personal_data`).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import privacy
from core.money import format_won
from core.tables import KrdsTable
from subscriptions.billing.decline_messages import decline_message
from subscriptions.gateways.stripe_gateway import HARD_DECLINES
from subscriptions.models import DeliveryCycle, Order

ORDER_STATUS_BADGES = {
    Order.Status.PENDING: "bg-light-gray",
    Order.Status.CHARGING: "bg-light-primary",
    Order.Status.PAID: "bg-light-success",
    Order.Status.REQUIRES_ACTION: "bg-light-warning",
    Order.Status.FAILED: "bg-light-danger",
    Order.Status.CANCELED: "bg-light-secondary",
}
CYCLE_STATUS_BADGES = {DeliveryCycle.Status.OPEN: "bg-light-primary", DeliveryCycle.Status.CLOSED: "bg-light-gray"}
NUM = {"th": {"class": "num"}, "td": {"class": "num"}}
REASON = {"td": {"class": "reason"}}
TABLE_ATTRS = {"class": "tbl col data billing-table"}


def order_status_badge(order: Order) -> str:
    return format_html(
        '<span class="krds-badge {}">{}</span>', ORDER_STATUS_BADGES.get(order.status, ""), order.get_status_display()
    )


def short_date(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return _("%(month)d월 %(day)d일") % {"month": local.month, "day": local.day}


def short_moment(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return _("%(month)d월 %(day)d일 %(time)s") % {
        "month": local.month,
        "day": local.day,
        "time": local.strftime("%H:%M"),
    }


def dunning_next_step(order: Order, *, retries: int, zone: ZoneInfo) -> str:
    """What dunning will do next with a failed order, from the order's own fields (no query):
    "11월 24일 재시도 (2/3)", "11월 18일 02:05까지 본인 인증 대기", "재시도 없음 — 상자 취소".

    The n-th retry is the order's attempts so far (the first attempt was the charge itself), out of the
    municipality's `retries` (its dunning schedule)."""
    if order.status == Order.Status.FAILED and order.next_retry_at:
        return _("%(date)s 재시도 (%(n)d/%(total)d)") % {
            "date": short_date(order.next_retry_at, zone),
            "n": min(order.attempts_count, retries),
            "total": retries,
        }
    if order.status == Order.Status.REQUIRES_ACTION:
        if order.action_deadline:
            return _("%(deadline)s까지 본인 인증 대기") % {"deadline": short_moment(order.action_deadline, zone)}
        return _("본인 인증 대기")
    if order.status == Order.Status.CANCELED:
        if order.failure_code in HARD_DECLINES:
            return _("재시도 없음 — 상자 취소")
        return _("재시도 %(n)d회 모두 실패 — 상자 취소") % {"n": max(order.attempts_count - 1, 0)}
    return ""


def _subscriber(value: str, show_personal_data: bool) -> str:
    return value if show_personal_data else privacy.mask_name(value)


class CycleTable(KrdsTable):
    """Cycles annotated by `cycles_with_counts` (one aggregate query for the whole page)."""

    # The cadence and the cutoff are written under the ship date: the table stays narrow enough for a laptop.
    ship_date = tables.Column(verbose_name=gettext_lazy("발송 회차"))
    orders_total = tables.Column(verbose_name=gettext_lazy("주문"), attrs=NUM)
    paid_count = tables.Column(verbose_name=gettext_lazy("결제 완료"), attrs=NUM, orderable=False)
    failed_count = tables.Column(verbose_name=gettext_lazy("실패"), attrs=NUM)
    action_count = tables.Column(verbose_name=gettext_lazy("인증 대기"), attrs=NUM, orderable=False)
    pending_count = tables.Column(verbose_name=gettext_lazy("결제 대기"), attrs=NUM, orderable=False)
    canceled_count = tables.Column(verbose_name=gettext_lazy("취소"), attrs=NUM, orderable=False)
    charged_won = tables.Column(verbose_name=gettext_lazy("청구액"), attrs=NUM)
    paid_won = tables.Column(verbose_name=gettext_lazy("결제액"), attrs=NUM)

    class Meta(KrdsTable.Meta):
        model = DeliveryCycle
        attrs = TABLE_ATTRS
        per_page = 50
        fields = (
            "ship_date",
            "orders_total",
            "paid_count",
            "failed_count",
            "action_count",
            "pending_count",
            "canceled_count",
            "charged_won",
            "paid_won",
        )
        order_by = ("-ship_date",)
        empty_text = gettext_lazy("조건에 맞는 배송 회차가 없습니다.")

    def __init__(self, *args, municipality_slug: str, zone: ZoneInfo, now: datetime, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.zone = zone
        self.now = now
        super().__init__(*args, **kwargs)

    def render_ship_date(self, record: DeliveryCycle) -> str:
        url = reverse(
            "subscriptions:staff-cycle", kwargs={"municipality_slug": self.municipality_slug, "cycle_id": record.pk}
        )
        moved = record.ship_date != record.scheduled_for
        return format_html(
            '<a href="{}">{}<span class="sr-only"> {}</span></a> {}{}<span class="cell-sub">{}</span>',
            url,
            record.ship_date.strftime("%Y-%m-%d"),
            _("%(cadence)s 회차 보기") % {"cadence": record.get_cadence_display()},
            self._status_badge(record),
            format_html(' <span class="krds-badge bg-light-warning">{}</span>', _("발송일 변경")) if moved else "",
            _("%(cadence)s · 마감 %(cutoff)s")
            % {
                "cadence": record.get_cadence_display(),
                "cutoff": record.cutoff_at.astimezone(self.zone).strftime("%m-%d %H:%M"),
            },
        )

    def _status_badge(self, record: DeliveryCycle) -> str:
        if record.status == DeliveryCycle.Status.OPEN and record.cutoff_at <= self.now:
            # The cutoff passed and the close task has not run yet: staff may close it now.
            return format_html('<span class="krds-badge bg-light-warning">{}</span>', _("마감 대기"))
        return format_html(
            '<span class="krds-badge {}">{}</span>', CYCLE_STATUS_BADGES[record.status], record.get_status_display()
        )

    def render_charged_won(self, value: int) -> str:
        return format_won(value)

    def render_paid_won(self, value: int) -> str:
        return format_won(value)


class CycleOrderTable(KrdsTable):
    """One cycle's orders; the queryset selects `subscriber`."""

    pk = tables.Column(verbose_name=gettext_lazy("주문"))
    subscriber = tables.Column(verbose_name=gettext_lazy("구독자"), accessor="subscriber__name", orderable=False)
    bundle_name = tables.Column(verbose_name=gettext_lazy("꾸러미"))
    amount_won = tables.Column(verbose_name=gettext_lazy("결제 금액"), attrs=NUM)
    status = tables.Column(verbose_name=gettext_lazy("상태"))
    attempts_count = tables.Column(verbose_name=gettext_lazy("시도"), attrs=NUM)
    failure_code = tables.Column(verbose_name=gettext_lazy("실패 사유"), empty_values=(), orderable=False, attrs=REASON)
    paid_at = tables.Column(verbose_name=gettext_lazy("결제 일시"), empty_values=())

    class Meta(KrdsTable.Meta):
        model = Order
        attrs = TABLE_ATTRS
        fields = (
            "pk",
            "subscriber",
            "bundle_name",
            "amount_won",
            "status",
            "attempts_count",
            "failure_code",
            "paid_at",
        )
        order_by = ("pk",)
        empty_text = gettext_lazy("조건에 맞는 주문이 없습니다.")

    def __init__(self, *args, municipality_slug: str, show_personal_data: bool, zone: ZoneInfo, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.show_personal_data = show_personal_data
        self.zone = zone
        super().__init__(*args, **kwargs)

    def render_pk(self, value: int) -> str:
        return _order_link(self.municipality_slug, value)

    def render_subscriber(self, value: str) -> str:
        return _subscriber(value, self.show_personal_data)

    def render_amount_won(self, record: Order) -> str:
        if record.boxes_charged == 0:
            return format_html('{} <span class="text-subtle">({})</span>', format_won(0), _("선결제분"))
        return format_won(record.amount_won)

    def render_status(self, record: Order) -> str:
        return order_status_badge(record)

    def render_failure_code(self, record: Order) -> str:
        if not record.failure_code or record.status == Order.Status.PAID:
            return "-"
        return decline_message(record.failure_code, for_staff=True)

    def render_paid_at(self, value: datetime | None) -> str:
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if value else "-"


def _order_link(municipality_slug: str, order_id: int) -> str:
    url = reverse("subscriptions:staff-order", kwargs={"municipality_slug": municipality_slug, "order_id": order_id})
    return format_html('<a href="{}">#{}<span class="sr-only"> {}</span></a>', url, order_id, _("주문 상세 보기"))


class FailedPaymentTable(KrdsTable):
    """Failed, waiting-for-authentication and cancelled-after-dunning orders; the queryset selects
    `subscriber` and `cycle`."""

    pk = tables.Column(verbose_name=gettext_lazy("주문"))
    subscriber = tables.Column(verbose_name=gettext_lazy("구독자"), accessor="subscriber__name", orderable=False)
    box = tables.Column(verbose_name=gettext_lazy("꾸러미 · 발송일"), accessor="cycle__ship_date")
    amount_won = tables.Column(verbose_name=gettext_lazy("금액"), attrs=NUM)
    status = tables.Column(verbose_name=gettext_lazy("상태"))
    failure_code = tables.Column(verbose_name=gettext_lazy("거절 사유"), empty_values=(), orderable=False, attrs=REASON)
    next_step = tables.Column(verbose_name=gettext_lazy("다음 조치"), empty_values=(), orderable=False)

    class Meta(KrdsTable.Meta):
        model = Order
        attrs = TABLE_ATTRS
        fields = ("pk", "subscriber", "box", "amount_won", "status", "failure_code", "next_step")
        order_by = ("-box", "-pk")
        empty_text = gettext_lazy("결제에 실패한 주문이 없습니다.")

    def __init__(
        self, *args, municipality_slug: str, show_personal_data: bool, zone: ZoneInfo, retries: int, **kwargs
    ) -> None:
        self.municipality_slug = municipality_slug
        self.show_personal_data = show_personal_data
        self.zone = zone
        self.retries = retries
        super().__init__(*args, **kwargs)

    def render_pk(self, value: int) -> str:
        return _order_link(self.municipality_slug, value)

    def render_subscriber(self, value: str) -> str:
        return _subscriber(value, self.show_personal_data)

    def render_box(self, record: Order) -> str:
        return format_html(
            '{}<span class="cell-sub">{}</span>',
            record.bundle_name,
            _("%(date)s 발송") % {"date": record.cycle.ship_date.strftime("%Y-%m-%d")},
        )

    def render_amount_won(self, value: int) -> str:
        return format_won(value)

    def render_status(self, record: Order) -> str:
        return order_status_badge(record)

    def render_failure_code(self, record: Order) -> str:
        if record.status == Order.Status.REQUIRES_ACTION and not record.failure_code:
            return _("카드사가 본인 인증(3-D Secure)을 요청했습니다.")
        text = decline_message(record.failure_code, for_staff=True)
        if record.failure_code:
            return format_html('{}<span class="cell-sub">{}</span>', text, record.failure_code)
        return text

    def render_next_step(self, record: Order) -> str:
        return dunning_next_step(record, retries=self.retries, zone=self.zone)
