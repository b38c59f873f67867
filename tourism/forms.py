"""Forms of the tourism pages. Forms parse and check what people type; the services write
(tourism.services), and `attach_service_errors` (bundles.forms) shows a service's refusal on the form."""

import re
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from bundles.display import BANKS
from bundles.forms import IMAGE_ACCEPT
from bundles.models import Bundle
from core.forms import KrdsFormMixin
from core.validators import format_business_number
from municipalities.models import Municipality
from tourism.models import Offer, Partner

MAX_WON = 10_000_000


class PartnerForm(KrdsFormMixin, forms.ModelForm):
    """What curators and admins edit. The payout account is in PartnerBankForm (finance only)."""

    photo = forms.FileField(
        label=_("대표 사진"),
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPG, PNG, WebP 이미지 (8MB 이하, 가로·세로 200픽셀 이상)"),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "kind",
            "representative",
            "business_registration_number",
            "phone",
            "address",
            "latitude",
            "longitude",
            "hours",
            "description",
            "is_active",
        ]
        widgets = {
            "business_registration_number": forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}
            ),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "latitude": forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "35.152100"}),
            "longitude": forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "127.690300"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "business_registration_number": _("숫자 10자리. 하이픈(-)은 있어도 없어도 됩니다."),
            "latitude": _("지도 링크에 쓰입니다. 비워 두면 주소로 찾습니다."),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        self.municipality = municipality
        super().__init__(*args, **kwargs)

    def clean_business_registration_number(self) -> str:
        number = format_business_number(self.cleaned_data["business_registration_number"])
        taken = Partner.objects.for_tenant(self.municipality).filter(business_registration_number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("이 사업자등록번호로 등록된 제휴처가 이미 있습니다."), code="duplicate")
        return number

    def clean(self) -> dict:
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_("위도와 경도는 함께 입력하거나 함께 비워 주세요."), code="half_location")
        return data

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields} | {"photo": self.cleaned_data["photo"]}


class PartnerBankForm(KrdsFormMixin, forms.ModelForm):
    """The payout account, for finance staff only (as bundles.forms.MerchantBankForm)."""

    bank_code = forms.ChoiceField(label=_("은행"), required=False)

    class Meta:
        model = Partner
        fields = ["bank_code", "account_number", "account_holder"]
        widgets = {"account_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}
        help_texts = {"account_number": _("숫자와 하이픈(-)만 입력해 주세요.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_code"].choices = [
            ("", _("선택하세요")),
            *((code, f"{name} ({code})") for code, name in BANKS.items()),
        ]

    def clean_account_number(self) -> str:
        number = self.cleaned_data["account_number"].strip()
        if number and not re.fullmatch(r"[0-9][0-9-]*[0-9]", number):
            raise ValidationError(_("계좌번호는 숫자와 하이픈(-)만 쓸 수 있습니다."), code="account_chars")
        if number and not 8 <= len(re.sub(r"\D", "", number)) <= 16:
            raise ValidationError(_("계좌번호는 숫자 8~16자리입니다."), code="account_length")
        return number

    def clean(self) -> dict:
        data = super().clean()
        filled = [bool(data.get(name)) for name in ("bank_code", "account_number", "account_holder")]
        if any(filled) and not all(filled):
            raise ValidationError(_("은행, 계좌번호, 예금주를 모두 입력하거나 모두 비워 주세요."), code="incomplete")
        return data

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class PartnerMemberForm(KrdsFormMixin, forms.Form):
    email = forms.EmailField(label=_("사용자 이메일"), help_text=_("먼저 회원가입한 사람의 이메일을 입력하세요."))

    def clean_email(self) -> User:
        user = User.objects.filter(email__iexact=self.cleaned_data["email"].strip(), is_active=True).first()
        if user is None:
            raise ValidationError(
                _("이 이메일로 가입한 사용자가 없습니다. 먼저 회원가입을 부탁해 주세요."), code="no_user"
            )
        return user


class OfferForm(KrdsFormMixin, forms.ModelForm):
    class Meta:
        model = Offer
        fields = [
            "partner",
            "kind",
            "title",
            "face_value_won",
            "discount_percent",
            "reimbursement_won",
            "validity_days",
            "valid_from",
            "valid_until",
            "monthly_cap",
            "terms",
            "is_active",
        ]
        widgets = {
            "face_value_won": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "reimbursement_won": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "discount_percent": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
            "validity_days": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "monthly_cap": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "validity_days": _("발급일부터 며칠 동안 쓸 수 있는지. 또는 아래 사용 기간을 정하세요."),
            "terms": _("예: 1인 1매, 주말 사용 불가, 다른 할인과 중복 불가"),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.for_tenant(municipality).order_by("name")
        self.fields["partner"].empty_label = _("제휴처를 고르세요")
        for name in ("face_value_won", "reimbursement_won"):
            self.fields[name].validators.append(
                MaxValueValidator(MAX_WON, message=_("금액은 1,000만 원 이하로 입력해 주세요."))
            )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "partner"}


class OfferAttachmentForm(KrdsFormMixin, forms.Form):
    bundles = forms.ModelMultipleChoiceField(
        label=_("매 상자에 넣을 꾸러미"),
        queryset=Bundle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("고른 꾸러미의 상자가 나갈 때마다 쿠폰이 한 장씩 발급됩니다."),
    )
    welcome_bundles = forms.ModelMultipleChoiceField(
        label=_("가입 환영 쿠폰으로 줄 꾸러미"),
        queryset=Bundle.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("고른 꾸러미를 새로 구독하면 한 번만 발급됩니다."),
    )

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        bundles = Bundle.objects.for_tenant(municipality).exclude(status=Bundle.Status.RETIRED).order_by("name")
        self.fields["bundles"].queryset = bundles
        self.fields["welcome_bundles"].queryset = bundles


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("쿠폰 번호"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "XXXX-XXXX-XXXX-XXXX-XXXX",
                "class": "krds-input coupon-code-input",
            }
        ),
        error_messages={"required": _("쿠폰 번호를 입력해 주세요.")},
    )


class OfflineRedeemForm(KrdsFormMixin, forms.Form):
    """A code an offline venue noted down, entered later with when and where it was really used."""

    code = forms.CharField(
        label=_("쿠폰 번호"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("쿠폰 번호를 입력해 주세요.")},
    )
    used_on = forms.DateField(
        label=_("사용한 날"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("사용한 날을 입력해 주세요."),
            "invalid": _("날짜를 2026-11-23 처럼 입력해 주세요."),
        },
    )
    used_time = forms.TimeField(
        label=_("사용한 시각"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("사용한 시각을 입력해 주세요."),
            "invalid": _("시각을 14:30 처럼 입력해 주세요."),
        },
    )
    place = forms.CharField(
        label=_("사용 장소"), max_length=120, help_text=_("예: 평사리 매표소, 2호점"), required=False
    )
    note = forms.CharField(label=_("메모"), max_length=200, required=False)

    def used_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["used_on"], self.cleaned_data["used_time"]))
