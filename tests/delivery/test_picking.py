from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bundles.models import StorageClass
from delivery.picking import demand_forecast, pick_list
from subscriptions.lifecycle import subscription_cancel, subscription_pause, subscription_skip
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, paid_orders, subscribe


@pytest.mark.django_db
def test_the_forecast_equals_the_pick_list_when_nothing_changes(municipality, stripe_gateway):
    # given: merchant A's tea (chilled) and jam in two bundles with merchant B's rice, and subscriptions
    # of every kind made before the weekly cutoff (2026-11-16 00:00, ships 11-19)
    merchant = MerchantFactory(municipality=municipality, name="가람농원")
    other_merchant = MerchantFactory(municipality=municipality, name="나래농원")
    tea = ProductFactory(merchant=merchant, name="녹차", storage_class=StorageClass.CHILLED)
    jam = ProductFactory(merchant=merchant, name="매실잼")
    rice = ProductFactory(merchant=other_merchant, name="쌀")
    first = bundle_with(municipality, [(tea, 2), (rice, 1)], cadences=("weekly", "monthly"))
    second = bundle_with(municipality, [(tea, 1), (jam, 3)])
    with time_machine.travel(BEFORE, tick=False):
        for _ in range(3):
            subscribe(municipality, stripe_gateway, first.plans.get(cadence="weekly"))
        for _ in range(2):
            subscribe(municipality, stripe_gateway, second.plans.get())
        skipper = subscribe(municipality, stripe_gateway, second.plans.get())
        subscription_skip(subscription=skipper, cycle=skipper.first_cycle, acting_user=None)
        paused = subscribe(municipality, stripe_gateway, first.plans.get(cadence="weekly"))
        subscription_pause(subscription=paused, until=date(2026, 12, 1), acting_user=None)
        canceled = subscribe(municipality, stripe_gateway, second.plans.get())
        subscription_cancel(subscription=canceled, reason="other", acting_user=None)
        monthly = subscribe(municipality, stripe_gateway, first.plans.get(cadence="monthly"))
        # when: the merchant looks at the forecast
        with CaptureQueriesContext(connection) as queries:
            forecast = demand_forecast(municipality=municipality, merchant=merchant)
    # then: four cycles of each cadence, soonest first, with the day to bring the products
    assert len(queries) == 3
    assert [(c.ship_date, c.cadence, c.deliver_by) for c in forecast][:5] == [
        (date(2026, 11, 19), "weekly", date(2026, 11, 18)),
        (date(2026, 11, 26), "weekly", date(2026, 11, 25)),
        (date(2026, 12, 3), "weekly", date(2026, 12, 2)),
        (date(2026, 12, 10), "monthly", date(2026, 12, 9)),
        (date(2026, 12, 10), "weekly", date(2026, 12, 9)),
    ]
    assert [c.cadence for c in forecast].count("monthly") == 4 and len(forecast) == 8
    units = [{line.product_name: line.units for line in c.lines} for c in forecast[:4]]
    assert units == [
        {"녹차": 3 * 2 + 2 * 1, "매실잼": 2 * 3},  # skipped, paused (until 12-01) and canceled not due
        {"녹차": 3 * 2 + 3 * 1, "매실잼": 3 * 3},  # the skip was for one box only
        {"녹차": 4 * 2 + 3 * 1, "매실잼": 3 * 3},  # the pause has ended
        {"녹차": 2},  # the monthly subscriber's first box
    ]
    assert monthly.first_cycle_id == forecast[3].cycle_id
    # when: the cycle closes, every order is paid, and the pick list is made
    cycle = skipper.first_cycle
    close_and_charge(cycle, stripe_gateway)
    picked = pick_list(cycle=cycle, merchant=merchant)
    # then
    assert {(line.product_id, line.units) for line in picked} == {
        (line.product_id, line.units) for line in forecast[0].lines
    }
    assert [(line.merchant_id, line.product_name, line.storage_class, line.units) for line in picked] == [
        (merchant.pk, "녹차", "chilled", 8),
        (merchant.pk, "매실잼", "ambient", 6),
    ]
    assert [(line.merchant_name, line.product_name, line.units) for line in pick_list(cycle=cycle)] == [
        ("가람농원", "녹차", 8),
        ("가람농원", "매실잼", 6),
        ("나래농원", "쌀", 3),
    ]


@pytest.mark.django_db
def test_the_pick_list_runs_one_query_whatever_the_number_of_orders(municipality, other_municipality, stripe_gateway):
    # given: 2 paid orders in one municipality, 10 in another
    small = paid_orders(municipality, stripe_gateway, 2)[0].cycle
    large = paid_orders(other_municipality, stripe_gateway, 10)[0].cycle
    # when
    with CaptureQueriesContext(connection) as small_queries:
        small_list = pick_list(cycle=small)
    with CaptureQueriesContext(connection) as large_queries:
        large_list = pick_list(cycle=large)
    # then
    assert len(small_queries) == len(large_queries) == 1
    assert [line.units for line in small_list] == [2]
    assert [line.units for line in large_list] == [10]
