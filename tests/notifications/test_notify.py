import pytest
from django.core import mail

from notifications.models import Message
from notifications.services import notify
from tests.notifications.helpers import recipient_for, tasks_run_inline

pytestmark = pytest.mark.django_db

PAID = {"bundle": "하동 녹차 꾸러미", "amount": "39,000원", "ship_date": "12월 24일(목)"}


def test_notify_sends_one_message_per_channel(municipality, user, django_capture_on_commit_callbacks):
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        notify(
            municipality=municipality,
            recipient=recipient_for(user),
            kind="payment_succeeded",
            event_key="order-1-paid",
            context=PAID,
            link="https://kkureomi.kr/hadong/my/subscriptions/1/",
        )
    # then
    messages = {m.channel: m for m in Message.objects.all()}
    assert set(messages) == {"email", "sms"}
    assert {m.status for m in messages.values()} == {"sent"}
    assert messages["sms"].provider_ref == f"db-{messages['sms'].pk}" and messages["sms"].address == user.phone
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "[하동 꾸러미몰] 하동 녹차 꾸러미 결제가 완료되었습니다"
    assert mail.outbox[0].body == (
        "39,000원이 결제되었습니다. 상자는 12월 24일(목)에 발송됩니다.\nhttps://kkureomi.kr/hadong/my/subscriptions/1/"
    )
    assert messages["email"].provider_ref == mail.outbox[0].extra_headers["Message-ID"]
