"""The demo's delivery options and ratings steps: what they make, that they tolerate no shipments, and that a
second run adds nothing."""

import pytest
import time_machine

from delivery.models import BoxRating, DeliveryHoliday, DeliveryPreference, DeliverySettings, PickupPoint, Shipment
from delivery.services import shipment_move, shipments_create_for_cycle
from demo.seed.delivery_options import seed_box_ratings, seed_delivery_options
from tests.delivery.helpers import BEFORE, close_and_charge, subscribe_at
from tests.municipalities.factories import MunicipalityFactory
from tests.subscriptions.helpers import published_bundle

HADONG_EUP = {"postcode": "52302", "road_address": "경상남도 하동군 하동읍 군청로 23"}
HWAGAE = {"postcode": "52351", "road_address": "경상남도 하동군 화개면 쌍계로 59"}


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (DeliverySettings, DeliveryHoliday, PickupPoint, DeliveryPreference, BoxRating, Shipment)
    }


@pytest.mark.django_db
def test_the_demo_sets_up_hadong_choices_and_ratings_once(stripe_gateway):
    # given: 하동 with six subscribers in 하동읍 (consecutive ids cover every turn) and three in 화개면
    hadong = MunicipalityFactory(slug="hadong")
    with time_machine.travel(BEFORE, tick=False):
        plan = published_bundle(hadong, cadences=("weekly",)).plans.get()
        in_town = [subscribe_at(hadong, stripe_gateway, plan, **HADONG_EUP) for _ in range(6)]
        outside = [subscribe_at(hadong, stripe_gateway, plan, **HWAGAE) for _ in range(3)]
    # when: options before any shipment exists, and ratings with none to rate
    seed_delivery_options()
    assert seed_box_ratings() == []
    # then
    settings = DeliverySettings.objects.get(municipality=hadong)
    assert (settings.allow_local, settings.allow_pickup, settings.local_area_names) == (True, True, ["하동읍"])
    assert PickupPoint.objects.filter(municipality=hadong, is_active=True).count() == 2
    assert DeliveryHoliday.objects.filter(municipality=hadong, name="설날").exists()
    town = DeliveryPreference.objects.filter(subscription__in=in_town)
    assert sorted(town.values_list("method", flat=True)) == ["local", "local", "pickup"]
    assert not DeliveryPreference.objects.filter(subscription__in=outside, method="local").exists()
    # when: the boxes are made and delivered, and the ratings step runs (twice)
    close_and_charge(plan.subscriptions.first().first_cycle, stripe_gateway)
    shipments_create_for_cycle(cycle=in_town[0].first_cycle)
    assert set(Shipment.objects.values_list("method", flat=True)) == {"courier", "local", "pickup"}
    for shipment in Shipment.objects.all():
        for to in ("shipped", "delivered"):
            shipment = shipment_move(shipment=shipment, to=to, acting_user=None)
    seed_box_ratings()
    assert BoxRating.objects.count() == 5  # five in nine, by id
    assert set(BoxRating.objects.values_list("score", flat=True)) <= {1, 2, 3, 4, 5}
    first = _counts()
    seed_delivery_options()
    seed_box_ratings()
    # then: a second run adds nothing
    assert _counts() == first
