"""Forms of the logistics center's staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsFormMixin
from delivery.courier import COURIERS
from delivery.models import SlipBatch

# A courier's tracking file for one cycle is a few hundred kilobytes; this is far above it.
TRACKING_FILE_MAX_BYTES = 5 * 1024 * 1024


class ShipmentMoveForm(KrdsFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("바꿀 상태"))
    reason = forms.CharField(
        label=_("사유"), max_length=300, required=False, help_text=_("반송·분실로 바꿀 때는 꼭 적어 주세요.")
    )

    def __init__(self, *args, moves: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(move.to, move.label) for move in moves]


class TrackingImportForm(KrdsFormMixin, forms.Form):
    file = forms.FileField(
        label=_("운송장 파일 (CSV)"),
        help_text=_("열: 주문번호, 택배사, 운송장번호. 엑셀에서 CSV(UTF-8 또는 쉼표로 분리)로 저장한 파일"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > TRACKING_FILE_MAX_BYTES:
            raise forms.ValidationError(_("파일이 너무 큽니다. 5MB 이하의 CSV 파일을 올려 주세요."))
        return upload


class CourierExportForm(KrdsFormMixin, forms.Form):
    courier = forms.ChoiceField(
        label=_("택배사"),
        required=False,
        choices=[("", _("전체 택배 상자"))] + [(name, name) for name in COURIERS],
    )


class SlipBatchForm(KrdsFormMixin, forms.Form):
    paper = forms.ChoiceField(label=_("용지"), choices=SlipBatch.Paper.choices, initial=SlipBatch.Paper.A4)
