"""Reads of the catalog. Every list runs a fixed number of queries, whatever its size."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet

from bundles import pricing
from bundles.models import Bundle, BundleItem, Merchant, MerchantMember, Plan, Product
from municipalities.models import Municipality
from municipalities.tenancy import get_for_tenant_or_404

PROGRAM_GOAL_BUNDLES = 30
PROGRAM_GOAL_PRODUCTS = 100


def _month_bit(on: date) -> int:
    return 1 << (on.month - 1)


# --- Storefront --------------------------------------------------------------------------------------------
def storefront_bundles(
    *, municipality: Municipality, category: str = "", cadence: str = "", max_price_won: int | None = None
) -> QuerySet[Bundle]:
    """Published bundles with `min_price_won` (cheapest active plan per box); filters are optional."""
    plans = Q(plans__is_active=True)
    if cadence:
        plans &= Q(plans__cadence=cadence)
    bundles = (
        Bundle.objects.for_tenant(municipality)
        .filter(status=Bundle.Status.PUBLISHED)
        .annotate(min_price_won=Min("plans__price_won", filter=plans))
        .filter(min_price_won__isnull=False)
        .order_by("-featured", "name")
    )
    if category:
        bundles = bundles.filter(category=category)
    if max_price_won is not None:
        bundles = bundles.filter(min_price_won__lte=max_price_won)
    return bundles


def storefront_bundle(*, municipality: Municipality, slug: str, include_unpublished: bool = False) -> Bundle:
    """One bundle with its items, their merchants, active plans and gallery prefetched (5 queries)."""
    bundles = Bundle.objects.select_related("municipality").prefetch_related(
        Prefetch("items", queryset=BundleItem.objects.select_related("product__merchant").order_by("pk")),
        Prefetch("plans", queryset=Plan.objects.filter(is_active=True).order_by("cadence"), to_attr="active_plans"),
        "gallery",
    )
    if not include_unpublished:
        bundles = bundles.filter(status=Bundle.Status.PUBLISHED)
    return get_for_tenant_or_404(bundles, municipality=municipality, slug=slug)


def storefront_merchant(*, municipality: Municipality, merchant_id: int) -> Merchant:
    merchants = Merchant.objects.filter(is_active=True).prefetch_related(
        Prefetch("products", queryset=Product.objects.filter(is_active=True).order_by("name"), to_attr="on_sale"),
    )
    return get_for_tenant_or_404(merchants, municipality=municipality, pk=merchant_id)


def merchant_published_bundles(*, merchant: Merchant) -> QuerySet[Bundle]:
    return (
        Bundle.objects.for_tenant(merchant.municipality_id)
        .filter(status=Bundle.Status.PUBLISHED, items__product__merchant=merchant)
        .annotate(min_price_won=Min("plans__price_won", filter=Q(plans__is_active=True)))
        .filter(min_price_won__isnull=False)
        .distinct()
        .order_by("name")
    )


# --- Pricing summaries -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CostSummary:
    cost_won: int
    storage_class: str
    margins: list[tuple[Plan, pricing.Margin]]


def bundle_cost_summary(*, bundle: Bundle) -> CostSummary:
    """Cost of the items and the margin of each active plan, for the composer (2 queries)."""
    items = list(BundleItem.objects.filter(bundle=bundle).select_related("product"))
    cost = pricing.items_cost_won((i.product.supply_price_won, i.quantity) for i in items)
    municipality = bundle.municipality
    margins = [
        (
            plan,
            pricing.margin(
                price_won=plan.price_won,
                cost_won=cost,
                commission_bp=municipality.commission_rate_bp,
                card_fee_bp=municipality.card_fee_rate_bp,
            ),
        )
        for plan in Plan.objects.filter(bundle=bundle, is_active=True).order_by("cadence")
    ]
    return CostSummary(cost, pricing.coldest(i.product.storage_class for i in items), margins)


# --- Staff -------------------------------------------------------------------------------------------------
def staff_merchants(*, municipality: Municipality) -> QuerySet[Merchant]:
    return Merchant.objects.for_tenant(municipality).annotate(product_count=Count("products")).order_by("name")


def staff_merchant(*, municipality: Municipality, merchant_id: int) -> Merchant:
    return get_for_tenant_or_404(Merchant.objects.all(), municipality=municipality, pk=merchant_id)


def staff_products(*, municipality: Municipality) -> QuerySet[Product]:
    return Product.objects.for_tenant(municipality).select_related("merchant").order_by("merchant__name", "name")


def staff_product(*, municipality: Municipality, product_id: int) -> Product:
    return get_for_tenant_or_404(Product.objects.select_related("merchant"), municipality=municipality, pk=product_id)


def staff_bundles(*, municipality: Municipality) -> QuerySet[Bundle]:
    return (
        Bundle.objects.for_tenant(municipality)
        .annotate(
            item_count=Count("items", distinct=True),
            min_price_won=Min("plans__price_won", filter=Q(plans__is_active=True)),
        )
        .order_by("name")
    )


def staff_bundle(*, municipality: Municipality, bundle_id: int) -> Bundle:
    return get_for_tenant_or_404(
        Bundle.objects.select_related("municipality", "status_changed_by", "variant_of"),
        municipality=municipality,
        pk=bundle_id,
    )


def staff_plans(*, municipality: Municipality) -> QuerySet[Plan]:
    return Plan.objects.for_tenant(municipality).select_related("bundle").order_by("bundle__name", "cadence")


def product_search(
    *, municipality: Municipality, query: str = "", category: str = "", limit: int = 20
) -> list[Product]:
    products = Product.objects.for_tenant(municipality).filter(is_active=True, merchant__is_active=True)
    if query:
        products = products.filter(Q(name__icontains=query) | Q(merchant__name__icontains=query))
    if category:
        products = products.filter(category=category)
    return list(products.select_related("merchant").order_by("name")[:limit])


@dataclass(frozen=True)
class ProgramProgress:
    published_bundles: int
    listed_products: int
    active_merchants: int
    goal_bundles: int = PROGRAM_GOAL_BUNDLES
    goal_products: int = PROGRAM_GOAL_PRODUCTS

    @property
    def bundles_percent(self) -> int:
        return min(100, self.published_bundles * 100 // self.goal_bundles)

    @property
    def products_percent(self) -> int:
        return min(100, self.listed_products * 100 // self.goal_products)


def program_progress(*, municipality: Municipality) -> ProgramProgress:
    """Progress toward the program goals: 30 published bundles and 100 listed merchant products.
    A product counts as listed when it is on sale and sits in a published bundle."""
    published = Bundle.objects.for_tenant(municipality).filter(status=Bundle.Status.PUBLISHED)
    listed = (
        Product.objects.for_tenant(municipality)
        .filter(is_active=True, merchant__is_active=True, bundle_items__bundle__in=published)
        .distinct()
    )
    merchants = Merchant.objects.for_tenant(municipality).filter(is_active=True)
    return ProgramProgress(published.count(), listed.count(), merchants.count())


def bundles_needing_attention(*, municipality: Municipality, on: date) -> QuerySet[Bundle]:
    """Published bundles that could not be published again for `on`: an item went off sale or out of season."""
    bit = _month_bit(on)
    return (
        Bundle.objects.for_tenant(municipality)
        .filter(status=Bundle.Status.PUBLISHED)
        .alias(season_bit=F("items__product__season_months").bitand(bit))
        .filter(Q(items__product__is_active=False) | Q(items__product__merchant__is_active=False) | Q(season_bit=0))
        .distinct()
        .order_by("name")
    )


# --- Merchant portal ---------------------------------------------------------------------------------------
def merchant_for_user(*, municipality: Municipality, user) -> Merchant | None:
    binding = (
        MerchantMember.objects.for_tenant(municipality)
        .filter(membership__user=user, membership__role="merchant")
        .select_related("merchant")
        .first()
    )
    return binding.merchant if binding else None
