"""Staff forms of the billing pages: moving a cycle's ship date and refunding an order. They check what a
person can fix on the form; the services (cycle_move_ship_date, order_refund) hold the rules and have the
last word, and their refusals are added to these forms as errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsFormMixin
from core.money import format_won


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ShipDateForm(KrdsFormMixin, forms.Form):
    ship_date = forms.DateField(
        label=_("새 발송일"),
        widget=DateInput(),
        help_text=_("설날·추석처럼 쉬는 날을 피해 옮깁니다. 변경 마감과 결제 시각도 함께 옮겨집니다."),
        error_messages={
            "required": _("새 발송일을 입력해 주세요."),
            "invalid": _("날짜를 YYYY-MM-DD 형식으로 입력해 주세요."),
        },
    )


class RefundForm(KrdsFormMixin, forms.Form):
    amount_won = forms.IntegerField(
        label=_("환불 금액(원)"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        error_messages={
            "required": _("환불 금액을 입력해 주세요."),
            "invalid": _("환불 금액은 숫자로 입력해 주세요."),
            "min_value": _("환불 금액은 1원 이상이어야 합니다."),
        },
    )
    reason = forms.CharField(
        label=_("환불 사유"),
        max_length=200,
        help_text=_("구독자 기록에 남습니다. 예: 상자 파손, 배송 지연 보상"),
        error_messages={
            "required": _("환불 사유를 입력해 주세요."),
            "max_length": _("환불 사유는 200자까지 쓸 수 있습니다."),
        },
    )

    def __init__(self, *args, refundable_won: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refundable_won = refundable_won
        field = self.fields["amount_won"]
        field.widget.attrs["max"] = str(refundable_won)
        field.help_text = _("환불할 수 있는 금액은 최대 %(amount)s입니다.") % {"amount": format_won(refundable_won)}

    def clean_amount_won(self) -> int:
        amount = self.cleaned_data["amount_won"]
        if amount > self.refundable_won:
            raise ValidationError(
                _("환불 가능 금액은 %(amount)s입니다. 그보다 많이 환불할 수 없습니다."),
                code="over_refundable",
                params={"amount": format_won(self.refundable_won)},
            )
        return amount

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("환불 사유를 입력해 주세요."), code="required")
        return reason
