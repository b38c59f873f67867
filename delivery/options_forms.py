"""Forms of the delivery options pages: the staff settings (local area, methods, cold-chain weekdays),
holidays and pickup points; the subscriber's method choice and box rating. They only parse; the rules are
in delivery.options and delivery.ratings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsFormMixin
from delivery.models import PickupPoint, Shipment
from delivery.options import (
    WEEKDAY_LABELS,
    area_names_text,
    parse_area_names,
    parse_postcode_ranges,
    postcode_ranges_text,
)
from delivery.ratings import COMMENT_MAX, SCORES
from subscriptions.forms import radio_options
from subscriptions.staff_forms import DateInput, KrdsCheckboxSelectMultiple

Method = Shipment.Method
COLD_HELP = _("휴일과 그 전날에는 보내지 않습니다. 다른 날에 발송하는 회차의 냉장·냉동 상자는 다음 가능한 날에 갑니다.")


class DeliverySettingsForm(KrdsFormMixin, forms.Form):
    allow_local = forms.BooleanField(label=_("지역 직접 배송을 고를 수 있게 합니다"), required=False)
    local_postcodes = forms.CharField(
        label=_("직접 배송 우편번호"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "52300-52399\n52405"}),
        help_text=_("한 줄에 하나씩: 우편번호 5자리(52405) 또는 범위(52300-52399)."),
    )
    local_area_names = forms.CharField(
        label=_("직접 배송 읍·면·동"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "하동읍\n악양면"}),
        help_text=_("한 줄에 하나씩: 하동읍, 악양면, 종로1가처럼 적습니다. 주소에 이 이름이 있으면 지역 안입니다."),
    )
    allow_pickup = forms.BooleanField(label=_("방문 수령을 고를 수 있게 합니다"), required=False)
    cold_weekdays = forms.TypedMultipleChoiceField(
        label=_("냉장·냉동 상자를 보내는 요일"),
        choices=[(index, label) for index, label in enumerate(WEEKDAY_LABELS)],
        coerce=int,
        widget=KrdsCheckboxSelectMultiple,
        required=False,
        help_text=COLD_HELP,
    )

    @classmethod
    def initial_from(cls, settings) -> dict:
        return {
            "allow_local": settings.allow_local,
            "local_postcodes": postcode_ranges_text(settings.local_postcode_ranges),
            "local_area_names": area_names_text(settings.local_area_names),
            "allow_pickup": settings.allow_pickup,
            "cold_weekdays": settings.cold_weekdays,
        }

    def clean_local_postcodes(self) -> list[list[str]]:
        return parse_postcode_ranges(self.cleaned_data["local_postcodes"])

    def clean_local_area_names(self) -> list[str]:
        return parse_area_names(self.cleaned_data["local_area_names"])


class HolidayForm(KrdsFormMixin, forms.Form):
    day = forms.DateField(label=_("날짜"), widget=DateInput())
    name = forms.CharField(label=_("이름"), max_length=40, widget=forms.TextInput(attrs={"placeholder": _("추석")}))


class PickupPointForm(KrdsFormMixin, forms.ModelForm):
    class Meta:
        model = PickupPoint
        fields = ["name", "address", "hours", "is_active"]


class _RadioWithDisabled(forms.RadioSelect):
    """A radio group whose options in `disabled_values` are shown but cannot be picked."""

    def __init__(self, *args, disabled_values: frozenset[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.disabled_values = disabled_values

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class DeliveryMethodForm(KrdsFormMixin, forms.Form):
    """Only the methods the municipality offers are listed; local delivery is shown but cannot be picked
    when the address is outside the area (the service refuses it anyway)."""

    method = forms.ChoiceField(label=_("받는 방법"), widget=forms.RadioSelect)
    pickup_point = forms.TypedChoiceField(
        label=_("수령 장소"), coerce=int, required=False, empty_value=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, methods: list[str], points: list[PickupPoint], notes: dict[str, str], blocked=(), **kw):
        super().__init__(*args, **kw)
        self.notes = notes
        self.points = points
        self.fields["method"].choices = [(value, Method(value).label) for value in methods]
        self.fields["method"].widget = _RadioWithDisabled(disabled_values=frozenset(blocked))
        self.fields["method"].widget.choices = self.fields["method"].choices
        self.fields["pickup_point"].choices = [(point.pk, point.name) for point in points]
        self.fields["pickup_point"].widget.choices = self.fields["pickup_point"].choices

    def method_options(self) -> list[dict]:
        return radio_options(self["method"], self.notes)

    def point_options(self) -> list[dict]:
        notes = {str(point.pk): f"{point.address} · {point.hours}" for point in self.points}
        return radio_options(self["pickup_point"], notes)


class RatingForm(KrdsFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("이번 상자는 어떠셨나요?"),
        choices=[(score, str(score)) for score in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("별점을 1점부터 5점 중에서 골라 주세요.")},
    )
    comment = forms.CharField(
        label=_("한마디 (선택)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("상품을 보낸 소상공인과 담당자가 읽습니다."),
    )
