"""A change before a cycle's cutoff applies to that cycle; after the cutoff, to the following one."""

from datetime import date, timedelta

import pytest
import time_machine

from subscriptions import cycles, lifecycle
from subscriptions.models import DeliveryCycle, SubscriptionEvent
from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, seoul, subscriber_with_card

pytestmark = pytest.mark.django_db


def test_calendar_of_each_cadence():
    assert cycles.ship_dates("weekly", date(2026, 11, 23), date(2026, 12, 10)) == [
        date(2026, 11, 26),
        date(2026, 12, 3),
        date(2026, 12, 10),
    ]
    assert cycles.ship_dates("biweekly", date(2026, 11, 23), date(2026, 12, 31)) == [
        date(2026, 12, 3),
        date(2026, 12, 17),
        date(2026, 12, 31),
    ]
    assert cycles.ship_dates("monthly", date(2026, 11, 23), date(2027, 2, 28)) == [
        date(2026, 12, 10),
        date(2027, 1, 14),
        date(2027, 2, 11),
    ]


def test_cutoff_is_monday_midnight_in_seoul(municipality):
    assert cycles.cutoff_for(municipality, date(2026, 11, 26)) == seoul(2026, 11, 23, 0, 0)


def test_generating_twice_creates_nothing_new(municipality):
    with time_machine.travel(seoul(2026, 11, 20, 12, 0)):
        first = cycles.cycles_generate(municipality=municipality)
        again = cycles.cycles_generate(municipality=municipality)
    assert first > 0 and again == 0


@pytest.mark.parametrize(
    ("moment", "expected_ship_date"),
    [
        (seoul(2026, 11, 22, 23, 59), date(2026, 11, 26)),  # a minute before the cutoff: this week's box
        (seoul(2026, 11, 23, 0, 0), date(2026, 12, 3)),  # at the cutoff: next week's box
        (seoul(2026, 11, 23, 9, 0), date(2026, 12, 3)),
    ],
)
def test_skip_lands_on_the_right_cycle(municipality, stripe_gateway, moment, expected_ship_date):
    # given: a weekly subscription made the week before
    with time_machine.travel(seoul(2026, 11, 15, 10, 0), tick=False):
        bundle = published_bundle(municipality, cadences=("weekly",))
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        sub = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    # when
    with time_machine.travel(moment, tick=False):
        skip = lifecycle.subscription_skip(subscription=sub, acting_user=subscriber.user)
    # then
    assert skip.cycle.ship_date == expected_ship_date


def test_plan_change_after_cutoff_is_effective_from_the_following_cycle(municipality, stripe_gateway):
    with time_machine.travel(seoul(2026, 11, 15, 10, 0), tick=False):
        bundle = published_bundle(municipality, cadences=("weekly", "biweekly"))
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        sub = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(cadence="weekly"),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    assert sub.first_cycle.ship_date == date(2026, 11, 19)
    # when: switch to biweekly on Monday morning, after this week's cutoff
    with time_machine.travel(seoul(2026, 11, 23, 9, 0), tick=False):
        lifecycle.subscription_change_plan(
            subscription=sub, plan=bundle.plans.get(cadence="biweekly"), acting_user=subscriber.user
        )
    # then: the first biweekly box is the next biweekly cycle whose cutoff is still ahead
    event = SubscriptionEvent.objects.get(subscription=sub, kind="plan_changed")
    assert event.effective_cycle.cadence == "biweekly"
    assert event.effective_cycle.ship_date == date(2026, 12, 3)


def test_subscription_starts_with_the_next_cycle_whose_cutoff_has_not_passed(municipality, stripe_gateway):
    with time_machine.travel(seoul(2026, 12, 6, 23, 0), tick=False):  # Sunday night, monthly cutoff 12-07 00:00
        bundle = published_bundle(municipality, cadences=("monthly",))
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        early = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    with time_machine.travel(seoul(2026, 12, 7, 0, 1), tick=False):
        late = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    assert early.first_cycle.ship_date == date(2026, 12, 10)
    assert late.first_cycle.ship_date == date(2027, 1, 14)
    assert DeliveryCycle.objects.filter(cadence="monthly", ship_date=date(2026, 12, 10)).count() == 1


def test_generated_cycles_reach_eight_weeks_ahead(municipality):
    with time_machine.travel(seoul(2026, 11, 20, 12, 0), tick=False):
        cycles.cycles_generate(municipality=municipality)
    weekly = DeliveryCycle.objects.filter(cadence="weekly").order_by("ship_date")
    assert weekly.last().ship_date - weekly.first().ship_date >= timedelta(weeks=8)
