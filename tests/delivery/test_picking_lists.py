import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bundles.models import StorageClass
from delivery.models import PickList, PickListLine
from delivery.picking import PickingNotAllowed, demand_forecast, pick_lists_confirm_for_cycle
from delivery.shortfalls import pick_list_confirm
from subscriptions.billing.charging import order_charge
from subscriptions.cycles import cycles_generate
from subscriptions.models import DeliveryCycle
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, CHARGE_TIME, bundle_with, close_and_charge, paid_orders, subscribe

pytestmark = pytest.mark.django_db


def _lines(cycle) -> dict[tuple[str, str], int]:
    return {
        (line.pick_list.merchant.name, line.product_name): line.units
        for line in PickListLine.objects.filter(pick_list__cycle=cycle).select_related("pick_list__merchant")
    }


def test_walk_forecast_close_charge_pick_lists_equals_the_forecast(municipality, stripe_gateway):
    # given: two merchants' products in a weekly bundle, three subscriptions before the cutoff
    tea_farm = MerchantFactory(municipality=municipality, name="가람농원")
    rice_farm = MerchantFactory(municipality=municipality, name="나래농원")
    tea = ProductFactory(merchant=tea_farm, name="녹차", storage_class=StorageClass.CHILLED)
    rice = ProductFactory(merchant=rice_farm, name="쌀")
    plan = bundle_with(municipality, [(tea, 2), (rice, 1)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(3)]
        forecasts = {
            merchant.name: demand_forecast(municipality=municipality, merchant=merchant)[0]
            for merchant in (tea_farm, rice_farm)
        }
    cycle = subs[0].first_cycle
    # when: the cycle closes, every order is paid, and the pick lists are confirmed from the paid orders
    close_and_charge(cycle, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        lists = pick_lists_confirm_for_cycle(cycle=cycle)
    # then: one list per merchant, the same units as the forecast promised
    assert [(pl.merchant.name, pl.status) for pl in sorted(lists, key=lambda pl: pl.merchant.name)] == [
        ("가람농원", "awaiting"),
        ("나래농원", "awaiting"),
    ]
    expected = {
        (name, line.product_name): line.units for name, forecast in forecasts.items() for line in forecast.lines
    }
    assert expected == {("가람농원", "녹차"): 6, ("나래농원", "쌀"): 3}
    assert _lines(cycle) == expected
    assert forecasts["가람농원"].cycle_id == cycle.pk
    assert PickListLine.objects.get(product=tea).storage_class == "chilled"


def test_confirming_again_changes_nothing(municipality, stripe_gateway):
    # given
    cycle = paid_orders(municipality, stripe_gateway, 2)[0].cycle
    with time_machine.travel(CHARGE_TIME, tick=False):
        first = pick_lists_confirm_for_cycle(cycle=cycle)
        pick_list_confirm(pick_list_obj=first[0], acting_user=None)
        # when
        again = pick_lists_confirm_for_cycle(cycle=cycle)
    # then
    assert [pl.pk for pl in again] == [pl.pk for pl in first]
    assert PickList.objects.filter(cycle=cycle).count() == 1
    assert PickListLine.objects.filter(pick_list__cycle=cycle).count() == 1
    assert again[0].status == PickList.Status.CONFIRMED


def test_pick_list_queries_do_not_grow_with_orders(municipality, other_municipality, stripe_gateway):
    # given: 2 paid orders in one municipality, 8 in another
    small = paid_orders(municipality, stripe_gateway, 2)[0].cycle
    large = paid_orders(other_municipality, stripe_gateway, 8)[0].cycle
    # when
    with CaptureQueriesContext(connection) as small_queries:
        pick_lists_confirm_for_cycle(cycle=small)
    with CaptureQueriesContext(connection) as large_queries:
        pick_lists_confirm_for_cycle(cycle=large)
    # then
    assert len(small_queries) == len(large_queries)
    assert [line.units for line in PickListLine.objects.filter(pick_list__cycle=large)] == [8]


def test_a_late_payment_asks_the_merchant_to_confirm_again(municipality, stripe_gateway):
    # given: three orders, one not charged yet; the merchant confirmed the list of two
    plan = bundle_with(
        municipality, [(ProductFactory(merchant=MerchantFactory(municipality=municipality)), 1)]
    ).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(3)]
    cycle = subs[0].first_cycle
    orders = close_and_charge(cycle, stripe_gateway, charge=2)
    with time_machine.travel(CHARGE_TIME, tick=False):
        [pick] = pick_lists_confirm_for_cycle(cycle=cycle)
        pick_list_confirm(pick_list_obj=pick, acting_user=None)
        # when: the third order is paid and the lists are refreshed
        order_charge(order_id=orders[2].pk, gateway=stripe_gateway)
        [pick] = pick_lists_confirm_for_cycle(cycle=cycle)
    # then
    assert pick.status == PickList.Status.AWAITING and pick.confirmed_at is None
    assert [line.units for line in pick.lines.all()] == [3]


def test_an_open_cycle_has_no_pick_list_yet(municipality):
    # given
    with time_machine.travel(BEFORE, tick=False):
        cycles_generate(municipality=municipality)
    cycle = DeliveryCycle.objects.filter(municipality=municipality, status="open").first()
    # when / then
    with pytest.raises(PickingNotAllowed, match="마감되지 않은 회차"):
        pick_lists_confirm_for_cycle(cycle=cycle)
    assert not PickList.objects.exists()
