"""The public storefront of one municipality: its mall home, bundle pages and merchant pages.

Every page runs a fixed number of queries whatever the number of bundles, items and plans: lists
prefetch their cards' plans, and links are built from the tenant's slug, never through
`get_absolute_url` (which would fetch the municipality once per object).
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Prefetch, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bundles import selectors
from bundles.models import Bundle, Cadence, Category, Plan
from bundles.roles import CATALOG_ROLES
from bundles.storefront_prices import plan_prices
from core.forms import KrdsFormMixin

BUNDLES_PER_PAGE = 24
FEATURED_ON_HOME = 4
MAX_PRICE_LIMIT_WON = 10_000_000


class StorefrontFilterForm(KrdsFormMixin, forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("분류"), required=False, choices=[("", gettext_lazy("전체")), *Category.choices]
    )
    cadence = forms.ChoiceField(
        label=gettext_lazy("배송 주기"), required=False, choices=[("", gettext_lazy("전체")), *Cadence.choices]
    )
    max_price = forms.IntegerField(
        label=gettext_lazy("1회 가격 (원 이하)"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE_LIMIT_WON,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": gettext_lazy("예: 50000")}),
    )


def _cadence_rank(plan: Plan) -> int:
    return Cadence.values.index(plan.cadence)


def _card_plans(bundles: QuerySet[Bundle]) -> QuerySet[Bundle]:
    """Each card lists its cadences (weekly, biweekly, monthly): one query for the whole page."""
    order = Case(*(When(cadence=value, then=rank) for rank, value in enumerate(Cadence.values)))
    plans = Plan.objects.filter(is_active=True).order_by(order)
    return bundles.prefetch_related(Prefetch("plans", queryset=plans, to_attr="active_plans"))


def home(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    form = StorefrontFilterForm(request.GET)
    if not form.is_valid():
        # Only the valid conditions apply; a bad one is dropped with a word, never an error page.
        messages.warning(
            request,
            _("잘못 입력한 검색 조건은 빼고 보여 드립니다: %(fields)s")
            % {"fields": ", ".join(str(form.fields[name].label) for name in form.errors)},
        )
    filters = form.cleaned_data
    category = filters.get("category", "")
    cadence = filters.get("cadence", "")
    max_price_won = filters.get("max_price")
    bundles = selectors.storefront_bundles(
        municipality=municipality, category=category, cadence=cadence, max_price_won=max_price_won
    )
    page = Paginator(_card_plans(bundles), BUNDLES_PER_PAGE).get_page(request.GET.get("page"))
    is_filtered = bool(category or cadence or max_price_won is not None)
    featured = []
    if not is_filtered and page.number == 1:
        featured = list(
            _card_plans(selectors.storefront_bundles(municipality=municipality).filter(featured=True))[
                :FEATURED_ON_HOME
            ]
        )
    return render(
        request,
        "bundles/storefront/home.html",
        {
            "form": form,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "featured": featured,
            "categories": Category.choices,
            "selected_category": category,
            "is_filtered": is_filtered,
        },
    )


def bundle_detail(request: HttpRequest, bundle_slug: str) -> HttpResponse:
    municipality = request.municipality
    # Staff who curate the catalog may look at a draft before it goes on sale; nobody else learns it exists.
    preview = request.GET.get("preview") == "1" and bool(frozenset(request.roles) & CATALOG_ROLES)
    bundle = selectors.storefront_bundle(municipality=municipality, slug=bundle_slug, include_unpublished=preview)
    page_url = request.build_absolute_uri(
        reverse("bundles:detail", kwargs={"municipality_slug": municipality.slug, "bundle_slug": bundle.slug})
    )
    plans = [plan_prices(plan) for plan in sorted(bundle.active_plans, key=_cadence_rank)]
    return render(
        request,
        "bundles/storefront/bundle_detail.html",
        {
            "bundle": bundle,
            "items": list(bundle.items.all()),
            "plans": plans,
            "min_price_won": min((p.price_per_box_won for p in plans), default=None),
            "gallery": list(bundle.gallery.all()),
            "is_preview": bundle.status != Bundle.Status.PUBLISHED,
            "page_url": page_url,
            "image_url": request.build_absolute_uri(bundle.hero_image.url) if bundle.hero_image else "",
        },
    )


def merchant_detail(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = selectors.storefront_merchant(municipality=request.municipality, merchant_id=merchant_id)
    return render(
        request,
        "bundles/storefront/merchant_detail.html",
        {
            "merchant": merchant,
            "products": merchant.on_sale,
            "bundles": list(_card_plans(selectors.merchant_published_bundles(merchant=merchant))),
        },
    )
