import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.channels.base import ChannelBackend, Outgoing
from notifications.models import Message, NotificationPreference
from notifications.services import Recipient, messages_send, messages_sweep, notify, notify_many
from tests.notifications.helpers import people, recipient_for, tasks_run_inline

pytestmark = pytest.mark.django_db

LINK = "https://kkureomi.kr/hadong/my/7/"
PAID = {"bundle": "하동 녹차 꾸러미", "amount": "39,000원", "ship_date": "12월 24일(목)"}


class RefusingSmsBackend(ChannelBackend):
    def send(self, outgoing: Outgoing) -> str:
        raise ConnectionError("알림톡 중계사 응답 없음")


def _notify(municipality, user, *, event_key="order-7-paid", **overrides) -> None:
    notify(
        municipality=municipality,
        recipient=recipient_for(user),
        kind=overrides.get("kind", "payment_succeeded"),
        event_key=event_key,
        context=overrides.get("context", PAID),
        link=LINK,
    )


def test_notify_sends_one_message_per_channel(municipality, user, django_capture_on_commit_callbacks):
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        _notify(municipality, user)
    # then
    messages = {m.channel: m for m in Message.objects.all()}
    assert set(messages) == {"email", "sms"}
    assert {(m.status, m.kind, m.event_key, m.user_id) for m in messages.values()} == {
        ("sent", "payment_succeeded", "order-7-paid", user.pk)
    }
    assert messages["sms"].address == user.phone and messages["email"].address == user.email
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert mail.outbox[0].subject == "[하동 꾸러미몰] 하동 녹차 꾸러미 결제가 완료되었습니다"
    assert mail.outbox[0].body == f"39,000원이 결제되었습니다. 상자는 12월 24일(목)에 발송됩니다.\n{LINK}"
    assert messages["email"].provider_ref == mail.outbox[0].extra_headers["Message-ID"]


def test_database_sms_backend_records_the_message(municipality, user, django_capture_on_commit_callbacks):
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        _notify(municipality, user)
    # then: sent, with its reference and time; the row holds what the phone would have shown
    sms = Message.objects.get(channel="sms")
    assert sms.status == "sent" and sms.provider_ref == f"db-{sms.pk}" and sms.sent_at is not None
    assert sms.body == f"39,000원이 결제되었습니다. 상자는 12월 24일(목)에 발송됩니다.\n{LINK}"
    assert sms.recipient_name == user.name and sms.error == ""


def test_the_same_event_twice_sends_once(municipality, user, django_capture_on_commit_callbacks):
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(municipality, user)
        _notify(municipality, user, context={**PAID, "amount": "1원"})
    # then: one message per channel, the first wording, one e-mail; the second call scheduled nothing
    assert Message.objects.count() == 2
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1 and "39,000원" in mail.outbox[0].body


def test_the_same_event_key_in_another_municipality_is_another_event(
    municipality, other_municipality, user, django_capture_on_commit_callbacks
):
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        _notify(municipality, user)
        _notify(other_municipality, user)
    slugs = sorted(Message.objects.values_list("municipality__slug", flat=True))
    assert slugs == ["hadong", "hadong", "namhae", "namhae"]
    assert [m.subject[:9] for m in mail.outbox] == ["[하동 꾸러미몰]", "[보물섬 남해 구"]


def test_a_rolled_back_caller_leaves_nothing(municipality, user, django_capture_on_commit_callbacks):
    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        _notify(municipality, user)
        raise Abandon
    assert Message.objects.count() == 0 and callbacks == [] and mail.outbox == []


def test_channel_preferences_are_respected(municipality, django_capture_on_commit_callbacks):
    # given: one person wants e-mail only, one the phone only, one has no phone, one has no preference row
    email_only, phone_only, no_phone, default = people(4)
    NotificationPreference.objects.create(municipality=municipality, user=email_only, sms_enabled=False)
    NotificationPreference.objects.create(municipality=municipality, user=phone_only, email_enabled=False)
    no_phone_recipient = Recipient(user_id=no_phone.pk, name=no_phone.name, email=no_phone.email, phone="")
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        notify_many(
            municipality=municipality,
            kind="payment_succeeded",
            messages=[
                (recipient_for(email_only), "e1", PAID, LINK),
                (recipient_for(phone_only), "e2", PAID, LINK),
                (no_phone_recipient, "e3", PAID, LINK),
                (recipient_for(default), "e4", PAID, LINK),
            ],
        )
    # then
    assert sorted(Message.objects.values_list("event_key", "channel")) == [
        ("e1", "email"),
        ("e2", "sms"),
        ("e3", "email"),
        ("e4", "email"),
        ("e4", "sms"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([email_only.email, no_phone.email, default.email])


def test_a_preference_of_another_municipality_does_not_apply(
    municipality, other_municipality, user, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(municipality=other_municipality, user=user, email_enabled=False)
    _notify(municipality, user)
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_a_failing_channel_is_logged_and_the_others_still_go(
    municipality, user, settings, django_capture_on_commit_callbacks
):
    # given
    settings.NOTIFICATION_SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        _notify(municipality, user)
        _notify(municipality, user, event_key="order-8-paid")
    # then
    sms = Message.objects.filter(channel="sms")
    assert sorted(sms.values_list("status", "error")) == [
        ("failed", "ConnectionError: 알림톡 중계사 응답 없음"),
        ("failed", "ConnectionError: 알림톡 중계사 응답 없음"),
    ]
    assert sorted(Message.objects.filter(channel="email").values_list("status", flat=True)) == ["sent", "sent"]
    assert len(mail.outbox) == 2


def test_sending_twice_sends_once(municipality, user, django_capture_on_commit_callbacks):
    # given: made, not yet sent (no worker ran)
    _notify(municipality, user)
    ids = list(Message.objects.values_list("pk", flat=True))
    assert set(Message.objects.values_list("status", flat=True)) == {"pending"}
    # when: the task is delivered twice
    messages_send(message_ids=ids)
    messages_send(message_ids=ids)
    # then
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 1


def test_unknown_kind_or_missing_context_is_refused(municipality, user):
    with pytest.raises(ValueError, match="unknown notification kind"):
        _notify(municipality, user, kind="birthday")
    with pytest.raises(ValueError, match=r"needs context \['ship_date'\]"):
        _notify(municipality, user, context={"bundle": "녹차", "amount": "1원"})
    assert Message.objects.count() == 0


def test_notify_many_runs_a_fixed_number_of_queries(municipality, django_assert_max_num_queries):
    # given
    few = [(recipient_for(u), f"few-{u.pk}", PAID, LINK) for u in people(3)]
    many = [(recipient_for(u), f"many-{u.pk}", PAID, LINK) for u in people(300)]
    # when / then: preferences, one insert and the new ids, whatever the number
    with CaptureQueriesContext(connection) as small:
        notify_many(municipality=municipality, kind="payment_succeeded", messages=few)
    with django_assert_max_num_queries(len(small.captured_queries)):
        notify_many(municipality=municipality, kind="payment_succeeded", messages=many)
    assert len(small.captured_queries) == 3
    assert Message.objects.count() == 2 * 303


def test_a_batch_is_sent_in_chunks_of_tasks(municipality, settings, django_capture_on_commit_callbacks):
    # given
    settings.NOTIFICATION_SEND_CHUNK_SIZE = 4
    messages = [(recipient_for(u), f"d-{u.pk}", PAID, LINK) for u in people(5)]
    # when
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        notify_many(municipality=municipality, kind="payment_succeeded", messages=messages)
    # then
    assert Message.objects.filter(status="sent").count() == 10 and len(mail.outbox) == 5


def test_sweep_sends_what_was_left_pending_and_closes_what_died_sending(municipality, user):
    # given: one message whose task was lost, one a worker claimed and never finished, one just made
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        _notify(municipality, user, event_key="lost")
        Message.objects.filter(event_key="lost", channel="sms").update(status="sending", claimed_at=timezone.now())
    _notify(municipality, user, event_key="fresh")
    # when
    with tasks_run_inline():
        messages_sweep()
    # then
    assert sorted(Message.objects.values_list("event_key", "channel", "status")) == [
        ("fresh", "email", "pending"),
        ("fresh", "sms", "pending"),
        ("lost", "email", "sent"),
        ("lost", "sms", "failed"),
    ]
    assert "다시 보내지 않았습니다" in Message.objects.get(event_key="lost", channel="sms").error
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_callers_send_one_message(municipality, user):
    """Two requests (real separate connections) tell about the same event at the same moment: the
    second insert waits on the first's unique key, finds it, and sends nothing."""
    first_inserted, errors = threading.Event(), []

    def first() -> None:
        try:
            with tasks_run_inline(), transaction.atomic():
                _notify(municipality, user)
                first_inserted.set()
                time.sleep(0.5)  # the second caller is now blocked on our uncommitted rows
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_inserted.wait(5)
            with tasks_run_inline(), transaction.atomic():
                _notify(municipality, user, context={**PAID, "amount": "2원"})
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert errors == []
    assert sorted(Message.objects.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    assert len(mail.outbox) == 1 and "39,000원" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_the_same_ids_send_once(municipality):
    # given: 40 pending messages, and two deliveries of the same task
    users = people(20)
    notify_many(
        municipality=municipality,
        kind="payment_succeeded",
        messages=[(recipient_for(u), f"w-{u.pk}", PAID, LINK) for u in users],
    )
    ids = list(Message.objects.values_list("pk", flat=True))
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait(5)
            messages_send(message_ids=ids)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then
    assert Message.objects.filter(status="sent").count() == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_redis_sends_after_commit(municipality, user):
    """The real path: the commit hands the ids to the broker, a worker sends them."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    assert not app.conf.task_always_eager
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        with transaction.atomic():
            _notify(municipality, user)
        for _ in range(150):
            if Message.objects.filter(status="sent").count() == 2:
                break
            time.sleep(0.2)
    assert sorted(Message.objects.values_list("channel", "status")) == [("email", "sent"), ("sms", "sent")]
    assert len(mail.outbox) == 1
