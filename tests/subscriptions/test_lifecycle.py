from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from core.transitions import TransitionNotAllowed
from subscriptions import lifecycle
from subscriptions.lifecycle import ChangeNotAllowed
from subscriptions.models import SkippedCycle, Subscription, SubscriptionEvent

pytestmark = pytest.mark.django_db
Status = Subscription.Status


def state(sub: Subscription) -> dict:
    sub.refresh_from_db()
    return {**model_to_dict(sub), "events": SubscriptionEvent.objects.filter(subscription=sub).count()}


def set_status(sub: Subscription, status: str) -> Subscription:
    Subscription.objects.filter(pk=sub.pk).update(status=status)
    sub.refresh_from_db()
    return sub


def test_pause_then_resume(subscription):
    # given
    user = subscription.subscriber.user
    until = timezone.localdate() + timedelta(days=30)
    # when
    lifecycle.subscription_pause(subscription=subscription, until=until, acting_user=user)
    lifecycle.subscription_pause(subscription=subscription, until=until, acting_user=user)
    # then
    subscription.refresh_from_db()
    assert (subscription.status, subscription.paused_until) == (Status.PAUSED, until)
    lifecycle.subscription_resume(subscription=subscription, acting_user=user)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.paused_until) == (Status.ACTIVE, None)
    events = SubscriptionEvent.objects.filter(subscription=subscription).order_by("pk")
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        ("created", "", "active"),
        ("paused", "active", "paused"),
        ("resumed", "paused", "active"),
    ]
    assert all(e.actor == user for e in events)


def test_open_ended_pause(subscription):
    lifecycle.subscription_pause(subscription=subscription, until=None, acting_user=None)
    subscription.refresh_from_db()
    assert subscription.status == Status.PAUSED and subscription.paused_until is None


def test_cancel_with_reason_then_reactivate(subscription):
    user = subscription.subscriber.user
    lifecycle.subscription_cancel(
        subscription=subscription, reason="too_much", note="혼자 먹기 많아요", acting_user=user
    )
    subscription.refresh_from_db()
    assert subscription.status == Status.CANCELED
    assert (subscription.cancel_reason, subscription.cancel_note) == ("too_much", "혼자 먹기 많아요")
    event = SubscriptionEvent.objects.get(subscription=subscription, kind="canceled")
    assert event.data == {"reason": "too_much", "refund_due_won": 0, "unshipped_boxes": 0}
    lifecycle.subscription_reactivate(subscription=subscription, acting_user=user)
    subscription.refresh_from_db()
    assert subscription.status == Status.ACTIVE and subscription.canceled_at is None


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.PAUSED, Status.PAST_DUE])
def test_cancel_is_allowed_from_every_live_state(subscription, status):
    set_status(subscription, status)
    lifecycle.subscription_cancel(subscription=subscription, reason="other", acting_user=None)
    assert Subscription.objects.get(pk=subscription.pk).status == Status.CANCELED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.PAST_DUE, lambda s: lifecycle.subscription_resume(subscription=s, acting_user=None)),
        (Status.CANCELED, lambda s: lifecycle.subscription_resume(subscription=s, acting_user=None)),
        (Status.CANCELED, lambda s: lifecycle.subscription_pause(subscription=s, until=None, acting_user=None)),
        (Status.PAST_DUE, lambda s: lifecycle.subscription_reactivate(subscription=s, acting_user=None)),
        (Status.CANCELED, lambda s: lifecycle.subscription_skip(subscription=s, acting_user=None)),
        (Status.ACTIVE, lambda s: lifecycle.subscription_cancel(subscription=s, reason="bogus", acting_user=None)),
    ],
)
def test_refused_moves_leave_the_subscription_unchanged(subscription, status, action):
    # given
    set_status(subscription, status)
    before = state(subscription)
    # when
    with pytest.raises((TransitionNotAllowed, ChangeNotAllowed)):
        action(subscription)
    # then
    assert state(subscription) == before


@pytest.mark.parametrize(
    "action",
    [
        lambda s: lifecycle.subscription_reactivate(subscription=s, acting_user=None),
        lambda s: lifecycle.subscription_resume(subscription=s, acting_user=None),
    ],
)
def test_moving_an_active_subscription_to_active_is_a_no_op(subscription, action):
    before = state(subscription)
    action(subscription)
    assert state(subscription) == before


def test_pause_in_the_past_is_refused_and_changes_nothing(subscription):
    before = state(subscription)
    with pytest.raises(ChangeNotAllowed, match="오늘 이후"):
        lifecycle.subscription_pause(subscription=subscription, until=timezone.localdate(), acting_user=None)
    assert state(subscription) == before


def test_skip_and_unskip_the_next_box(subscription):
    skip = lifecycle.subscription_skip(subscription=subscription, acting_user=None)
    again = lifecycle.subscription_skip(subscription=subscription, acting_user=None)
    assert skip.pk == again.pk
    assert skip.cycle == subscription.first_cycle
    lifecycle.subscription_unskip(subscription=subscription, cycle=skip.cycle, acting_user=None)
    assert SkippedCycle.objects.count() == 0
    kinds = list(
        SubscriptionEvent.objects.filter(subscription=subscription).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["created", "skipped", "unskipped"]


def test_change_address_and_card_are_recorded(subscription, stripe_gateway):
    from subscriptions.services import address_add

    new_address = address_add(
        subscriber=subscription.subscriber,
        recipient="홍길동",
        phone="010-2222-3333",
        postcode="52305",
        road_address="경상남도 하동군 악양면 평사리길 10",
    )
    lifecycle.subscription_change_address(subscription=subscription, address=new_address, acting_user=None)
    subscription.refresh_from_db()
    assert subscription.address == new_address
    assert SubscriptionEvent.objects.filter(subscription=subscription, kind="address_changed").count() == 1


def test_cannot_use_another_subscribers_address(subscription, municipality, stripe_gateway):
    from tests.subscriptions.helpers import subscriber_with_card

    _other, others_address, _card = subscriber_with_card(municipality, stripe_gateway)
    before = state(subscription)
    with pytest.raises(ChangeNotAllowed):
        lifecycle.subscription_change_address(subscription=subscription, address=others_address, acting_user=None)
    assert state(subscription) == before
