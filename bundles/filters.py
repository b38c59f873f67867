"""Filters of the staff catalog lists (django-filter), rendered with the KRDS form look.

Each FilterSet narrows a queryset that already belongs to one municipality (bundles.selectors.staff_*);
choices that list other objects (the merchant filter) are limited to that municipality too.
A condition that does not parse is ignored rather than failing the page.
"""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bundles.models import Bundle, Cadence, Category, Merchant, Plan, Product, StorageClass
from core.forms import KrdsFormMixin


class KrdsFilterForm(KrdsFormMixin, forms.Form):
    pass


def _flag(label: str, yes: str, no: str) -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(
        label=label, widget=forms.Select(choices=[("", _("전체")), ("true", yes), ("false", no)])
    )


def _choice(label: str, choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(label=label, choices=choices, empty_label=_("전체"))


class MerchantFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("상호"), lookup_expr="icontains")
    category = _choice(_("분야"), Category.choices)
    is_active = _flag(_("활동"), _("활동 중"), _("중지"))

    class Meta:
        model = Merchant
        fields = ["name", "category", "is_active"]
        form = KrdsFilterForm


def _tenant_merchants(request) -> QuerySet[Merchant]:
    if request is None or getattr(request, "municipality", None) is None:
        return Merchant.objects.none()
    return Merchant.objects.for_tenant(request.municipality).order_by("name")


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("상품명 또는 소상공인"), method="filter_q")
    merchant = django_filters.ModelChoiceFilter(label=_("소상공인"), queryset=_tenant_merchants, empty_label=_("전체"))
    category = _choice(_("분류"), Category.choices)
    storage_class = _choice(_("보관"), StorageClass.choices)
    is_active = _flag(_("판매"), _("판매 중"), _("중지"))

    class Meta:
        model = Product
        fields = ["q", "merchant", "category", "storage_class", "is_active"]
        form = KrdsFilterForm

    def filter_q(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(merchant__name__icontains=value))


class BundleFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("꾸러미 이름"), lookup_expr="icontains")
    status = _choice(_("상태"), Bundle.Status.choices)
    category = _choice(_("분류"), Category.choices)
    featured = _flag(_("추천"), _("추천만"), _("추천 아님"))

    class Meta:
        model = Bundle
        fields = ["name", "status", "category", "featured"]
        form = KrdsFilterForm


class PlanFilter(django_filters.FilterSet):
    cadence = _choice(_("배송 주기"), Cadence.choices)
    is_active = _flag(_("판매"), _("판매 중"), _("중지"))

    class Meta:
        model = Plan
        fields = ["cadence", "is_active"]
        form = KrdsFilterForm
