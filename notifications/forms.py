from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import KrdsFormMixin


class PreferenceForm(KrdsFormMixin, forms.Form):
    email_enabled = forms.BooleanField(
        label=_("이메일로 받기"),
        required=False,
        help_text=_("가입할 때 적은 이메일 주소로 보냅니다."),
    )
    sms_enabled = forms.BooleanField(
        label=_("카카오 알림톡·문자로 받기"),
        required=False,
        help_text=_("구독할 때 적은 휴대전화 번호로 보냅니다. 알림톡을 받을 수 없으면 문자로 보냅니다."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("email_enabled") or data.get("sms_enabled")):
            raise forms.ValidationError(_("알림을 받을 방법을 하나 이상 선택해 주세요."))
        return data
