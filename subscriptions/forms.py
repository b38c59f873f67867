"""Forms of the subscriber's pages: checkout and the self-service changes of "내 구독".

The forms only validate and shape input; every change goes through subscriptions.services and
subscriptions.lifecycle. Choices of addresses, cards and plans are given by the view from the
subscriber's own records, so a posted id of someone else's record is simply an invalid choice.
"""

import uuid
from datetime import date

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_korean_mobile, validate_korean_mobile
from bundles.models import Plan
from core.forms import KrdsFormMixin
from core.money import format_won
from subscriptions.models import Address, PaymentMethod, Subscription

NEW = "new"
TERM_PER_BOX = 1

postcode_validator = RegexValidator(r"^\d{5}$", _("우편번호는 숫자 5자리입니다."))
# A SetupIntent id as Stripe (and localstripe) make them: seti_ followed by letters, digits or _.
setup_id_validator = RegexValidator(r"^seti_[A-Za-z0-9_]{1,200}$", _("카드 등록 정보가 올바르지 않습니다."))

# Form field -> Address model field, for mapping the model's validation errors back onto the form.
ADDRESS_FORM_FIELDS = {
    "recipient": "recipient",
    "recipient_phone": "phone",
    "postcode": "postcode",
    "road_address": "road_address",
    "jibun_address": "jibun_address",
    "detail": "detail",
    "memo": "memo",
}


def percent_text(bp: int) -> str:
    """Basis points as a percent people read: 300 -> '3', 250 -> '2.5'."""
    return str(bp // 100) if bp % 100 == 0 else f"{bp / 100:.1f}".rstrip("0")


def address_label(address: Address) -> str:
    return f"{address.recipient} · {address.road_address} {address.detail}".strip()


def card_is_usable(card: PaymentMethod, today: date) -> bool:
    return (card.exp_year, card.exp_month) >= (today.year, today.month)


def radio_options(field: forms.BoundField, notes: dict[str, str] | None = None) -> list[dict]:
    """A radio group's choices for templates/subscriptions/partials/_choices.html: each radio with a note."""
    notes = notes or {}
    return [{"radio": radio, "note": notes.get(str(radio.data["value"]), "")} for radio in field]


class MobileField(forms.CharField):
    """A Korean mobile number, stored as 010-1234-5678 whatever the spacing typed."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("validators", [validate_korean_mobile])
        kwargs.setdefault("help_text", _("예: 010-1234-5678"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: str) -> str:
        value = super().clean(value)
        return normalize_korean_mobile(value) if value else value


class AddressChoiceForm(KrdsFormMixin, forms.Form):
    """Choose one of the subscriber's addresses, or enter a new one."""

    address_choice = forms.ChoiceField(label=_("배송지"), widget=forms.RadioSelect)
    recipient = forms.CharField(
        label=_("받는 분"), max_length=50, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    recipient_phone = MobileField(label=_("연락처"), required=False)
    postcode = forms.CharField(
        label=_("우편번호"),
        max_length=5,
        required=False,
        validators=[postcode_validator],
        help_text=_("숫자 5자리"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code", "pattern": r"\d{5}"}),
    )
    road_address = forms.CharField(
        label=_("도로명 주소"),
        max_length=200,
        required=False,
        help_text=_("예: 경상남도 하동군 하동읍 군청로 23"),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    jibun_address = forms.CharField(label=_("지번 주소 (선택)"), max_length=200, required=False)
    detail = forms.CharField(
        label=_("상세 주소"),
        max_length=100,
        required=False,
        help_text=_("동·호수 등 (없으면 비워 두세요)"),
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    memo = forms.CharField(
        label=_("배송 메모 (선택)"),
        max_length=100,
        required=False,
        help_text=_("예: 문 앞에 놓아 주세요"),
    )
    make_default = forms.BooleanField(label=_("기본 배송지로 저장"), required=False)

    NEW_ADDRESS_REQUIRED = {
        "recipient": _("받는 분 이름을 입력해 주세요."),
        "recipient_phone": _("받는 분 연락처를 입력해 주세요."),
        "postcode": _("우편번호를 입력해 주세요."),
        "road_address": _("도로명 주소를 입력해 주세요."),
    }

    def __init__(self, *args, addresses: list[Address] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.addresses = {str(address.pk): address for address in addresses}
        self.fields["address_choice"].choices = [
            *((key, address_label(address)) for key, address in self.addresses.items()),
            (NEW, _("새 배송지 입력")),
        ]
        self.fields["address_choice"].error_messages["invalid_choice"] = _("배송지를 다시 선택해 주세요.")
        self.fields["address_choice"].error_messages["required"] = _("배송지를 선택해 주세요.")
        if not self.is_bound and "address_choice" not in self.initial:
            default = next(iter(self.addresses), NEW)
            self.initial["address_choice"] = default
        # The new address's fields are required only when a new address is chosen (they are shown only
        # then, so their labels carry the required mark whenever they are seen).
        wants_new = not self.is_bound or self.data.get(self.add_prefix("address_choice")) == NEW
        for name, message in self.NEW_ADDRESS_REQUIRED.items():
            self.fields[name].required = wants_new
            self.fields[name].error_messages["required"] = message

    def address_options(self) -> list[dict]:
        notes = {
            key: " · ".join(part for part in (f"({address.postcode})", address.memo) if part)
            for key, address in self.addresses.items()
        }
        return radio_options(self["address_choice"], notes)

    @property
    def new_address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*ADDRESS_FORM_FIELDS, "make_default")]

    @property
    def chosen_address(self) -> Address | None:
        """The existing address chosen, or None when a new one was entered."""
        return self.addresses.get(self.cleaned_data.get("address_choice", ""))

    def new_address_data(self) -> dict:
        return {model: self.cleaned_data.get(field, "") for field, model in ADDRESS_FORM_FIELDS.items()}


class CardChoiceForm(KrdsFormMixin, forms.Form):
    """Choose one of the subscriber's saved cards, or add a new one (confirmed by Stripe.js in the browser,
    which puts the confirmed SetupIntent's id in `setup_id`)."""

    card_choice = forms.ChoiceField(label=_("결제 카드"), widget=forms.RadioSelect)
    setup_id = forms.CharField(
        required=False, max_length=210, validators=[setup_id_validator], widget=forms.HiddenInput
    )

    def __init__(self, *args, cards: list[PaymentMethod] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cards = {str(card.pk): card for card in cards}
        self.fields["card_choice"].choices = [
            *((key, str(card)) for key, card in self.cards.items()),
            (NEW, _("새 카드 등록")),
        ]
        self.fields["card_choice"].error_messages["invalid_choice"] = _("결제 카드를 다시 선택해 주세요.")
        self.fields["card_choice"].error_messages["required"] = _("결제 카드를 선택해 주세요.")
        if not self.is_bound and "card_choice" not in self.initial:
            self.initial["card_choice"] = next(iter(self.cards), NEW)

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("card_choice") == NEW and not cleaned.get("setup_id") and "setup_id" not in self.errors:
            self.add_error("card_choice", _("카드 정보를 입력해 주세요."))
        return cleaned

    def card_options(self) -> list[dict]:
        return radio_options(self["card_choice"])

    @property
    def chosen_card(self) -> PaymentMethod | None:
        return self.cards.get(self.cleaned_data.get("card_choice", ""))


class CheckoutForm(AddressChoiceForm, CardChoiceForm):
    plan = forms.ChoiceField(label=_("배송 주기"), widget=forms.RadioSelect(attrs={"class": "js-quote"}))
    term = forms.TypedChoiceField(
        label=_("결제 방식"), coerce=int, widget=forms.RadioSelect(attrs={"class": "js-quote"})
    )
    name = forms.CharField(
        label=_("구독자 이름"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = MobileField(label=_("구독자 휴대전화"))
    promo_code = forms.CharField(
        label=_("프로모션 코드 (선택)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "class": "krds-input js-quote"}
        ),
    )
    # Issued with the page; submitting the same page twice makes one subscription (services.subscription_create).
    checkout_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label=_("위 정기결제 내용을 확인했으며 동의합니다."),
        error_messages={"required": _("정기결제에 동의해야 구독할 수 있습니다.")},
    )

    field_order = ["plan", "term", "address_choice", "name", "phone", "card_choice", "promo_code", "consent"]

    def __init__(self, *args, plans: list[Plan], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {str(plan.pk): plan for plan in plans}
        self.fields["plan"].choices = [(key, plan.get_cadence_display()) for key, plan in self.plans.items()]
        self.fields["plan"].error_messages["invalid_choice"] = _("배송 주기를 다시 선택해 주세요.")
        self.fields["plan"].error_messages["required"] = _("배송 주기를 선택해 주세요.")
        terms = sorted({TERM_PER_BOX, *(term for plan in plans for term in plan.offered_terms())})
        self.fields["term"].choices = [(term, self.term_label(term)) for term in terms]
        self.fields["term"].error_messages["invalid_choice"] = _("결제 방식을 다시 선택해 주세요.")
        self.fields["name"].error_messages["required"] = _("구독자 이름을 입력해 주세요.")
        self.fields["phone"].error_messages["required"] = _("휴대전화 번호를 입력해 주세요.")
        self.initial.setdefault("checkout_token", uuid.uuid4())
        self.initial.setdefault("plan", next(iter(self.plans), ""))
        self.initial.setdefault("term", TERM_PER_BOX)

    @staticmethod
    def term_label(term: int) -> str:
        if term == TERM_PER_BOX:
            return str(_("회차마다 결제"))
        return str(_("%(term)d회분 선결제") % {"term": term})

    def term_note(self, term: int) -> str:
        """What each plan gives for prepaying `term` boxes, e.g. '3% 할인' or '매주 3% · 매월 5% 할인'."""
        if term == TERM_PER_BOX:
            return str(_("상자를 보내기 전에 1회분씩 결제"))
        offers = [(plan, plan.discount_bp(term)) for plan in self.plans.values() if plan.discount_bp(term) > 0]
        rates = {bp for _plan, bp in offers}
        if len(rates) == 1 and len(offers) == len(self.plans):
            return str(_("%(percent)s%% 할인") % {"percent": percent_text(rates.pop())})
        parts = " · ".join(f"{plan.get_cadence_display()} {percent_text(bp)}%" for plan, bp in offers)
        return str(_("%(parts)s 할인") % {"parts": parts})

    def plan_options(self) -> list[dict]:
        """The plan radios with what a person needs to choose: price per box and shipping."""
        options = []
        for radio in self["plan"]:
            plan = self.plans[str(radio.data["value"])]
            note = _("1회 %(price)s") % {"price": format_won(plan.price_won)}
            shipping = (
                _("배송비 %(fee)s") % {"fee": format_won(plan.shipping_fee_won)}
                if plan.shipping_fee_won
                else _("배송비 무료")
            )
            options.append({"radio": radio, "note": f"{note} · {shipping}"})
        return options

    def term_options(self) -> list[dict]:
        return [{"radio": radio, "note": self.term_note(int(radio.data["value"]))} for radio in self["term"]]

    def clean_promo_code(self) -> str:
        return self.cleaned_data["promo_code"].strip().upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        plan, term = self.selected_plan, cleaned.get("term")
        if plan is not None and term and term != TERM_PER_BOX and term not in plan.offered_terms():
            self.add_error(
                "term",
                _("%(cadence)s 배송에서는 %(term)d회분 선결제를 고를 수 없습니다.")
                % {"cadence": plan.get_cadence_display(), "term": term},
            )
        return cleaned

    @property
    def selected_plan(self) -> Plan | None:
        key = self.cleaned_data.get("plan") if hasattr(self, "cleaned_data") else None
        return self.plans.get(str(key or ""))


class QuoteForm(forms.Form):
    """The price summary's inputs, read leniently from the checkout form's current values."""

    plan = forms.IntegerField(min_value=1)
    term = forms.TypedChoiceField(choices=[(t, t) for t in (1, 3, 6, 12)], coerce=int, required=False)
    promo_code = forms.CharField(max_length=30, required=False)


class CycleForm(forms.Form):
    """Which delivery a skip or unskip is about; empty means the next one whose cutoff has not passed."""

    cycle = forms.IntegerField(min_value=1, required=False)


class PauseForm(KrdsFormMixin, forms.Form):
    UNTIL_DATE = "date"
    OPEN_ENDED = "open"

    mode = forms.ChoiceField(
        label=_("언제까지 쉴까요?"),
        choices=[(OPEN_ENDED, _("다시 시작할 때까지")), (UNTIL_DATE, _("날짜를 정해서"))],
        initial=OPEN_ENDED,
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("일시정지 종료일"),
        required=False,
        help_text=_("이 날짜까지 배송을 쉬고, 다음 날부터 다시 받습니다."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["until"].widget.attrs["min"] = today.isoformat()
        self.fields["until"].error_messages["invalid"] = _("날짜를 2026-12-31 형식으로 입력해 주세요.")

    def mode_options(self) -> list[dict]:
        return radio_options(self["mode"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("mode") == self.UNTIL_DATE:
            until = cleaned.get("until")
            if until is None and "until" not in self.errors:
                self.add_error("until", _("일시정지 종료일을 입력해 주세요."))
            elif until is not None and until <= self.today:
                self.add_error("until", _("일시정지 종료일은 오늘 이후여야 합니다."))
        else:
            cleaned["until"] = None
        return cleaned


class ChangePlanForm(KrdsFormMixin, forms.Form):
    plan = forms.ChoiceField(label=_("꾸러미와 배송 주기"))

    def __init__(self, *args, plans: list[Plan], current: Plan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plans = {str(plan.pk): plan for plan in plans}
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, plan in self.plans.items():
            label = _("%(cadence)s · 1회 %(price)s") % {
                "cadence": plan.get_cadence_display(),
                "price": format_won(plan.price_won),
            }
            if current is not None and plan.pk == current.pk:
                label = _("%(label)s (지금 구독 중)") % {"label": label}
            groups.setdefault(plan.bundle.name, []).append((key, label))
        self.fields["plan"].choices = list(groups.items())
        self.fields["plan"].error_messages["invalid_choice"] = _("꾸러미와 배송 주기를 다시 골라 주세요.")
        if current is not None:
            self.initial.setdefault("plan", str(current.pk))

    @property
    def chosen_plan(self) -> Plan:
        return self.plans[self.cleaned_data["plan"]]


class CancelForm(KrdsFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("해지하시는 이유를 알려 주세요"),
        choices=Subscription.CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("해지 사유를 선택해 주세요."), "invalid_choice": _("해지 사유를 선택해 주세요.")},
    )
    note = forms.CharField(
        label=_("더 하고 싶은 말씀 (선택)"),
        max_length=300,
        required=False,
        help_text=_("300자까지. 더 나은 꾸러미를 만드는 데 씁니다."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_options(self) -> list[dict]:
        return radio_options(self["reason"])
