import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD_SIGNUP = {
    "email": "New.Person@Example.kr",
    "name": "김하늘",
    "phone": "01055556666",
    "password1": "maesil-tea-morning-77",
    "password2": "maesil-tea-morning-77",
    "agree_terms": "on",
}


def test_signup_creates_the_account_and_logs_in(client):
    response = client.post(reverse("accounts:signup"), GOOD_SIGNUP)
    assert response.status_code == 302
    user = User.objects.get()
    assert (user.email, user.name, user.phone) == ("new.person@example.kr", "김하늘", "010-5555-6666")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password2": "different-password-1"}, "password2", "비밀번호가 서로 다릅니다."),
        ({"phone": "02-123-4567"}, "phone", "휴대전화 번호 형식이 올바르지 않습니다. 예: 010-1234-5678"),
        ({"agree_terms": ""}, "agree_terms", "이용약관과 개인정보 수집·이용에 동의해야 가입할 수 있습니다."),
        ({"email": "not-an-email"}, "email", None),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", None),
    ],
)
def test_signup_errors_are_shown_and_nothing_is_created(client, change, field, message):
    response = client.post(reverse("accounts:signup"), {**GOOD_SIGNUP, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors
    if message:
        assert message in errors
        assert message in response.content.decode()
    assert User.objects.count() == 0


def test_signup_with_a_taken_email_is_refused(client):
    UserFactory(email="new.person@example.kr")
    response = client.post(reverse("accounts:signup"), GOOD_SIGNUP)
    assert "이미 가입된 이메일입니다" in response.content.decode()
    assert User.objects.count() == 1


def test_profile_update(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:home"), {"name": "새이름", "phone": "010 9999 8888"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.phone) == ("새이름", "010-9999-8888")


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_logout_is_a_post(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client):
    # given
    user = UserFactory(email="hong@example.kr")
    # when: ask for the link, then follow it
    client.post(reverse("accounts:password-reset"), {"email": "hong@example.kr"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "jirisan-herbs-2026!", "new_password2": "jirisan-herbs-2026!"},
    )
    # then
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("jirisan-herbs-2026!")
    assert not user.check_password(PASSWORD)


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.kr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0
