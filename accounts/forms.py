from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User
from accounts.validators import validate_korean_mobile
from core.forms import KrdsFormMixin
from core.http import client_ip


class LoginForm(KrdsFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("이메일"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("이메일 또는 비밀번호가 올바르지 않습니다. 다시 확인해 주세요."),
        "inactive": _("사용이 중지된 계정입니다. 관리자에게 문의해 주세요."),
        "throttled": _(
            "로그인에 여러 번 실패하여 잠시 로그인할 수 없습니다. %(minutes)s분 후에 다시 시도하거나 "
            "비밀번호를 재설정해 주세요."
        ),
    }

    def clean(self) -> dict:
        email = (self.cleaned_data.get("username") or "").lower()
        ip = client_ip(self.request) if self.request else None
        if email and throttle.login_is_throttled(email=email, ip=ip):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                throttle.login_failure_record(email=email, ip=ip)
            raise
        throttle.login_success_record(email=email)
        return cleaned


class SignupForm(KrdsFormMixin, forms.Form):
    email = forms.EmailField(label=_("이메일"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    name = forms.CharField(label=_("이름"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("휴대전화 (선택)"),
        max_length=13,
        required=False,
        validators=[validate_korean_mobile],
        help_text=_("예: 010-1234-5678"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("비밀번호"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("10자 이상, 숫자만으로 된 비밀번호나 흔한 비밀번호는 쓸 수 없습니다."),
    )
    password2 = forms.CharField(
        label=_("비밀번호 확인"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    agree_terms = forms.BooleanField(
        label=_("이용약관과 개인정보 수집·이용에 동의합니다."),
        error_messages={"required": _("이용약관과 개인정보 수집·이용에 동의해야 가입할 수 있습니다.")},
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("이미 가입된 이메일입니다. 로그인하거나 비밀번호를 재설정해 주세요."))
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("비밀번호가 서로 다릅니다."))
        elif password1:
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(KrdsFormMixin, forms.Form):
    name = forms.CharField(label=_("이름"), max_length=50)
    phone = forms.CharField(
        label=_("휴대전화"),
        max_length=13,
        required=False,
        validators=[validate_korean_mobile],
        help_text=_("예: 010-1234-5678"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class KrdsPasswordResetForm(KrdsFormMixin, PasswordResetForm):
    pass


class KrdsSetPasswordForm(KrdsFormMixin, SetPasswordForm):
    pass
