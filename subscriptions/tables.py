"""Staff tables of subscriptions, promo codes and their uses (django-tables2 on the KRDS base table).

Subscribers' names and phones are masked unless the viewer's role needs them (`show_personal_data`).
Every column reads from the row and its select_related parents only, so a page costs no query per row.
"""

from decimal import Decimal

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import privacy
from core.money import format_won
from core.tables import KrdsTable
from subscriptions.models import PromoCode, PromoRedemption, Subscription

STATUS_BADGES = {
    Subscription.Status.ACTIVE: "bg-light-success",
    Subscription.Status.PAUSED: "bg-light-gray",
    Subscription.Status.PAST_DUE: "bg-light-danger",
    Subscription.Status.CANCELED: "bg-light-secondary",
}


def promo_amount_display(*, kind: str, amount: int) -> str:
    """1000 bp → "10%", 1250 → "12.5%", 5000 won → "5,000원" (Decimal, so no float rounding)."""
    if kind == PromoCode.Kind.PERCENT:
        return f"{(Decimal(amount) / 100).normalize():f}%"
    return format_won(amount)


def promo_boxes_display(boxes: int | None) -> str:
    return _("모든 회차") if boxes is None else _("첫 %(n)d회") % {"n": boxes}


def term_display(term_boxes: int) -> str:
    return _("회차별 결제") if term_boxes == 1 else _("%(n)d회 선결제") % {"n": term_boxes}


def local_datetime(value) -> str:
    """An aware datetime as local "YYYY-MM-DD HH:MM" (the time zone of the request), "" for None."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


NOWRAP_ATTRS = {"class": "tbl col data sub-table"}  # short cells stay on one line; the wrapper scrolls


class SubscriptionTable(KrdsTable):
    pk = tables.Column(verbose_name=gettext_lazy("번호"))
    subscriber = tables.Column(verbose_name=gettext_lazy("구독자"), accessor="subscriber__name", orderable=False)
    phone = tables.Column(verbose_name=gettext_lazy("휴대전화"), accessor="subscriber__phone", orderable=False)
    bundle = tables.Column(verbose_name=gettext_lazy("꾸러미"), accessor="bundle__name")
    cadence = tables.Column(verbose_name=gettext_lazy("배송 주기"))
    term_boxes = tables.Column(verbose_name=gettext_lazy("결제 방식"))
    status = tables.Column(verbose_name=gettext_lazy("상태"))
    source = tables.Column(verbose_name=gettext_lazy("유입 경로"), empty_values=())
    created_at = tables.DateTimeColumn(verbose_name=gettext_lazy("구독 시작일"), format="Y-m-d")
    # Only in the CSV export (as_values includes hidden columns); the export's queryset selects promo_code.
    promo = tables.Column(
        verbose_name=gettext_lazy("프로모션 코드"), accessor="promo_code__code", visible=False, default=""
    )
    canceled_at = tables.Column(verbose_name=gettext_lazy("해지일시"), visible=False, default="")
    cancel_reason = tables.Column(verbose_name=gettext_lazy("해지 사유"), visible=False, default="")

    class Meta(KrdsTable.Meta):
        model = Subscription
        attrs = NOWRAP_ATTRS
        fields = ("pk", "subscriber", "phone", "bundle", "cadence", "term_boxes", "status", "source", "created_at")
        order_by = ("-created_at",)
        empty_text = gettext_lazy("조건에 맞는 구독이 없습니다.")

    def __init__(self, *args, municipality_slug: str, show_personal_data: bool, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.show_personal_data = show_personal_data
        super().__init__(*args, **kwargs)

    def render_pk(self, value: int) -> str:
        url = reverse(
            "subscriptions:staff-subscription",
            kwargs={"municipality_slug": self.municipality_slug, "subscription_id": value},
        )
        return format_html('<a href="{}">#{}<span class="sr-only"> {}</span></a>', url, value, _("구독 기록 보기"))

    def render_subscriber(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_name(value)

    def render_phone(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_phone(value)

    def render_cadence(self, record: Subscription) -> str:
        return record.get_cadence_display()

    def render_term_boxes(self, value: int) -> str:
        return term_display(value)

    def render_status(self, record: Subscription) -> str:
        return format_html(
            '<span class="krds-badge {}">{}</span>', STATUS_BADGES.get(record.status, ""), record.get_status_display()
        )

    def render_source(self, value: str) -> str:
        return value or "-"

    # Plain values for the CSV export.
    def value_pk(self, value: int) -> int:
        return value

    def value_status(self, record: Subscription) -> str:
        return record.get_status_display()

    def value_source(self, value: str) -> str:
        return value

    def value_created_at(self, value) -> str:
        return local_datetime(value)

    def value_canceled_at(self, value) -> str:
        return local_datetime(value) if value else ""

    def value_cancel_reason(self, record: Subscription) -> str:
        return record.get_cancel_reason_display() if record.cancel_reason else ""


class PromoCodeTable(KrdsTable):
    code = tables.Column(verbose_name=gettext_lazy("코드"))
    description = tables.Column(verbose_name=gettext_lazy("설명"), empty_values=(), orderable=False)
    amount = tables.Column(verbose_name=gettext_lazy("할인"), orderable=False)
    boxes = tables.Column(verbose_name=gettext_lazy("적용 회차"), empty_values=(), orderable=False)
    window = tables.Column(verbose_name=gettext_lazy("사용 기간"), accessor="valid_from", orderable=False)
    uses = tables.Column(verbose_name=gettext_lazy("사용 / 한도"), accessor="uses_count")
    is_active = tables.Column(verbose_name=gettext_lazy("상태"))

    class Meta(KrdsTable.Meta):
        model = PromoCode
        attrs = NOWRAP_ATTRS
        fields = ("code", "description", "amount", "boxes", "window", "uses", "is_active")
        empty_text = gettext_lazy("아직 만든 프로모션 코드가 없습니다.")

    def __init__(self, *args, municipality_slug: str, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        super().__init__(*args, **kwargs)

    def render_code(self, record: PromoCode) -> str:
        url = reverse(
            "subscriptions:staff-promo", kwargs={"municipality_slug": self.municipality_slug, "promo_id": record.pk}
        )
        return format_html('<a href="{}" class="promo-code">{}</a>', url, record.code)

    def render_description(self, value: str) -> str:
        return value or "-"

    def render_amount(self, record: PromoCode) -> str:
        return promo_amount_display(kind=record.kind, amount=record.amount)

    def render_boxes(self, value: int | None) -> str:
        return promo_boxes_display(value)

    def render_window(self, record: PromoCode) -> str:
        return f"{local_datetime(record.valid_from)} ~ {local_datetime(record.valid_until)}"

    def render_uses(self, record: PromoCode) -> str:
        limit = _("제한 없음") if record.max_uses is None else f"{record.max_uses:,}"
        return f"{record.uses_count:,} / {limit}"

    def render_is_active(self, value: bool) -> str:
        if value:
            return format_html('<span class="krds-badge bg-light-success">{}</span>', _("사용 가능"))
        return format_html('<span class="krds-badge bg-light-gray">{}</span>', _("중지"))


class PromoRedemptionTable(KrdsTable):
    """Who used a code. Subscribers are always masked here: the page is about the code, not the person."""

    created_at = tables.DateTimeColumn(verbose_name=gettext_lazy("사용 일시"), format="Y-m-d H:i")
    subscription = tables.Column(verbose_name=gettext_lazy("구독"), accessor="subscription_id")
    subscriber = tables.Column(verbose_name=gettext_lazy("구독자"), accessor="subscriber__name", orderable=False)
    status = tables.Column(verbose_name=gettext_lazy("구독 상태"), accessor="subscription__status")

    class Meta(KrdsTable.Meta):
        model = PromoRedemption
        attrs = NOWRAP_ATTRS
        fields = ("created_at", "subscription", "subscriber", "status")
        order_by = ("-created_at",)
        empty_text = gettext_lazy("아직 이 코드를 쓴 구독이 없습니다.")

    def __init__(self, *args, municipality_slug: str, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        super().__init__(*args, **kwargs)

    def render_subscription(self, value: int) -> str:
        url = reverse(
            "subscriptions:staff-subscription",
            kwargs={"municipality_slug": self.municipality_slug, "subscription_id": value},
        )
        return format_html('<a href="{}">#{}<span class="sr-only"> {}</span></a>', url, value, _("구독 기록 보기"))

    def render_subscriber(self, value: str) -> str:
        return privacy.mask_name(value)

    def render_status(self, record: PromoRedemption) -> str:
        sub = record.subscription
        return format_html(
            '<span class="krds-badge {}">{}</span>', STATUS_BADGES.get(sub.status, ""), sub.get_status_display()
        )
