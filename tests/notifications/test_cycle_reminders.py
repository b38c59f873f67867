from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from notifications.models import Message
from subscriptions.lifecycle import subscription_cancel, subscription_pause, subscription_skip
from subscriptions.reminders import cycle_reminders_send
from subscriptions.services import subscription_create
from tests.notifications.helpers import tasks_run_inline
from tests.subscriptions.helpers import published_bundle, seoul, subscriber_with_card

pytestmark = pytest.mark.django_db

BEFORE = seoul(2026, 11, 15, 10, 0)  # weekly: cutoff 11-16 0시, ships 11-19; the next cutoff is 11-23


def _subscriptions(municipality, gateway, count: int):
    plan = published_bundle(municipality, cadences=("weekly",)).plans.get()
    subs = []
    for _ in range(count):
        subscriber, address, card = subscriber_with_card(municipality, gateway)
        subs.append(
            subscription_create(
                subscriber=subscriber,
                plan=plan,
                term_boxes=1,
                address=address,
                payment_method=card,
                acting_user=subscriber.user,
            )
        )
    return subs


def test_due_subscribers_are_reminded_once_before_the_cutoff(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    # given: five subscriptions to the cycle whose cutoff is in 14 hours
    with time_machine.travel(BEFORE, tick=False):
        active, skipped, paused, paused_till_before, canceled = _subscriptions(municipality, stripe_gateway, 5)
        subscription_skip(subscription=skipped, acting_user=None)
        subscription_pause(subscription=paused, until=None, acting_user=None)
        subscription_pause(subscription=paused_till_before, until=date(2026, 11, 18), acting_user=None)
        subscription_cancel(subscription=canceled, reason="other", acting_user=None)
        # when: the daily task runs (twice, as a redelivered task would)
        with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
            considered = cycle_reminders_send()
            cycle_reminders_send()
    # then: the active one and the one whose pause ends before the ship date, once each, on both channels
    cycle_id = active.first_cycle_id
    assert considered == 2
    assert sorted(Message.objects.values_list("event_key", "channel", "status")) == [
        (f"cycle-{cycle_id}-reminder-{active.pk}", "email", "sent"),
        (f"cycle-{cycle_id}-reminder-{active.pk}", "sms", "sent"),
        (f"cycle-{cycle_id}-reminder-{paused_till_before.pk}", "email", "sent"),
        (f"cycle-{cycle_id}-reminder-{paused_till_before.pk}", "sms", "sent"),
    ]
    email = next(m for m in mail.outbox if m.to == [active.subscriber.user.email])
    assert len(mail.outbox) == 2
    assert email.subject == f"[하동 꾸러미몰] {active.bundle.name} 변경 마감이 다가옵니다"
    assert email.body == (
        f"11월 19일(목)에 발송할 {active.bundle.name} 상자는 11월 16일(월) 0시까지 건너뛰기나 변경을 할 수 있습니다. "
        "마감 후에는 등록된 카드로 결제됩니다.\n"
        f"내 구독에서 변경하기: {settings.SITE_URL}/hadong/my/{active.pk}/"
    )


def test_next_days_run_and_far_cutoffs_send_nothing_more(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    # given: reminded yesterday for the 11-16 cutoff
    with time_machine.travel(BEFORE - timedelta(days=1), tick=False):
        (sub,) = _subscriptions(municipality, stripe_gateway, 1)
        cycle_reminders_send()
    assert Message.objects.count() == 2
    # when: the next daily runs, the first still 14 h before that cutoff, the second after it
    with time_machine.travel(BEFORE, tick=False):
        assert cycle_reminders_send() == 1
    with time_machine.travel(BEFORE + timedelta(days=1), tick=False):
        # the next weekly cutoff (11-23 0시) is more than 48 hours away
        assert cycle_reminders_send() == 0
    # then
    assert Message.objects.count() == 2
    # when: two days before the next cutoff
    with time_machine.travel(seoul(2026, 11, 21, 10, 0), tick=False):
        assert cycle_reminders_send() == 1
    assert (
        Message.objects.filter(event_key__startswith="cycle-")
        .exclude(event_key__startswith=f"cycle-{sub.first_cycle_id}-")
        .count()
        == 2
    )


def test_reminders_are_scheduled_daily():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_periodic_tasks")
    reminder = PeriodicTask.objects.get(name="cycle-reminders")
    assert reminder.task == "subscriptions.tasks.cycle_reminders_send_task"
    assert (reminder.crontab.hour, reminder.crontab.minute) == ("10", "0")
    assert PeriodicTask.objects.get(name="notifications-sweep").task == "notifications.tasks.messages_sweep_task"
