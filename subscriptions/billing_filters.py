"""Filters of the staff billing pages (django-filter). The querysets they filter are already scoped to the
request's municipality by the views; the filters only narrow them."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bundles.models import Cadence
from core.forms import KrdsFormMixin
from subscriptions.gateways.stripe_gateway import HARD_DECLINES
from subscriptions.models import DeliveryCycle, Order


class KrdsFilterForm(KrdsFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"


class CycleFilter(django_filters.FilterSet):
    cadence = django_filters.ChoiceFilter(label=_("배송 주기"), choices=Cadence.choices, empty_label=_("전체"))
    status = django_filters.ChoiceFilter(
        label=_("회차 상태"), choices=DeliveryCycle.Status.choices, empty_label=_("전체")
    )
    ship_from = django_filters.DateFilter(
        label=_("발송일(부터)"), field_name="ship_date", lookup_expr="gte", widget=DateInput()
    )
    ship_to = django_filters.DateFilter(
        label=_("발송일(까지)"), field_name="ship_date", lookup_expr="lte", widget=DateInput()
    )

    class Meta:
        model = DeliveryCycle
        fields = ["cadence", "status", "ship_from", "ship_to"]
        form = KrdsFilterForm


class CycleOrderFilter(django_filters.FilterSet):
    """The orders of one cycle, by payment status (결제 중 is shown with 결제 대기: both are still to settle)."""

    status = django_filters.ChoiceFilter(
        label=_("결제 상태"), choices=Order.Status.choices, empty_label=_("전체"), method="filter_status"
    )

    class Meta:
        model = Order
        fields = ["status"]
        form = KrdsFilterForm

    def filter_status(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        if value == Order.Status.PENDING:
            return queryset.filter(status__in=[Order.Status.PENDING, Order.Status.CHARGING])
        return queryset.filter(status=value)


FAILED_STATUS_CHOICES = [
    (Order.Status.FAILED, _("결제 실패 (재시도 예정)")),
    (Order.Status.REQUIRES_ACTION, _("본인 인증 대기")),
    (Order.Status.CANCELED, _("재시도 끝에 취소")),
]


class FailedPaymentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("상태"), choices=FAILED_STATUS_CHOICES, empty_label=_("전체"), method="filter_status"
    )
    cadence = django_filters.ChoiceFilter(label=_("배송 주기"), choices=Cadence.choices, empty_label=_("전체"))
    hard_only = django_filters.BooleanFilter(
        label=_("재시도하지 않는 거절만"), method="filter_hard", widget=forms.CheckboxInput()
    )

    class Meta:
        model = Order
        fields = ["status", "cadence", "hard_only"]
        form = KrdsFilterForm

    def filter_status(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        return queryset.filter(status=value)

    def filter_hard(self, queryset: QuerySet[Order], name: str, value: bool | None) -> QuerySet[Order]:
        if not value:
            return queryset
        return queryset.filter(Q(failure_code__in=HARD_DECLINES))
