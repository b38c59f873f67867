import time
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command

from subscriptions import cycles
from subscriptions.billing import charging
from subscriptions.models import DeliveryCycle, Order, Subscription
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, closed_orders
from tests.subscriptions.helpers import seoul


@pytest.mark.django_db(transaction=True)
def test_celery_worker_on_redis_closes_and_charges_a_cycle(municipality, stripe_gateway, settings):
    """The real path: tasks through the Redis broker to a worker, which closes the cycle and fans out charges."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from subscriptions.tasks import cycle_charge_task

    # given: three closed orders due for charging
    orders = closed_orders(municipality, stripe_gateway, 3)
    assert not app.conf.task_always_eager
    # when
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        cycle_charge_task.delay(orders[0].cycle_id)
        for _ in range(150):
            if Order.objects.filter(pk__in=[o.pk for o in orders], status=Order.Status.PAID).count() == 3:
                break
            time.sleep(0.2)
    # then
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status=Order.Status.PAID).count() == 3


@pytest.mark.django_db
def test_close_cycle_command_closes_due_cycles_once(municipality, stripe_gateway, capsys):
    from subscriptions.services import subscription_create
    from tests.subscriptions.billing_helpers import BEFORE
    from tests.subscriptions.helpers import published_bundle, subscriber_with_card

    with time_machine.travel(BEFORE, tick=False):
        plan = published_bundle(municipality, cadences=("weekly",)).plans.get()
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        sub = subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    with time_machine.travel(CHARGE_TIME, tick=False):
        call_command("close_cycle")
        call_command("close_cycle", str(sub.first_cycle_id))
    out = capsys.readouterr().out
    assert "1 orders (마감 / closed)" in out and "이미 마감됨" in out
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_setup_periodic_tasks_is_idempotent():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {
        "cycles-generate",
        "cycles-close-due",
        "dunning-retry",
        "attempts-reconcile",
        "past-due-cancel",
    }
    assert PeriodicTask.objects.filter(name="cycles-close-due").count() == 1


@pytest.mark.django_db
def test_past_due_subscription_is_cancelled_after_the_policy_period(municipality, stripe_gateway):
    order = closed_order(municipality, stripe_gateway, number="4000000000000341")
    for days in (0, 1, 3, 5):
        with time_machine.travel(CHARGE_TIME + timedelta(days=days, minutes=1), tick=False):
            charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    assert Subscription.objects.get(pk=order.subscription_id).status == "past_due"
    with time_machine.travel(CHARGE_TIME + timedelta(days=5 + 13), tick=False):
        assert charging.past_due_cancel() == 0
    with time_machine.travel(CHARGE_TIME + timedelta(days=5 + 14, minutes=2), tick=False):
        assert charging.past_due_cancel() == 1
    assert Subscription.objects.get(pk=order.subscription_id).status == "canceled"


@pytest.mark.django_db
def test_staff_move_a_ship_date_for_a_holiday(municipality):
    with time_machine.travel(seoul(2027, 1, 20, 12, 0), tick=False):
        cycles.cycles_generate(municipality=municipality)
        seollal = DeliveryCycle.objects.get(cadence="weekly", ship_date=date(2027, 2, 4))
        moved = cycles.cycle_move_ship_date(cycle=seollal, ship_date=date(2027, 2, 2))
        assert (moved.ship_date, moved.cutoff_at) == (date(2027, 2, 2), seoul(2027, 1, 30, 0, 0))
        with pytest.raises(cycles.ShipDateNotAllowed):
            cycles.cycle_move_ship_date(cycle=moved, ship_date=date(2027, 2, 11))  # taken by the next cycle
        past = DeliveryCycle.objects.get(cadence="weekly", ship_date=date(2027, 1, 21))
        with pytest.raises(cycles.ShipDateNotAllowed):
            cycles.cycle_move_ship_date(cycle=past, ship_date=date(2027, 1, 22))
        # regenerating the calendar does not bring the moved week back
        cycles.cycles_generate(municipality=municipality)
    assert not DeliveryCycle.objects.filter(cadence="weekly", ship_date=date(2027, 2, 4)).exists()
    assert DeliveryCycle.objects.filter(cadence="weekly", scheduled_for=date(2027, 2, 4)).get().pk == seollal.pk
