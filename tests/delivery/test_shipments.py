import pytest
import time_machine

from bundles.models import StorageClass
from core.transitions import TransitionNotAllowed
from delivery.models import Shipment, ShipmentEvent
from delivery.services import shipment_move, shipments_create_for_cycle, shipments_mark_delivered
from subscriptions.models import Order
from tests.bundles.factories import ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, shipped_cycle, subscribe
from tests.subscriptions.billing_helpers import closed_orders


@pytest.mark.django_db
def test_a_shipment_is_made_once_per_paid_order_and_none_for_unpaid(municipality, stripe_gateway):
    # given: three orders of a cycle, two of them paid
    subs_orders = closed_orders(municipality, stripe_gateway, 3)
    cycle = subs_orders[0].cycle
    orders = close_and_charge(cycle, stripe_gateway, charge=2)
    paid = [o.pk for o in orders if o.status == Order.Status.PAID]
    assert len(paid) == 2
    # when: made twice (a retried task)
    first = shipments_create_for_cycle(cycle=cycle)
    second = shipments_create_for_cycle(cycle=cycle)
    # then
    assert (first, second) == (2, 0)
    shipments = Shipment.objects.filter(cycle=cycle).order_by("order_id")
    assert [s.order_id for s in shipments] == paid
    assert {(s.municipality_id, s.status, s.method, s.storage_class) for s in shipments} == {
        (municipality.pk, Shipment.Status.PENDING, Shipment.Method.COURIER, StorageClass.AMBIENT)
    }


@pytest.mark.django_db
def test_a_box_ships_as_cold_as_its_coldest_item(municipality, stripe_gateway):
    # given: a box of an ambient, a frozen and a chilled product
    products = [
        ProductFactory(merchant__municipality=municipality, storage_class=storage)
        for storage in (StorageClass.AMBIENT, StorageClass.FROZEN, StorageClass.CHILLED)
    ]
    bundle = bundle_with(municipality, [(product, 1) for product in products])
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, bundle.plans.get())
    close_and_charge(sub.first_cycle, stripe_gateway)
    # when
    shipments_create_for_cycle(cycle=sub.first_cycle)
    # then
    shipment = Shipment.objects.get(order__subscription=sub)
    assert shipment.storage_class == StorageClass.FROZEN
    assert shipment.is_cold is True


@pytest.mark.django_db
def test_a_shipment_moves_along_its_path_with_an_event_each(municipality, stripe_gateway, staff_admin):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    shipment = Shipment.objects.get(cycle=cycle)
    # when
    for to in ("packed", "shipped", "shipped", "delivered"):
        shipment = shipment_move(shipment=shipment, to=to, acting_user=staff_admin)
    # then: the repeated move made no second event
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert shipment.packed_at and shipment.shipped_at and shipment.delivered_at
    events = ShipmentEvent.objects.filter(shipment=shipment).order_by("pk")
    assert [(e.from_status, e.to_status, e.actor_id) for e in events] == [
        ("pending", "packed", staff_admin.pk),
        ("packed", "shipped", staff_admin.pk),
        ("shipped", "delivered", staff_admin.pk),
    ]


@pytest.mark.django_db
def test_a_refused_move_changes_nothing(municipality, stripe_gateway, staff_admin):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    shipment = Shipment.objects.get(cycle=cycle)
    # when / then: a pending box cannot be delivered, and a returned box needs a reason
    with pytest.raises(TransitionNotAllowed, match="‘포장 대기’에서 ‘배송 완료’"):
        shipment_move(shipment=shipment, to="delivered", acting_user=staff_admin)
    shipment_move(shipment=shipment, to="shipped", acting_user=staff_admin)
    with pytest.raises(TransitionNotAllowed, match="사유"):
        shipment_move(shipment=shipment, to="returned", acting_user=staff_admin, reason="  ")
    shipment.refresh_from_db()
    assert (shipment.status, shipment.reason, shipment.delivered_at, shipment.returned_at) == (
        "shipped",
        "",
        None,
        None,
    )
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 1
    # and a reason makes it possible
    shipment = shipment_move(shipment=shipment, to="returned", acting_user=staff_admin, reason="수취인 부재")
    assert (shipment.status, shipment.reason) == ("returned", "수취인 부재")


@pytest.mark.django_db
def test_mark_delivered_in_bulk_moves_only_this_municipalitys_shipped_boxes(
    municipality, other_municipality, stripe_gateway, staff_admin
):
    # given: three boxes here (two shipped) and a shipped box of another municipality
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 3)
    other_cycle, _other = shipped_cycle(other_municipality, stripe_gateway, 1)
    here = list(Shipment.objects.filter(cycle=cycle).order_by("pk"))
    other = Shipment.objects.get(cycle=other_cycle)
    for shipment in [*here[:2], other]:
        shipment_move(shipment=shipment, to="shipped", acting_user=None)
    ids = [s.pk for s in here] + [other.pk]
    # when: marked twice
    result = shipments_mark_delivered(municipality=municipality, shipment_ids=ids, acting_user=staff_admin)
    again = shipments_mark_delivered(municipality=municipality, shipment_ids=ids, acting_user=staff_admin)
    # then
    assert (result.moved, result.skipped) == ([here[0].pk, here[1].pk], [here[2].pk])
    assert (again.moved, again.skipped) == ([], [s.pk for s in here])
    statuses = dict(Shipment.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {here[0].pk: "delivered", here[1].pk: "delivered", here[2].pk: "pending", other.pk: "shipped"}
    delivered_events = ShipmentEvent.objects.filter(to_status="delivered")
    assert sorted(delivered_events.values_list("shipment_id", flat=True)) == [here[0].pk, here[1].pk]
    assert {e.actor_id for e in delivered_events} == {staff_admin.pk}
