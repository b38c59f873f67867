"""Filters of the staff message log (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsFormMixin
from notifications.models import Channel, Kind, Message


class KrdsFilterForm(KrdsFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"


class MessageFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("종류"), choices=Kind.choices, empty_label=_("전체"))
    channel = django_filters.ChoiceFilter(label=_("채널"), choices=Channel.choices, empty_label=_("전체"))
    status = django_filters.ChoiceFilter(label=_("상태"), choices=Message.Status.choices, empty_label=_("전체"))
    created_from = django_filters.DateFilter(
        label=_("보낸 날(부터)"), field_name="created_at", lookup_expr="date__gte", widget=DateInput()
    )
    created_to = django_filters.DateFilter(
        label=_("보낸 날(까지)"), field_name="created_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Message
        fields = ["kind", "channel", "status", "created_from", "created_to"]
        form = KrdsFilterForm
