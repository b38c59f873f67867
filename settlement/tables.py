"""Lists of statements and payouts (django-tables2). Cells come from the statement row and its period
(select_related), so a page is one query whatever its length; CSV exports give money as plain won."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from bundles.tables import WonColumn
from core.tables import KrdsTable
from settlement.models import PayoutItem, Statement


class StatementTable(KrdsTable):
    """A party's statements (portal) or a period's statements (staff); rows link to `detail_url_name`."""

    number = tables.Column(verbose_name=gettext_lazy("번호"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    period = tables.Column(
        verbose_name=gettext_lazy("정산 기간"), accessor="period__label", order_by="period__starts_at"
    )
    party_name = tables.Column(verbose_name=gettext_lazy("상호"))
    issued_at = tables.DateColumn(verbose_name=gettext_lazy("발행일"), format="Y-m-d")
    net_won = WonColumn(verbose_name=gettext_lazy("정산 금액"))
    payable_won = WonColumn(verbose_name=gettext_lazy("지급액"))
    carry_out_won = WonColumn(verbose_name=gettext_lazy("다음 기간 이월"))
    pdf = tables.Column(
        verbose_name=gettext_lazy("PDF"), accessor="pdf_sha256", orderable=False, exclude_from_export=True
    )

    class Meta(KrdsTable.Meta):
        model = Statement
        fields = ("number", "period", "party_name", "issued_at", "net_won", "payable_won", "carry_out_won", "pdf")
        order_by = ("-period",)

    def __init__(
        self, *args, municipality_slug: str, detail_url_name: str, pdf_url_name: str, show_party: bool, **kwargs
    ) -> None:
        self.municipality_slug = municipality_slug
        self.detail_url_name, self.pdf_url_name = detail_url_name, pdf_url_name
        self.show_party = show_party
        super().__init__(*args, exclude=() if show_party else ("party_name",), **kwargs)

    def _url(self, name: str, record: Statement) -> str:
        return reverse(name, kwargs={"municipality_slug": self.municipality_slug, "statement_id": record.pk})

    def render_period(self, value: str, record: Statement) -> str:
        if self.show_party:
            return value
        return format_html('<a href="{}">{}</a>', self._url(self.detail_url_name, record), value)

    def value_period(self, value: str) -> str:
        return value

    def render_party_name(self, value: str, record: Statement) -> str:
        return format_html('<a href="{}">{}</a>', self._url(self.detail_url_name, record), value)

    def value_party_name(self, value: str) -> str:
        return value

    def render_pdf(self, value: str, record: Statement) -> str:
        if not value:
            return gettext_lazy("만드는 중")
        return format_html(
            '<a href="{}" class="krds-btn text">{}</a>', self._url(self.pdf_url_name, record), gettext_lazy("내려받기")
        )


class PayoutItemTable(KrdsTable):
    number = tables.Column(
        verbose_name=gettext_lazy("정산서"), accessor="statement__number", attrs={"td": {"class": "num"}}
    )
    party_name = tables.Column(verbose_name=gettext_lazy("상호"))
    bank_code = tables.Column(verbose_name=gettext_lazy("은행코드"))
    account_number = tables.Column(verbose_name=gettext_lazy("계좌번호"))
    account_holder = tables.Column(verbose_name=gettext_lazy("예금주"))
    amount_won = WonColumn(verbose_name=gettext_lazy("금액"))

    class Meta(KrdsTable.Meta):
        model = PayoutItem
        fields = ("number", "party_name", "bank_code", "account_number", "account_holder", "amount_won")
        order_by = ("number",)
        per_page = 100
