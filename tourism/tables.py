"""Staff lists of partners and offers (django-tables2). Cells come from the row and its annotations
(tourism.selectors.staff_partners / staff_offers), so a page is one query whatever its length; CSV exports
(bundles.exports) give money as plain won and flags as 예/아니오."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bundles.tables import CatalogTable, WonColumn, YesNoColumn
from tourism.models import Offer, Partner

_NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class PartnerTable(CatalogTable):
    name = tables.Column(verbose_name=gettext_lazy("제휴처"))
    kind = tables.Column(verbose_name=gettext_lazy("분야"))
    phone = tables.Column(verbose_name=gettext_lazy("전화번호"), orderable=False)
    offer_count = tables.Column(verbose_name=gettext_lazy("혜택 수"), attrs=_NUM)
    issued_count = tables.Column(verbose_name=gettext_lazy("발급"), attrs=_NUM)
    redeemed_count = tables.Column(verbose_name=gettext_lazy("사용"), attrs=_NUM)
    reimbursed_won = WonColumn(verbose_name=gettext_lazy("정산 금액 누계"))
    is_active = YesNoColumn(verbose_name=gettext_lazy("활성"), yes=gettext_lazy("운영 중"), no=gettext_lazy("중지"))

    class Meta(CatalogTable.Meta):
        model = Partner
        fields = (
            "name",
            "kind",
            "phone",
            "offer_count",
            "issued_count",
            "redeemed_count",
            "reimbursed_won",
            "is_active",
        )
        order_by = ("name",)

    def render_name(self, value: str, record: Partner) -> str:
        return self.link("tourism:staff-partner", value, partner_id=record.pk)

    def value_name(self, value: str) -> str:
        return value


class OfferTable(CatalogTable):
    title = tables.Column(verbose_name=gettext_lazy("혜택"))
    partner = tables.Column(verbose_name=gettext_lazy("제휴처"), accessor="partner__name")
    kind = tables.Column(verbose_name=gettext_lazy("종류"))
    face_value_won = WonColumn(verbose_name=gettext_lazy("혜택 가치"))
    reimbursement_won = WonColumn(verbose_name=gettext_lazy("정산 금액"))
    bundle_count = tables.Column(verbose_name=gettext_lazy("연결 꾸러미"), attrs=_NUM)
    issued_count = tables.Column(verbose_name=gettext_lazy("발급"), attrs=_NUM)
    redeemed_count = tables.Column(verbose_name=gettext_lazy("사용"), attrs=_NUM)
    rate = tables.Column(verbose_name=gettext_lazy("사용률"), empty_values=(), orderable=False, attrs=_NUM)
    month_redeemed = tables.Column(verbose_name=gettext_lazy("이번 달 사용 / 한도"), attrs=_NUM)
    is_active = YesNoColumn(verbose_name=gettext_lazy("발급"), yes=gettext_lazy("발급 중"), no=gettext_lazy("중지"))

    class Meta(CatalogTable.Meta):
        model = Offer
        fields = (
            "title",
            "partner",
            "kind",
            "face_value_won",
            "reimbursement_won",
            "bundle_count",
            "issued_count",
            "redeemed_count",
            "rate",
            "month_redeemed",
            "is_active",
        )
        order_by = ("partner", "title")

    def render_title(self, value: str, record: Offer) -> str:
        return self.link("tourism:staff-offer", value, offer_id=record.pk)

    def value_title(self, value: str) -> str:
        return value

    def render_rate(self, record: Offer) -> str:
        if not record.issued_count:
            return "—"
        # Integer arithmetic: one decimal of a percent without floats.
        tenths = record.redeemed_count * 1000 // record.issued_count
        return f"{tenths // 10}.{tenths % 10}%"

    def value_rate(self, record: Offer) -> str:
        return self.render_rate(record)

    def render_month_redeemed(self, value: int, record: Offer) -> str:
        if record.monthly_cap is None:
            return _("%(used)d / 없음") % {"used": value}
        text = f"{value} / {record.monthly_cap}"
        if value * 100 >= record.monthly_cap * 80:
            return format_html('<span class="krds-badge bg-light-warning">{}</span>', text)
        return text

    def value_month_redeemed(self, value: int, record: Offer) -> str:
        return f"{value} / {record.monthly_cap if record.monthly_cap is not None else '-'}"
