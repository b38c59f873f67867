"""Filters of the staff shipment list (django-filter). The queryset is already one cycle of the
request's municipality; the filters only narrow it."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bundles.models import StorageClass
from core.forms import KrdsFormMixin
from delivery.courier import COURIERS
from delivery.models import Shipment

COLD = "cold"


class KrdsFilterForm(KrdsFormMixin, forms.Form):
    pass


class ShipmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("상태"), choices=Shipment.Status.choices, empty_label=_("전체"))
    method = django_filters.ChoiceFilter(label=_("배송 방법"), choices=Shipment.Method.choices, empty_label=_("전체"))
    storage_class = django_filters.ChoiceFilter(
        label=_("보관"),
        choices=[(COLD, _("냉장·냉동 모두")), *StorageClass.choices],
        empty_label=_("전체"),
        method="filter_storage",
    )
    courier = django_filters.ChoiceFilter(
        label=_("택배사"), choices=[(name, name) for name in COURIERS], empty_label=_("전체")
    )

    class Meta:
        model = Shipment
        fields = ["status", "method", "storage_class", "courier"]
        form = KrdsFilterForm

    def filter_storage(self, queryset: QuerySet[Shipment], name: str, value: str) -> QuerySet[Shipment]:
        if value == COLD:
            return queryset.exclude(storage_class=StorageClass.AMBIENT)
        return queryset.filter(storage_class=value)
