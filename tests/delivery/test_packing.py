import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delivery.models import Shipment, ShipmentEvent
from delivery.services import shipment_move, shipments_mark_packed
from tests.delivery.helpers import shipped_cycle


@pytest.mark.django_db
def test_marking_packed_moves_pending_boxes_once_with_an_event_each(municipality, stripe_gateway, staff_admin):
    # given: three boxes, one already shipped
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    ids = list(Shipment.objects.filter(cycle=cycle).order_by("order_id").values_list("pk", flat=True))
    shipment_move(shipment=Shipment.objects.get(pk=ids[2]), to="shipped", acting_user=None)
    # when: run twice
    first = shipments_mark_packed(municipality=municipality, shipment_ids=ids, acting_user=staff_admin)
    second = shipments_mark_packed(municipality=municipality, shipment_ids=ids, acting_user=staff_admin)
    # then
    assert (first.moved, first.skipped) == (ids[:2], ids[2:])
    assert (second.moved, second.skipped) == ([], ids)
    statuses = dict(Shipment.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["packed", "packed", "shipped"]
    assert all(Shipment.objects.get(pk=pk).packed_at for pk in ids[:2])
    assert list(
        ShipmentEvent.objects.filter(to_status="packed").order_by("shipment_id").values_list("shipment_id", "actor")
    ) == [(ids[0], staff_admin.pk), (ids[1], staff_admin.pk)]


@pytest.mark.django_db
def test_marking_packed_ignores_another_municipalitys_boxes(municipality, other_municipality, stripe_gateway):
    # given
    other_cycle, _orders = shipped_cycle(other_municipality, stripe_gateway, 1)
    other = Shipment.objects.get(cycle=other_cycle)
    # when
    result = shipments_mark_packed(municipality=municipality, shipment_ids=[other.pk], acting_user=None)
    # then
    assert (result.moved, result.skipped) == ([], [])
    other.refresh_from_db()
    assert other.status == "pending"
    assert not ShipmentEvent.objects.exists()


@pytest.mark.django_db
def test_marking_packed_costs_the_same_queries_for_one_box_or_five(municipality, stripe_gateway):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 6)
    ids = list(Shipment.objects.filter(cycle=cycle).order_by("pk").values_list("pk", flat=True))
    # when
    with CaptureQueriesContext(connection) as one:
        shipments_mark_packed(municipality=municipality, shipment_ids=ids[:1], acting_user=None)
    with CaptureQueriesContext(connection) as five:
        shipments_mark_packed(municipality=municipality, shipment_ids=ids[1:], acting_user=None)
    # then
    assert len(one) == len(five)
