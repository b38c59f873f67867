import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_korean_by_default(client):
    response = client.get(reverse("accounts:login"))
    body = response.content.decode()
    assert '<html lang="ko"' in body
    assert "로그인" in body


def test_english_when_switched(client):
    # when: the visitor picks English in the language switcher
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302
    # then
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in body
    assert "Log in" in body
    assert "비밀번호를 잊으셨나요" not in body


def test_form_errors_are_english_when_switched(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("accounts:login"), {"username": "a@example.kr", "password": "nope"})
    assert "The e-mail address or password is incorrect." in response.content.decode()
