"""Filters of the staff partner and offer lists (django-filter), scoped to the request's municipality."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bundles.filters import KrdsFilterForm, _choice, _flag
from tourism.models import Offer, Partner


def _tenant_partners(request) -> QuerySet[Partner]:
    if request is None or getattr(request, "municipality", None) is None:
        return Partner.objects.none()
    return Partner.objects.for_tenant(request.municipality).order_by("name")


class PartnerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("제휴처 이름"), lookup_expr="icontains")
    kind = _choice(_("분야"), Partner.Kind.choices)
    is_active = _flag(_("운영"), _("운영 중"), _("중지"))

    class Meta:
        model = Partner
        fields = ["name", "kind", "is_active"]
        form = KrdsFilterForm


class OfferFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("혜택 또는 제휴처"), method="filter_q")
    partner = django_filters.ModelChoiceFilter(label=_("제휴처"), queryset=_tenant_partners, empty_label=_("전체"))
    kind = _choice(_("종류"), Offer.Kind.choices)
    is_active = _flag(_("발급"), _("발급 중"), _("중지"))

    class Meta:
        model = Offer
        fields = ["q", "partner", "kind", "is_active"]
        form = KrdsFilterForm

    def filter_q(self, queryset: QuerySet[Offer], name: str, value: str) -> QuerySet[Offer]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(partner__name__icontains=value))
