import pytest
from django.test import override_settings
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email: str, password: str, ip: str = "198.51.100.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


@override_settings(LOGIN_THROTTLE_MAX_FAILURES=3)
def test_correct_password_is_refused_after_repeated_failures(client):
    # given
    user = UserFactory(email="hong@example.kr")
    for _ in range(3):
        assert login(client, user.email, "wrong-password").status_code == 200
    # when
    response = login(client, user.email, PASSWORD)
    # then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "잠시 로그인할 수 없습니다" in response.content.decode()


@override_settings(LOGIN_THROTTLE_MAX_FAILURES=3)
def test_failures_below_the_limit_do_not_block(client):
    user = UserFactory(email="hong@example.kr")
    for _ in range(2):
        login(client, user.email, "wrong-password")
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@override_settings(LOGIN_THROTTLE_MAX_FAILURES=3)
def test_one_ip_guessing_many_accounts_is_throttled(client):
    # given: failures spread over three addresses from one IP
    victim = UserFactory(email="victim@example.kr")
    for n in range(3):
        login(client, f"guess{n}@example.kr", "wrong-password", ip="203.0.113.9")
    # when
    response = login(client, victim.email, PASSWORD, ip="203.0.113.9")
    # then
    assert "_auth_user_id" not in client.session
    assert "잠시 로그인할 수 없습니다" in response.content.decode()
    # and another IP may still log in to that account
    assert login(client, victim.email, PASSWORD, ip="198.51.100.77").status_code == 302


def test_wrong_password_message_is_korean(client):
    user = UserFactory()
    response = login(client, user.email, "wrong-password")
    assert "이메일 또는 비밀번호가 올바르지 않습니다" in response.content.decode()
