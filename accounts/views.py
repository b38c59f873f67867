from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import KrdsPasswordResetForm, KrdsSetPasswordForm, LoginForm, ProfileForm, SignupForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def signup(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_signup(
            email=form.cleaned_data["email"],
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password1"],
            phone=form.cleaned_data["phone"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("가입을 환영합니다, %(name)s님.") % {"name": user.name})
        return redirect(next_url or "accounts:home")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, initial={"name": request.user.name, "phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(
            user=request.user, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"]
        )
        messages.success(request, _("내 정보를 저장했습니다."))
        return redirect("accounts:home")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": request.user.memberships.filter(municipality__is_active=True)
            .select_related("municipality")
            .order_by("municipality__name", "role"),
        },
    )


password_reset = auth_views.PasswordResetView.as_view(
    form_class=KrdsPasswordResetForm,
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=KrdsSetPasswordForm,
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
