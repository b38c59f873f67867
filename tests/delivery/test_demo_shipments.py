import pytest
import time_machine

from delivery.models import Shipment, ShipmentEvent
from demo.seed.delivery_shipments import seed_delivery_shipments
from tests.delivery.helpers import paid_orders
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.helpers import seoul


@pytest.mark.django_db
def test_the_demo_boxes_are_made_and_moved_through_the_services_once(municipality, stripe_gateway):
    # given: a cycle charged; it shipped 2026-11-19, four days before the demo is built
    MembershipFactory(municipality=municipality, role="logistics")
    orders = paid_orders(municipality, stripe_gateway, 8)
    # when
    with time_machine.travel(seoul(2026, 11, 23, 9, 0), tick=False):
        lines = seed_delivery_shipments()
        moved = dict(Shipment.objects.values_list("pk", "status"))
        events = ShipmentEvent.objects.count()
        seed_delivery_shipments()
    # then: a box per order, every box has left, a returned or lost box says why, and a second run moves nothing
    assert Shipment.objects.count() == len(orders)
    assert set(moved.values()) <= {"shipped", "delivered", "returned", "lost"}
    assert all(s.reason for s in Shipment.objects.filter(status__in=["returned", "lost"]))
    assert all(s.tracking_number for s in Shipment.objects.filter(method="courier"))
    assert dict(Shipment.objects.values_list("pk", "status")) == moved
    assert ShipmentEvent.objects.count() == events
    assert lines and "배송 상자" in lines[0]
