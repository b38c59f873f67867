"""Staff forms for promo codes and shipping-support campaigns. They check what a person can fix on the
form; the services (subscriptions.promotions) hold the rules and have the last word."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from bundles.models import Bundle
from core.forms import KrdsFormMixin
from municipalities.models import Municipality
from subscriptions.models import PromoCode

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KrdsCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """KRDS hides native checkboxes and draws them on the label that follows the input."""

    template_name = "subscriptions/staff/partials/_checkbox_select.html"
    option_template_name = "subscriptions/staff/partials/_checkbox_option.html"


class BundleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Bundle) -> str:
        return obj.name


class PromoCodeForm(KrdsFormMixin, forms.Form):
    code = forms.CharField(
        label=_("코드"),
        max_length=30,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("코드는 영문, 숫자, 하이픈(-), 밑줄(_)만 쓸 수 있습니다."))],
        help_text=_("구독자가 입력할 코드입니다. 대소문자는 구분하지 않습니다. 예: HADONG-WINTER"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("설명"), max_length=100, required=False, help_text=_("담당자만 봅니다. 예: 겨울 SNS 캠페인")
    )
    kind = forms.ChoiceField(label=_("할인 방식"), choices=PromoCode.Kind.choices)
    percent = forms.DecimalField(
        label=_("할인율(%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        help_text=_("정률 할인일 때 입력합니다. 소수점 둘째 자리까지 쓸 수 있습니다. 예: 10 또는 12.5"),
        error_messages={
            # Django fills these messages with %-parameters, hence the doubled percent sign.
            "max_value": _("할인율은 100%%를 넘을 수 없습니다."),
            "min_value": _("할인율은 0보다 커야 합니다."),
            "max_decimal_places": _("할인율은 소수점 둘째 자리까지만 쓸 수 있습니다."),
            "max_digits": _("할인율은 100%%를 넘을 수 없습니다."),
            "max_whole_digits": _("할인율은 100%%를 넘을 수 없습니다."),
            "invalid": _("할인율을 숫자로 입력해 주세요."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    amount_won = forms.IntegerField(
        label=_("할인액(원)"),
        required=False,
        min_value=1,
        help_text=_("정액 할인일 때 입력합니다. 한 상자에서 빼는 금액입니다."),
        error_messages={
            "min_value": _("할인액은 1원 이상이어야 합니다."),
            "invalid": _("할인액을 숫자로 입력해 주세요."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    boxes = forms.IntegerField(
        label=_("적용 회차 수"),
        required=False,
        min_value=1,
        max_value=52,
        help_text=_("첫 몇 회차에 할인할지 입력합니다. 비우면 모든 회차에 적용합니다."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    valid_from = forms.DateTimeField(
        label=_("사용 시작 일시"), input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M"], widget=DateTimeLocalInput()
    )
    valid_until = forms.DateTimeField(
        label=_("사용 종료 일시"), input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%d %H:%M"], widget=DateTimeLocalInput()
    )
    max_uses = forms.IntegerField(
        label=_("전체 사용 한도"),
        required=False,
        min_value=1,
        help_text=_("선착순 인원입니다. 비우면 제한이 없습니다."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    max_uses_per_subscriber = forms.IntegerField(
        label=_("1인 사용 한도"), min_value=1, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    bundles = BundleChoiceField(
        label=_("적용 꾸러미"),
        queryset=Bundle.objects.none(),
        required=False,
        widget=KrdsCheckboxSelectMultiple,
        help_text=_("고르지 않으면 모든 꾸러미에 쓸 수 있습니다."),
    )

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bundles"].queryset = Bundle.objects.for_tenant(municipality).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == PromoCode.Kind.PERCENT and data.get("percent") is None and "percent" not in self.errors:
            self.add_error("percent", _("정률 할인은 할인율을 입력해 주세요."))
        if kind == PromoCode.Kind.FIXED and data.get("amount_won") is None and "amount_won" not in self.errors:
            self.add_error("amount_won", _("정액 할인은 할인액을 입력해 주세요."))
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            self.add_error("valid_until", _("종료 일시는 시작 일시보다 뒤여야 합니다."))
        return data

    def amount(self) -> int:
        """The stored amount: basis points for a percent code (12.5 % → 1250, exactly, through Decimal),
        won for a fixed one."""
        if self.cleaned_data["kind"] == PromoCode.Kind.PERCENT:
            basis_points = self.cleaned_data["percent"] * 100
            # Two decimal places at most were accepted, so this is a whole number; never round money rules.
            assert basis_points == basis_points.to_integral_value()
            return int(basis_points)
        return self.cleaned_data["amount_won"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "description": data["description"],
            "kind": data["kind"],
            "amount": self.amount(),
            "boxes": data["boxes"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
            "max_uses": data["max_uses"],
            "max_uses_per_subscriber": data["max_uses_per_subscriber"],
            "bundles": list(data["bundles"]),
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Show the service's refusal on the field it concerns (an amount error on the field in use)."""
        amount_field = "percent" if self.cleaned_data.get("kind") == PromoCode.Kind.PERCENT else "amount_won"
        for key, messages in error.message_dict.items():
            field = amount_field if key == "amount" else key
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class SupportCampaignForm(KrdsFormMixin, forms.Form):
    name = forms.CharField(label=_("캠페인 이름"), max_length=80, help_text=_("예: 2026 겨울 배송비 지원"))
    budget_won = forms.IntegerField(
        label=_("예산(원)"),
        min_value=1,
        error_messages={"min_value": _("예산은 0원보다 커야 합니다.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    per_box_cap_won = forms.IntegerField(
        label=_("1상자 지원 한도(원)"),
        min_value=1,
        initial=3000,
        help_text=_("한 상자의 배송비 중 지자체가 내는 최대 금액입니다."),
        error_messages={"min_value": _("1상자 지원 한도는 0원보다 커야 합니다.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = forms.DateField(label=_("시작일"), widget=DateInput())
    ends_on = forms.DateField(label=_("종료일"), widget=DateInput())

    def clean(self) -> dict:
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("종료일은 시작일과 같거나 뒤여야 합니다."))
        budget, cap = data.get("budget_won"), data.get("per_box_cap_won")
        if budget and cap and cap > budget:
            self.add_error("per_box_cap_won", _("1상자 지원 한도는 예산보다 클 수 없습니다."))
        return data

    def add_service_error(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)
