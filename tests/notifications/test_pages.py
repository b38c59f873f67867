import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from municipalities.models import PersonalDataAccess
from notifications.models import Message, NotificationPreference
from notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MembershipFactory
from tests.notifications.helpers import recipient_for

pytestmark = pytest.mark.django_db

PAID = {"bundle": "하동 녹차 꾸러미", "amount": "39,000원", "ship_date": "12월 24일(목)"}


def url(municipality, name: str, **kwargs) -> str:
    return reverse(f"notifications:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _paid(municipality, user, key: str, *, bundle: str = "하동 녹차 꾸러미") -> None:
    notify(
        municipality=municipality,
        recipient=recipient_for(user),
        kind="payment_succeeded",
        event_key=key,
        context={**PAID, "bundle": bundle},
    )


# --- 알림 설정 (the subscriber) ----------------------------------------------------------------------------------
def test_my_page_needs_a_login(client, municipality):
    response = client.get(url(municipality, "my"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_page_shows_the_defaults_and_my_messages_here_newest_first(client, municipality, other_municipality, user):
    # given: two messages to me here, one elsewhere, one to someone else here
    _paid(municipality, user, "a", bundle="첫 꾸러미")
    _paid(municipality, user, "b", bundle="둘째 꾸러미")
    _paid(other_municipality, user, "c", bundle="남해 꾸러미")
    _paid(municipality, UserFactory(), "d", bundle="남의 꾸러미")
    client.force_login(user)
    # when
    response = client.get(url(municipality, "my"))
    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {"email_enabled": True, "sms_enabled": True}
    # one entry per event, with the status on each channel
    assert [(e["subject"], e["channels"]) for e in response.context["received"]] == [
        ("[하동 꾸러미몰] 둘째 꾸러미 결제가 완료되었습니다", ["알림톡·문자 대기", "이메일 대기"]),
        ("[하동 꾸러미몰] 첫 꾸러미 결제가 완료되었습니다", ["알림톡·문자 대기", "이메일 대기"]),
    ]
    html = response.content.decode()
    assert '<label for="id_sms_enabled"><span>카카오 알림톡·문자로 받기' in html
    assert "남해 꾸러미" not in html and "남의 꾸러미" not in html


def test_choosing_channels_is_saved_and_used(client, municipality, user):
    client.force_login(user)
    # when
    response = client.post(url(municipality, "my"), {"email_enabled": "on"})
    # then
    assert response.status_code == 302 and said(response) == ["알림 받을 방법을 저장했습니다."]
    preference = NotificationPreference.objects.get(municipality=municipality, user=user)
    assert (preference.email_enabled, preference.sms_enabled) == (True, False)
    assert client.get(url(municipality, "my")).context["form"].initial == {"email_enabled": True, "sms_enabled": False}
    _paid(municipality, user, "after")
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]


def test_turning_every_channel_off_is_refused(client, municipality, user):
    # given
    NotificationPreference.objects.create(municipality=municipality, user=user, email_enabled=False)
    client.force_login(user)
    # when
    response = client.post(url(municipality, "my"), {})
    # then
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["알림을 받을 방법을 하나 이상 선택해 주세요."]
    assert "알림을 받을 방법을 하나 이상 선택해 주세요." in response.content.decode()
    preference = NotificationPreference.objects.get(municipality=municipality, user=user)
    assert (preference.email_enabled, preference.sms_enabled) == (False, True)


def test_my_subscriptions_menu_links_to_the_settings(client, municipality, user):
    client.force_login(user)
    response = client.get(reverse("subscriptions:my-list", kwargs={"municipality_slug": municipality.slug}))
    assert f'href="{url(municipality, "my")}"' in response.content.decode()


# --- 알림 발송 기록 (staff) --------------------------------------------------------------------------------------
@pytest.fixture
def logged(municipality):
    person = UserFactory(name="홍길동", email="hong.gildong@example.kr", phone="010-1234-5678")
    _paid(municipality, person, "order-1-paid")
    return person


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("logistics", 200), ("curator", 200), ("finance", 403)])
def test_message_log_roles(client, municipality, role, status):
    client.force_login(MembershipFactory(municipality=municipality, role=role).user)
    assert client.get(url(municipality, "staff-messages")).status_code == status


def test_message_log_of_another_municipality_is_not_found(client, municipality, other_municipality, logged):
    client.force_login(MembershipFactory(municipality=other_municipality, role="admin").user)
    assert client.get(url(municipality, "staff-messages")).status_code == 404
    message = Message.objects.first()
    assert client.get(url(other_municipality, "staff-message", message_id=message.pk)).status_code == 404
    assert client.get(url(municipality, "staff-message", message_id=message.pk)).status_code == 404


def test_admin_sees_recipients_in_full_and_the_page_is_in_the_nav(client, municipality, staff_admin, logged):
    client.force_login(staff_admin)
    response = client.get(url(municipality, "staff-messages"))
    html = response.content.decode()
    assert "홍길동" in html and "hong.gildong@example.kr" in html and "010-1234-5678" in html
    assert f'href="{url(municipality, "staff-messages")}"' in html
    assert PersonalDataAccess.objects.count() == 0  # the list is not a download; the detail and CSV are logged


def test_curator_sees_recipients_masked(client, municipality, logged):
    client.force_login(MembershipFactory(municipality=municipality, role="curator").user)
    html = client.get(url(municipality, "staff-messages")).content.decode()
    assert "홍*동" in html and "ho**********@example.kr" in html and "010-****-5678" in html
    assert "홍길동" not in html and "hong.gildong" not in html and "1234" not in html
    message = Message.objects.get(channel="sms")
    detail = client.get(url(municipality, "staff-message", message_id=message.pk))
    assert detail.context["recipient_name"] == "홍*동" and detail.context["address"] == "010-****-5678"
    assert PersonalDataAccess.objects.count() == 0


def test_message_detail_in_full_is_logged(client, municipality, staff_admin, logged):
    client.force_login(staff_admin)
    message = Message.objects.get(channel="email")
    response = client.get(url(municipality, "staff-message", message_id=message.pk))
    assert response.status_code == 200 and response.context["address"] == "hong.gildong@example.kr"
    access = PersonalDataAccess.objects.get()
    assert (access.accessor, access.subject_id, access.subject_label, access.purpose) == (
        staff_admin,
        str(logged.pk),
        f"홍*동 (#{logged.pk})",
        "알림 발송 기록 조회",
    )


def test_message_log_filters_by_kind_channel_and_status(client, municipality, staff_admin, logged):
    notify(
        municipality=municipality,
        recipient=recipient_for(logged),
        kind="delivered",
        event_key="shipment-1-delivered",
        context={"bundle": "하동 녹차 꾸러미"},
    )
    Message.objects.filter(kind="delivered", channel="sms").update(status="failed", error="번호 없음")
    client.force_login(staff_admin)
    table = client.get(url(municipality, "staff-messages"), {"kind": "delivered"}).context["table"]
    assert sorted((m.kind, m.channel) for m in table.data) == [("delivered", "email"), ("delivered", "sms")]
    table = client.get(url(municipality, "staff-messages"), {"channel": "sms", "status": "failed"}).context["table"]
    assert [(m.kind, m.error) for m in table.data] == [("delivered", "번호 없음")]


def test_csv_lists_every_filtered_message_and_logs_a_full_download(client, municipality, staff_admin, logged):
    client.force_login(staff_admin)
    response = client.get(url(municipality, "staff-messages"), {"channel": "email", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["만든 시각", "종류", "채널", "받는 분", "수신처", "제목", "상태", "발송 시각", "오류"]
    assert [row[1:7] for row in rows[1:]] == [
        [
            "결제 완료",
            "이메일",
            "홍길동",
            "hong.gildong@example.kr",
            "[하동 꾸러미몰] 하동 녹차 꾸러미 결제가 완료되었습니다",
            "대기",
        ]
    ]
    assert list(PersonalDataAccess.objects.values_list("subject_id", "purpose")) == [
        (str(logged.pk), "알림 발송 기록 내려받기")
    ]


def test_masked_csv_is_not_logged(client, municipality, logged):
    client.force_login(MembershipFactory(municipality=municipality, role="curator").user)
    response = client.get(url(municipality, "staff-messages"), {"export": "csv"})
    body = response.content.decode("utf-8-sig")
    assert "홍*동" in body and "010-****-5678" in body and "홍길동" not in body
    assert PersonalDataAccess.objects.count() == 0
