"""Forms of the staff curation pages and the merchant portal.

Forms only parse and check what people type; the services write. A form's `service_kwargs()` gives the
keyword arguments of its service, and `attach_service_errors` puts a service's ValidationError (a bad
upload, a rule the model enforces) back on the form, so the page shows it next to the field in Korean.
"""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from bundles.display import BANKS
from bundles.models import ALL_MONTHS, Bundle, Category, Merchant, Product
from bundles.product_csv import MAX_ROWS
from core.forms import KrdsFormMixin
from core.validators import format_business_number
from municipalities.models import Municipality

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_PLAN_PRICE_WON = 10_000_000
# The model allows up to 5000 bp (50 %) off for prepaying.
MAX_DISCOUNT_PERCENT = Decimal("50")
MAX_ITEM_QUANTITY = 99
MONTH_CHOICES = [(str(m), f"{m}월") for m in range(1, 13)]


def attach_service_errors(form: forms.BaseForm, error: ValidationError, *, field_map: dict | None = None) -> None:
    """Show a service's ValidationError on `form`: per field when the form has that field, else on top.

    An image refused by core.images.image_clean (codes image_*) belongs to the form's upload field.
    """
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        items = error.error_dict.items()
    else:
        upload_field = next((n for n in ("photo", "image") if n in form.fields), None)
        target = upload_field if upload_field and str(error.code or "").startswith("image") else NON_FIELD_ERRORS
        items = [(target, error.error_list)]
    for name, errors in items:
        name = field_map.get(name, name)
        if name in form.fields:
            form.add_error(name, errors)
            form.fields[name].widget.attrs["aria-invalid"] = "true"
        else:
            form.add_error(None, errors)


def _image_field(label: str, *, required: bool = False) -> forms.FileField:
    # A plain FileField: the service checks and re-encodes the picture (core.images.image_clean).
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPG, PNG, WebP 이미지 (8MB 이하, 가로·세로 200픽셀 이상)"),
    )


def _number_widget(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


# --- Merchants ---------------------------------------------------------------------------------------------
class MerchantForm(KrdsFormMixin, forms.ModelForm):
    """What curators and admins edit. The payout account is not here: only finance edits it."""

    photo = _image_field(_("대표 사진"))

    class Meta:
        model = Merchant
        fields = [
            "name",
            "representative",
            "business_registration_number",
            "phone",
            "address",
            "category",
            "tax_status",
            "story",
            "is_active",
        ]
        widgets = {
            "business_registration_number": forms.TextInput(
                attrs={"inputmode": "numeric", "placeholder": "123-45-67890"}
            ),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "story": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "business_registration_number": _("숫자 10자리. 하이픈(-)은 있어도 없어도 됩니다."),
            "story": _("가게 페이지에 보이는 소개 글입니다."),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        self.municipality = municipality
        super().__init__(*args, **kwargs)

    def clean_business_registration_number(self) -> str:
        number = format_business_number(self.cleaned_data["business_registration_number"])
        taken = Merchant.objects.for_tenant(self.municipality).filter(business_registration_number=number)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("이 사업자등록번호로 등록된 소상공인이 이미 있습니다."), code="duplicate")
        return number

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields} | {"photo": self.cleaned_data["photo"]}


class MerchantBankForm(KrdsFormMixin, forms.ModelForm):
    """The payout account, for finance staff only."""

    bank_code = forms.ChoiceField(label=_("은행"), required=False)

    class Meta:
        model = Merchant
        fields = ["bank_code", "account_number", "account_holder"]
        widgets = {"account_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}
        help_texts = {"account_number": _("숫자와 하이픈(-)만 입력해 주세요.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("선택하세요")), *((code, f"{name} ({code})") for code, name in BANKS.items())]
        current = self.instance.bank_code
        if current and current not in BANKS:
            choices.append((current, current))
        self.fields["bank_code"].choices = choices

    def clean_account_number(self) -> str:
        number = self.cleaned_data["account_number"].strip()
        if number and not re.fullmatch(r"[0-9][0-9-]*[0-9]", number):
            raise ValidationError(_("계좌번호는 숫자와 하이픈(-)만 쓸 수 있습니다."), code="account_chars")
        digits = re.sub(r"\D", "", number)
        if number and not 8 <= len(digits) <= 16:
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


class MerchantProfileForm(KrdsFormMixin, forms.ModelForm):
    """What merchants change themselves: their story, phone, address and photo — nothing about money."""

    photo = _image_field(_("대표 사진"))

    class Meta:
        model = Merchant
        fields = ["story", "phone", "address"]
        widgets = {
            "story": forms.Textarea(attrs={"rows": 8}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        help_texts = {
            "story": _("손님에게 보이는 가게 소개입니다. 어떻게 기르고 만드는지 편하게 적어 주세요."),
            "phone": _("예: 055-883-1234"),
        }

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields} | {"photo": self.cleaned_data["photo"]}


# --- Products ----------------------------------------------------------------------------------------------
class ProductForm(KrdsFormMixin, forms.ModelForm):
    season = forms.MultipleChoiceField(
        label=_("판매 가능 월"),
        choices=MONTH_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("이 상품을 보낼 수 있는 달을 모두 고르세요."),
        error_messages={"required": _("판매 가능한 달을 하나 이상 골라 주세요.")},
    )
    photo = _image_field(_("사진"))

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "description",
            "unit",
            "category",
            "storage_class",
            "supply_price_won",
            "tax_type",
            "stock_per_cycle",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "supply_price_won": _number_widget(step="1"),
            "stock_per_cycle": _number_widget(step="1"),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        self.municipality = municipality
        super().__init__(*args, **kwargs)
        mask = self.instance.season_months if self.instance.pk else ALL_MONTHS
        self.fields["season"].initial = [str(m) for m in range(1, 13) if mask & (1 << (m - 1))]

    def _merchant(self) -> Merchant | None:
        return self.instance.merchant if self.instance.pk else self.cleaned_data.get("merchant")

    def clean(self) -> dict:
        data = super().clean()
        merchant, sku = self._merchant(), data.get("sku")
        if merchant is not None and sku:
            taken = Product.objects.filter(merchant=merchant, sku=sku)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("sku", _("이 소상공인에게 같은 상품 코드가 이미 있습니다."))
        return data

    def service_kwargs(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self._meta.fields if name != "merchant"}
        fields["season_months"] = sum(1 << (int(m) - 1) for m in self.cleaned_data["season"])
        return fields | {"photo": self.cleaned_data["photo"]}


class ProductCreateForm(ProductForm):
    class Meta(ProductForm.Meta):
        fields = ["merchant", *ProductForm.Meta.fields]

    def __init__(self, *args, municipality: Municipality, **kwargs) -> None:
        super().__init__(*args, municipality=municipality, **kwargs)
        self.fields["merchant"].queryset = Merchant.objects.for_tenant(municipality).order_by("name")


class ProductCsvForm(KrdsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV 파일"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("엑셀에서 'CSV(쉼표로 분리)'로 저장한 파일 (2MB, %(rows)d행 이하)") % {"rows": MAX_ROWS},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise ValidationError(_("확장자가 .csv인 파일만 올릴 수 있습니다."), code="csv_extension")
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError(_("파일이 너무 큽니다 (최대 2MB)."), code="csv_too_large")
        return upload


# --- Bundles and plans -------------------------------------------------------------------------------------
class BundleForm(KrdsFormMixin, forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ["name", "summary", "description", "category", "featured"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class BundleItemForm(KrdsFormMixin, forms.Form):
    product_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("수량"),
        min_value=0,
        max_value=MAX_ITEM_QUANTITY,
        widget=_number_widget(min="0", max=str(MAX_ITEM_QUANTITY), step="1"),
        error_messages={
            "required": _("수량을 입력해 주세요."),
            "invalid": _("수량은 숫자로 입력해 주세요."),
            "min_value": _("수량은 0 이상으로 입력해 주세요 (0이면 구성에서 뺍니다)."),
            "max_value": _("수량은 %(limit_value)s개까지 넣을 수 있습니다."),
        },
    )


class ProductSearchForm(KrdsFormMixin, forms.Form):
    q = forms.CharField(
        label=_("상품명 또는 소상공인"),
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("예: 녹차, 지리산농원")}),
    )
    category = forms.ChoiceField(label=_("분류"), required=False, choices=[("", _("전체")), *Category.choices])


def _discount_percent_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_DISCOUNT_PERCENT,
        max_digits=4,
        decimal_places=2,
        initial=Decimal("0"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "50"}),
        error_messages={
            "invalid": _("할인율은 숫자로 입력해 주세요."),
            "min_value": _("할인율은 0 이상이어야 합니다."),
            "max_value": _("할인율은 50% 이하여야 합니다."),
            "max_digits": _("할인율은 50% 이하여야 합니다."),
            "max_whole_digits": _("할인율은 50% 이하여야 합니다."),
            "max_decimal_places": _("할인율은 소수 둘째 자리까지 입력할 수 있습니다."),
        },
    )


class PlanForm(KrdsFormMixin, forms.Form):
    """One cadence of a bundle. Discounts are typed as percents (up to 2 decimals) and stored in basis points."""

    TERMS = (3, 6, 12)

    price_won = forms.IntegerField(
        label=_("1회 가격(원)"),
        min_value=1,
        max_value=MAX_PLAN_PRICE_WON,
        widget=_number_widget(step="1"),
        error_messages={"required": _("1회 가격을 입력해 주세요.")},
    )
    shipping_fee_won = forms.IntegerField(
        label=_("배송비(원)"),
        required=False,
        min_value=0,
        max_value=MAX_PLAN_PRICE_WON,
        initial=0,
        widget=_number_widget(step="1"),
    )
    prepay_3_percent = _discount_percent_field(_("3회 선결제 할인(%)"))
    prepay_6_percent = _discount_percent_field(_("6회 선결제 할인(%)"))
    prepay_12_percent = _discount_percent_field(_("12회 선결제 할인(%)"))
    allow_mid_cycle_start = forms.BooleanField(label=_("회차 중간 시작 허용"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("판매 중"), required=False, initial=True)

    @classmethod
    def initial_for(cls, plan) -> dict:
        if plan is None:
            return {}
        return {
            "price_won": plan.price_won,
            "shipping_fee_won": plan.shipping_fee_won,
            "allow_mid_cycle_start": plan.allow_mid_cycle_start,
            "is_active": plan.is_active,
            # Exact: a whole number of basis points divided by 100 is a Decimal with at most 2 places.
            **{f"prepay_{t}_percent": Decimal(plan.discount_bp(t)) / 100 for t in cls.TERMS},
        }

    @staticmethod
    def percent_to_bp(percent: Decimal | None) -> int:
        """7.5 % → 750 bp, exactly: the field allows at most 2 decimals, so ×100 is a whole number."""
        if percent is None:
            return 0
        return int(percent.scaleb(2).to_integral_exact())

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "price_won": data["price_won"],
            "shipping_fee_won": data["shipping_fee_won"] or 0,
            "allow_mid_cycle_start": data["allow_mid_cycle_start"],
            "is_active": data["is_active"],
            **{f"prepay_{t}_discount_bp": self.percent_to_bp(data[f"prepay_{t}_percent"]) for t in self.TERMS},
        }


class HeroImageForm(KrdsFormMixin, forms.Form):
    image = _image_field(_("대표 이미지"), required=True)


class GalleryImageForm(KrdsFormMixin, forms.Form):
    image = _image_field(_("추가 이미지"), required=True)
    alt = forms.CharField(
        label=_("이미지 설명 (대체 텍스트)"),
        max_length=120,
        help_text=_("화면을 보지 못하는 분께 읽어 주는 설명입니다. 예: 말린 고사리 한 봉지"),
    )


class BundleDuplicateForm(KrdsFormMixin, forms.Form):
    name = forms.CharField(
        label=_("새 꾸러미 이름"),
        max_length=80,
        help_text=_("같은 구성·요금제·이미지로 '작성 중' 꾸러미를 만듭니다. 예: 지리산 가을 산나물 꾸러미"),
    )
