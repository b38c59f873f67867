import time

import pytest
import time_machine
from django.core.management import call_command

from delivery.models import PickList, Shipment
from delivery.preparation import cycle_shipments_prepare, cycles_awaiting_shipments
from subscriptions.models import Order
from tests.delivery.helpers import CHARGE_TIME, paid_orders
from tests.subscriptions.billing_helpers import closed_orders
from tests.tourism.factories import OfferFactory, PartnerFactory
from tourism.models import Coupon, OfferAttachment


def _attach_offer(order: Order) -> None:
    """A tourism offer that comes with every box of the order's bundle."""
    offer = OfferFactory(partner=PartnerFactory(municipality=order.municipality))
    OfferAttachment.objects.create(municipality=order.municipality, offer=offer, bundle=order.bundle)


@pytest.mark.django_db
def test_preparing_a_cycle_makes_its_boxes_their_coupons_and_pick_lists_once(municipality, stripe_gateway):
    # given: a charged cycle of three paid orders whose bundle comes with a tourism coupon
    orders = paid_orders(municipality, stripe_gateway, 3)
    _attach_offer(orders[0])
    cycle = orders[0].cycle
    # when: run twice
    with time_machine.travel(CHARGE_TIME, tick=False):
        first = cycle_shipments_prepare(cycle_id=cycle.pk)
        second = cycle_shipments_prepare(cycle_id=cycle.pk)
    # then
    assert (first.shipments_made, first.coupons_issued, first.pick_lists_confirmed) == (3, 3, True)
    assert (second.shipments_made, second.coupons_issued) == (0, 0)
    shipments = list(Shipment.objects.filter(cycle=cycle).order_by("order_id"))
    assert [s.order_id for s in shipments] == [o.pk for o in orders]
    assert sorted(Coupon.objects.values_list("shipment_id", flat=True)) == [s.pk for s in shipments]
    assert PickList.objects.filter(cycle=cycle).count() == 1


@pytest.mark.django_db
def test_a_cycle_still_charging_gets_boxes_for_the_paid_orders_and_no_pick_list_yet(municipality, stripe_gateway):
    # given: two orders closed, none charged yet
    orders = closed_orders(municipality, stripe_gateway, 2)
    cycle = orders[0].cycle
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        result = cycle_shipments_prepare(cycle_id=cycle.pk)
    # then
    assert (result.shipments_made, result.pick_lists_confirmed) == (0, False)
    assert not PickList.objects.exists()


@pytest.mark.django_db
def test_only_closed_cycles_with_work_left_are_due(municipality, stripe_gateway):
    # given: one charged cycle
    orders = paid_orders(municipality, stripe_gateway, 2)
    cycle = orders[0].cycle
    with time_machine.travel(CHARGE_TIME, tick=False):
        # when / then: due until its boxes and pick lists exist
        assert cycles_awaiting_shipments() == [cycle.pk]
        cycle_shipments_prepare(cycle_id=cycle.pk)
        assert cycles_awaiting_shipments() == []


@pytest.mark.django_db(transaction=True)
def test_celery_worker_on_redis_prepares_the_shipments_of_charged_cycles(municipality, stripe_gateway):
    """The real path: the beat task through the Redis broker to a worker, which fans out per cycle."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from delivery.tasks import shipments_prepare_due_task

    # given: a charged cycle of two paid orders
    orders = paid_orders(municipality, stripe_gateway, 2)
    assert not app.conf.task_always_eager
    # when
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        shipments_prepare_due_task.delay()
        for _ in range(150):
            if PickList.objects.filter(cycle_id=orders[0].cycle_id).exists():
                break
            time.sleep(0.2)
    # then
    assert Shipment.objects.filter(order__in=orders).count() == 2
    assert PickList.objects.filter(cycle_id=orders[0].cycle_id).count() == 1


@pytest.mark.django_db
def test_setup_periodic_tasks_registers_the_shipments_run():
    from django_celery_beat.models import PeriodicTask

    call_command("setup_periodic_tasks")
    task = PeriodicTask.objects.get(name="shipments-prepare")
    assert task.task == "delivery.tasks.shipments_prepare_due_task"


@pytest.mark.django_db(transaction=True)
def test_celery_worker_on_redis_renders_slip_chunks_and_merges_them(municipality, stripe_gateway, settings, tmp_path):
    """The slips of a cycle through the broker: one task per chunk, then the merge queued by the last one."""
    from celery.contrib.testing.worker import start_worker
    from pypdf import PdfReader

    from config.celery import app
    from delivery.models import SlipBatch
    from delivery.slips import slip_batch_start
    from tests.delivery.helpers import shipped_cycle

    # given: three boxes
    settings.MEDIA_ROOT = tmp_path
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 3)
    # when: rendered in chunks of one
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        batch = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=1)
        for _ in range(300):
            batch.refresh_from_db()
            if batch.status in ("done", "failed"):
                break
            time.sleep(0.2)
    # then
    assert (batch.status, batch.done, batch.chunks_done, batch.chunks_total) == ("done", 3, 3, 3)
    assert SlipBatch.objects.count() == 1
    assert len(PdfReader(tmp_path / batch.file).pages) == 3
