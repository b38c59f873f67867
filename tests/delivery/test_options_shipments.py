"""Shipments take their method from the subscriber's choice, and cold boxes a ship date the cold-chain rules
allow — set-based, in a fixed number of queries."""

from datetime import date

import pytest
import time_machine

from bundles.models import StorageClass
from delivery.models import PickupPoint, Shipment
from delivery.options import (
    PickupPointData,
    delivery_preference_set,
    delivery_settings_update,
    holiday_add,
    pickup_point_save,
)
from delivery.services import shipments_create_for_cycle
from subscriptions.models import Address
from tests.bundles.factories import ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, subscribe, subscribe_at

THURSDAY = date(2026, 11, 19)  # the ship date of the cycle the helpers close
MONDAY_AFTER = date(2026, 11, 23)


def _point(municipality, name: str) -> PickupPoint:
    return pickup_point_save(municipality=municipality, data=PickupPointData(name, "주소", "평일"), acting_user=None)


def _bundle(municipality, storage_class: str):
    return bundle_with(
        municipality, [(ProductFactory(merchant__municipality=municipality, storage_class=storage_class), 1)]
    )


def _open_options(municipality, **changes):
    values = {
        "allow_local": True,
        "allow_pickup": True,
        "local_postcode_ranges": [["52300", "52399"]],
        "local_area_names": ["악양면"],
        "cold_weekdays": [0, 1, 2, 3],
        "acting_user": None,
    }
    values.update(changes)
    return delivery_settings_update(municipality=municipality, **values)


@pytest.mark.django_db
def test_each_box_goes_by_the_method_chosen_with_courier_as_the_fallback(
    municipality, stripe_gateway, django_assert_max_num_queries
):
    # given: a market pickup point and one that will close; local delivery by postcode and by 읍·면
    market = pickup_point_save(
        municipality=municipality, data=PickupPointData("시장", "시장길 1", "매일"), acting_user=None
    )
    closing = pickup_point_save(
        municipality=municipality, data=PickupPointData("분소", "분소길 1", "평일"), acting_user=None
    )
    _open_options(municipality)
    product = ProductFactory(merchant__municipality=municipality)
    plan = bundle_with(municipality, [(product, 1)]).plans.get()
    in_town = {"postcode": "52302", "road_address": "경상남도 하동군 하동읍 군청로 23"}
    with time_machine.travel(BEFORE, tick=False):
        no_choice = subscribe_at(municipality, stripe_gateway, plan, **in_town)
        local_by_postcode = subscribe_at(municipality, stripe_gateway, plan, **in_town)
        local_by_name = subscribe_at(
            municipality, stripe_gateway, plan, postcode="52999", road_address="경상남도 하동군 악양면 평사리길 1"
        )
        moved_away = subscribe_at(municipality, stripe_gateway, plan, **in_town)
        at_market = subscribe_at(municipality, stripe_gateway, plan, **in_town)
        at_closed = subscribe_at(municipality, stripe_gateway, plan, **in_town)
    for sub in (local_by_postcode, local_by_name, moved_away):
        delivery_preference_set(subscription=sub, method="local", acting_user=None)
    delivery_preference_set(subscription=at_market, method="pickup", pickup_point_id=market.pk, acting_user=None)
    delivery_preference_set(subscription=at_closed, method="pickup", pickup_point_id=closing.pk, acting_user=None)
    # the subscriber moves to Seoul before the cutoff; the other point closes
    Address.objects.filter(pk=moved_away.address_id).update(
        postcode="06000", road_address="서울특별시 강남구 테헤란로 1"
    )
    PickupPoint.objects.filter(pk=closing.pk).update(is_active=False)
    close_and_charge(no_choice.first_cycle, stripe_gateway)
    # when: six orders, and a fixed number of queries (settings, holidays, one INSERT … SELECT, savepoints)
    with django_assert_max_num_queries(5):
        made = shipments_create_for_cycle(cycle=no_choice.first_cycle)
    # then
    assert made == 6
    got = {s.order.subscription_id: (s.method, s.pickup_point_id) for s in Shipment.objects.select_related("order")}
    assert got == {
        no_choice.pk: ("courier", None),
        local_by_postcode.pk: ("local", None),
        local_by_name.pk: ("local", None),
        moved_away.pk: ("courier", None),
        at_market.pk: ("pickup", market.pk),
        at_closed.pk: ("courier", None),
    }


@pytest.mark.django_db
def test_choices_go_by_courier_while_their_method_is_switched_off(municipality, stripe_gateway):
    # given: choices made while local delivery and pickup were on
    market = pickup_point_save(
        municipality=municipality, data=PickupPointData("시장", "시장길 1", "매일"), acting_user=None
    )
    _open_options(municipality)
    plan = bundle_with(municipality, [(ProductFactory(merchant__municipality=municipality), 1)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        local = subscribe(municipality, stripe_gateway, plan)  # 52302 하동읍
        pickup = subscribe(municipality, stripe_gateway, plan)
    delivery_preference_set(subscription=local, method="local", acting_user=None)
    delivery_preference_set(subscription=pickup, method="pickup", pickup_point_id=market.pk, acting_user=None)
    # when: staff switch both off, then the boxes are made
    _open_options(municipality, allow_local=False, allow_pickup=False)
    close_and_charge(local.first_cycle, stripe_gateway)
    shipments_create_for_cycle(cycle=local.first_cycle)
    # then
    assert set(Shipment.objects.values_list("method", "pickup_point_id")) == {("courier", None)}


@pytest.mark.django_db
def test_cold_boxes_wait_for_an_allowed_day_and_ambient_boxes_keep_the_cycle_date(municipality, stripe_gateway):
    # given: Friday after the Thursday ship date is a holiday, so Thursday is its eve
    holiday_add(municipality=municipality, day=date(2026, 11, 20), name="개교기념일", acting_user=None)
    chilled = bundle_with(
        municipality, [(ProductFactory(merchant__municipality=municipality, storage_class="chilled"), 1)]
    )
    ambient = bundle_with(municipality, [(ProductFactory(merchant__municipality=municipality), 1)])
    with time_machine.travel(BEFORE, tick=False):
        cold_sub = subscribe(municipality, stripe_gateway, chilled.plans.get())
        warm_sub = subscribe(municipality, stripe_gateway, ambient.plans.get())
    cycle = cold_sub.first_cycle
    assert cycle.ship_date == THURSDAY
    close_and_charge(cycle, stripe_gateway)
    # when
    shipments_create_for_cycle(cycle=cycle)
    # then
    cold = Shipment.objects.get(order__subscription=cold_sub)
    warm = Shipment.objects.get(order__subscription=warm_sub)
    assert (cold.storage_class, cold.is_cold, cold.ship_on) == (StorageClass.CHILLED, True, MONDAY_AFTER)
    assert (warm.is_cold, warm.ship_on) == (False, THURSDAY)


@pytest.mark.django_db
def test_boxes_not_yet_sent_are_redated_when_a_holiday_or_the_weekdays_change(municipality, stripe_gateway):
    # given: a cold box dated Thursday, the cycle's ship date
    frozen = bundle_with(
        municipality, [(ProductFactory(merchant__municipality=municipality, storage_class="frozen"), 1)]
    )
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, frozen.plans.get())
    close_and_charge(sub.first_cycle, stripe_gateway)
    shipments_create_for_cycle(cycle=sub.first_cycle)
    shipment = Shipment.objects.get(order__subscription=sub)
    assert shipment.ship_on == THURSDAY
    # when: staff add a holiday on Friday
    holiday_add(municipality=municipality, day=date(2026, 11, 20), name="임시 휴일", acting_user=None)
    # then
    shipment.refresh_from_db()
    assert shipment.ship_on == MONDAY_AFTER
    # when: staff allow only Wednesdays
    _open_options(municipality, allow_local=False, allow_pickup=False, cold_weekdays=[2])
    shipment.refresh_from_db()
    assert shipment.ship_on == date(2026, 11, 25)
