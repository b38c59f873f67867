"""Filters of the staff subscription list (django-filter), scoped to the request's municipality."""

import django_filters
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bundles.models import Bundle, Cadence
from core.forms import KrdsFormMixin
from subscriptions.models import Subscription


class KrdsFilterForm(KrdsFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"


def _bundles(request: HttpRequest | None):
    if request is None or getattr(request, "municipality", None) is None:
        return Bundle.objects.none()
    return Bundle.objects.for_tenant(request.municipality).order_by("name")


class SubscriptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("상태"), choices=Subscription.Status.choices, empty_label=_("전체"))
    bundle = django_filters.ModelChoiceFilter(label=_("꾸러미"), queryset=_bundles, empty_label=_("전체"))
    cadence = django_filters.ChoiceFilter(label=_("배송 주기"), choices=Cadence.choices, empty_label=_("전체"))
    source = django_filters.CharFilter(label=_("유입 경로"), lookup_expr="icontains")
    created_from = django_filters.DateFilter(
        label=_("구독 시작일(부터)"), field_name="created_at", lookup_expr="date__gte", widget=DateInput()
    )
    created_to = django_filters.DateFilter(
        label=_("구독 시작일(까지)"), field_name="created_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Subscription
        fields = ["status", "bundle", "cadence", "source", "created_from", "created_to"]
        form = KrdsFilterForm
