"""A subscription walked through thirteen months of the billing engine, day by day (Asia/Seoul)."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from subscriptions import cycles, lifecycle
from subscriptions.billing import charging
from subscriptions.billing.run import billing_run
from subscriptions.models import Order, PaymentAttempt
from subscriptions.services import card_save, card_setup_start, subscription_create
from tests.subscriptions.billing_helpers import intents_for
from tests.subscriptions.helpers import SEOUL, confirm_card_like_stripe_js, published_bundle, subscriber_with_card

pytestmark = pytest.mark.django_db

START = date(2027, 2, 1)
END = date(2028, 3, 20)
SKIP_ON, SKIPPED = date(2027, 3, 1), date(2027, 3, 11)
PAUSE_ON, PAUSE_UNTIL = date(2027, 5, 1), date(2027, 6, 30)
CADENCE_CHANGE_ON = date(2027, 8, 20)
DECLINING_CARD_ON = date(2027, 10, 20)
LEAP_PAUSE_ON, LEAP_PAUSE_UNTIL = date(2028, 2, 1), date(2028, 2, 29)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SEOUL)


def new_card(subscriber, gateway, number):
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    confirm_card_like_stripe_js(gateway, session, number)
    return card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)


def expected_ship_dates() -> list[date]:
    monthly = [
        d
        for d in cycles.ship_dates("monthly", START, CADENCE_CHANGE_ON)
        if cycles.cutoff_for_date(d) > at(START, 12)
        and cycles.cutoff_for_date(d) <= at(CADENCE_CHANGE_ON, 12)
        and d != SKIPPED
        and not (cycles.cutoff_for_date(d) > at(PAUSE_ON, 12) and d <= PAUSE_UNTIL)
    ]
    biweekly = [
        d
        for d in cycles.ship_dates("biweekly", CADENCE_CHANGE_ON, END + timedelta(days=7))
        if at(CADENCE_CHANGE_ON, 12) < cycles.cutoff_for_date(d) <= at(END, 3)
        and not (cycles.cutoff_for_date(d) > at(LEAP_PAUSE_ON, 12) and d <= LEAP_PAUSE_UNTIL)
    ]
    return monthly + biweekly


def test_every_expected_charge_is_made_exactly_once(municipality, stripe_gateway):
    # given: a monthly subscription started on 2027-02-01
    with time_machine.travel(at(START, 12), tick=False):
        bundle = published_bundle(municipality, cadences=("monthly", "biweekly"))
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        sub = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(cadence="monthly"),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    user, failed_order_id = subscriber.user, None
    # when: every day at 03:00 the billing engine runs; at noon the subscriber changes things
    day = START + timedelta(days=1)
    while day <= END:
        with time_machine.travel(at(day, 3), tick=False):
            billing_run(gateway=stripe_gateway)
        with time_machine.travel(at(day, 12), tick=False):
            if day == SKIP_ON:
                lifecycle.subscription_skip(subscription=sub, acting_user=user)
            elif day == PAUSE_ON:
                lifecycle.subscription_pause(subscription=sub, until=PAUSE_UNTIL, acting_user=user)
            elif day == CADENCE_CHANGE_ON:
                lifecycle.subscription_change_plan(
                    subscription=sub, plan=bundle.plans.get(cadence="biweekly"), acting_user=user
                )
            elif day == DECLINING_CARD_ON:
                declining = new_card(subscriber, stripe_gateway, "4000000000000341")
                lifecycle.subscription_change_card(subscription=sub, payment_method=declining, acting_user=user)
            elif day == LEAP_PAUSE_ON:
                lifecycle.subscription_pause(subscription=sub, until=LEAP_PAUSE_UNTIL, acting_user=user)
            failed = Order.objects.filter(subscription=sub, status=Order.Status.FAILED).first()
            if failed is not None and failed_order_id is None:
                # the subscriber reads the failure notice and puts a working card in, then retries
                failed_order_id = failed.pk
                visa = new_card(subscriber, stripe_gateway, "4242424242424242")
                lifecycle.subscription_change_card(subscription=sub, payment_method=visa, acting_user=user)
                charging.order_retry_now(order=failed)
        day += timedelta(days=1)
    # then: one paid order per expected box, each charged exactly once
    orders = list(Order.objects.filter(subscription=sub).select_related("cycle").order_by("cycle__ship_date"))
    assert [o.cycle.ship_date for o in orders] == expected_ship_dates()
    assert {o.status for o in orders} == {Order.Status.PAID}
    for order in orders:
        succeeded = [i for i in intents_for(order) if i.status == "succeeded"]
        assert len(succeeded) == 1, order.cycle.ship_date
        assert succeeded[0].amount == order.amount_won == 42_000
    # and the declined charge was recovered with the updated card, after exactly one failed attempt
    assert failed_order_id is not None
    assert list(PaymentAttempt.objects.filter(order_id=failed_order_id).values_list("status", flat=True)) == [
        "failed",
        "succeeded",
    ]
    sub.refresh_from_db()
    assert sub.status == "active" and sub.cadence == "biweekly"
