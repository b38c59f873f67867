"""Staff lists of the catalog. Every cell comes from the row itself or its select_related/annotated
columns (bundles.selectors.staff_*), and links are reversed from the tenant's slug handed to the table,
never through `get_absolute_url` (which would fetch the municipality once per row).

CSV exports (bundles.exports) use `table.as_values()`: money is exported as a plain number of won and
yes/no as 예/아니오, so a spreadsheet can add the columns up.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bundles.models import Bundle, Merchant, Plan, Product
from core.money import format_won
from core.tables import KrdsTable


class WonColumn(tables.Column):
    """Integer won: '39,000원' on the page, 39000 in the CSV."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value: int) -> str:
        return format_won(value)

    def value(self, value: int | None) -> int | str:
        return "" if value is None else value


class YesNoColumn(tables.Column):
    """A flag shown as a small badge; '예'/'아니오' in the CSV."""

    def __init__(self, *args, yes: str, no: str, **kwargs) -> None:
        self.yes, self.no = yes, no
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value: bool) -> str:
        if value:
            return format_html('<span class="krds-badge bg-light-success">{}</span>', self.yes)
        return format_html('<span class="krds-badge bg-light-gray">{}</span>', self.no)

    def value(self, value: bool) -> str:
        return _("예") if value else _("아니오")


class CatalogTable(KrdsTable):
    """Base of the catalog lists: knows the tenant's slug (for links) and whether the viewer may edit."""

    class Meta(KrdsTable.Meta):
        abstract = True

    def __init__(self, *args, municipality_slug: str, can_edit: bool, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.can_edit = can_edit
        super().__init__(*args, **kwargs)

    def link(self, url_name: str, text: str, **kwargs) -> str:
        if not self.can_edit:
            return text
        url = reverse(url_name, kwargs={"municipality_slug": self.municipality_slug, **kwargs})
        return format_html('<a href="{}" class="krds-btn text">{}</a>', url, text)


class MerchantTable(CatalogTable):
    name = tables.Column(verbose_name=gettext_lazy("상호"))
    representative = tables.Column(verbose_name=gettext_lazy("대표자"))
    category = tables.Column(verbose_name=gettext_lazy("분야"))
    product_count = tables.Column(
        verbose_name=gettext_lazy("상품 수"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    is_active = YesNoColumn(verbose_name=gettext_lazy("활성"), yes=gettext_lazy("활동 중"), no=gettext_lazy("중지"))

    class Meta(CatalogTable.Meta):
        model = Merchant
        fields = ("name", "representative", "category", "product_count", "is_active")
        order_by = ("name",)

    def render_name(self, value: str, record: Merchant) -> str:
        return self.link("bundles:staff-merchant", value, merchant_id=record.pk)

    def value_name(self, value: str) -> str:
        return value


class ProductTable(CatalogTable):
    name = tables.Column(verbose_name=gettext_lazy("상품명"))
    merchant = tables.Column(verbose_name=gettext_lazy("소상공인"), accessor="merchant__name")
    unit = tables.Column(verbose_name=gettext_lazy("단위"), orderable=False)
    storage_class = tables.Column(verbose_name=gettext_lazy("보관"))
    supply_price_won = WonColumn(verbose_name=gettext_lazy("공급가"))
    tax_type = tables.Column(verbose_name=gettext_lazy("과세 구분"))
    stock_per_cycle = tables.Column(
        verbose_name=gettext_lazy("회차당 수량"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    is_active = YesNoColumn(verbose_name=gettext_lazy("판매"), yes=gettext_lazy("판매 중"), no=gettext_lazy("중지"))

    class Meta(CatalogTable.Meta):
        model = Product
        fields = (
            "name",
            "merchant",
            "unit",
            "storage_class",
            "supply_price_won",
            "tax_type",
            "stock_per_cycle",
            "is_active",
        )
        order_by = ("merchant", "name")

    def render_name(self, value: str, record: Product) -> str:
        return self.link("bundles:staff-product", value, product_id=record.pk)

    def value_name(self, value: str) -> str:
        return value


class BundleTable(CatalogTable):
    name = tables.Column(verbose_name=gettext_lazy("꾸러미 이름"))
    category = tables.Column(verbose_name=gettext_lazy("분류"))
    status = tables.Column(verbose_name=gettext_lazy("상태"))
    storage_class = tables.Column(verbose_name=gettext_lazy("보관"))
    item_count = tables.Column(
        verbose_name=gettext_lazy("구성 상품 수"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    min_price_won = WonColumn(verbose_name=gettext_lazy("최저 1회 가격"))
    featured = tables.Column(verbose_name=gettext_lazy("추천"), empty_values=())

    class Meta(CatalogTable.Meta):
        model = Bundle
        fields = ("name", "category", "status", "storage_class", "item_count", "min_price_won", "featured")
        order_by = ("name",)

    def render_name(self, value: str, record: Bundle) -> str:
        return self.link("bundles:staff-bundle", value, bundle_id=record.pk)

    def value_name(self, value: str) -> str:
        return value

    def render_status(self, value: str, record: Bundle) -> str:
        css = {
            Bundle.Status.PUBLISHED: "bg-light-success",
            Bundle.Status.DRAFT: "bg-light-warning",
            Bundle.Status.RETIRED: "bg-light-gray",
        }[Bundle.Status(record.status)]
        return format_html('<span class="krds-badge {}">{}</span>', css, value)

    def value_status(self, value: str) -> str:
        return value

    def render_featured(self, value: bool) -> str:
        return format_html('<span class="krds-badge bg-light-primary">{}</span>', _("추천")) if value else ""

    def value_featured(self, value: bool) -> str:
        return _("예") if value else _("아니오")


class PlanTable(CatalogTable):
    bundle = tables.Column(verbose_name=gettext_lazy("꾸러미"), accessor="bundle__name")
    cadence = tables.Column(verbose_name=gettext_lazy("배송 주기"))
    price_won = WonColumn(verbose_name=gettext_lazy("1회 가격"))
    shipping_fee_won = WonColumn(verbose_name=gettext_lazy("배송비"))
    discounts = tables.Column(verbose_name=gettext_lazy("선결제 할인"), empty_values=(), orderable=False)
    is_active = YesNoColumn(verbose_name=gettext_lazy("판매"), yes=gettext_lazy("판매 중"), no=gettext_lazy("중지"))

    class Meta(CatalogTable.Meta):
        model = Plan
        fields = ("bundle", "cadence", "price_won", "shipping_fee_won", "discounts", "is_active")
        order_by = ("bundle", "cadence")

    def render_bundle(self, value: str, record: Plan) -> str:
        return self.link("bundles:staff-bundle", value, bundle_id=record.bundle_id)

    def value_bundle(self, value: str) -> str:
        return value

    def render_discounts(self, record: Plan) -> str:
        offered = [
            _("%(term)d회 %(percent)s%%") % {"term": term, "percent": _percent(record.discount_bp(term))}
            for term in record.offered_terms()
        ]
        return ", ".join(offered) or _("없음")

    def value_discounts(self, record: Plan) -> str:
        return self.render_discounts(record)


def _percent(bp: int) -> str:
    """750 bp → '7.5', 1000 bp → '10', 1 bp → '0.01' (integer arithmetic, no float)."""
    whole, rest = divmod(bp, 100)
    return f"{whole}.{rest:02d}".rstrip("0").rstrip(".") if rest else str(whole)
