from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bundles.models import Category
from delivery.models import PickList, PickListLine, Shortfall, ShortfallEffect
from delivery.picking import PickingNotAllowed, pick_lists_confirm_for_cycle
from delivery.shortfalls import (
    ShortfallReport,
    pick_list_report_shortfall,
    refund_share_won,
    shortfall_refund,
    shortfall_substitute,
    substitute_candidates,
)
from notifications.models import Message
from subscriptions.billing.charging import order_charge
from subscriptions.billing.close import cycle_close
from subscriptions.billing.refunds import order_refund
from subscriptions.models import DeliveryCycle, Order, OrderItem, Refund
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, CHARGE_TIME, bundle_with, close_and_charge, paid_orders, subscribe
from tests.subscriptions.billing_helpers import closed_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def farm(municipality, stripe_gateway):
    """Three subscriptions (made an hour apart, oldest first) to a box of 2 teas (5,000원 supply each) and
    1 rice (10,000원): 53,000원 paid per box (50,000원 goods + 3,000원 shipping); the cycle is closed and
    paid and its pick lists confirmed."""
    tea_farm = MerchantFactory(municipality=municipality, name="가람농원")
    rice_farm = MerchantFactory(municipality=municipality, name="나래농원")
    tea = ProductFactory(merchant=tea_farm, name="녹차", category=Category.TEA, supply_price_won=5_000)
    rice = ProductFactory(merchant=rice_farm, name="쌀", category=Category.PRODUCE, supply_price_won=10_000)
    plan = bundle_with(municipality, [(tea, 2), (rice, 1)]).plans.get()
    subs = []
    for hours in (3, 2, 1):
        with time_machine.travel(BEFORE - timedelta(hours=hours), tick=False):
            subs.append(subscribe(municipality, stripe_gateway, plan))
    cycle = subs[0].first_cycle
    orders = close_and_charge(cycle, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        pick_lists_confirm_for_cycle(cycle=cycle)
    tea_list = PickList.objects.get(cycle=cycle, merchant=tea_farm)
    by_sub = {order.subscription_id: order for order in orders}
    return {
        "cycle": cycle,
        "tea": tea,
        "rice": rice,
        "tea_list": tea_list,
        "orders": [by_sub[sub.pk] for sub in subs],  # oldest subscription first
    }


def _report(farm, available: int, reason: str = "냉해로 수확이 줄었습니다") -> Shortfall:
    with time_machine.travel(CHARGE_TIME, tick=False):
        [shortfall] = pick_list_report_shortfall(
            pick_list_obj=farm["tea_list"],
            reports=[ShortfallReport(product_id=farm["tea"].pk, units_available=available, reason=reason)],
            acting_user=None,
        )
    return shortfall


def _items(order) -> dict[str, tuple[int, int, int]]:
    return {
        item.product_name: (item.quantity, item.merchant_id, item.supply_price_won)
        for item in OrderItem.objects.filter(order=order)
    }


def test_substitution_updates_exactly_the_affected_orders(farm, municipality, staff_admin):
    # given: 6 teas ordered, 3 available; a 6,000원 tea from another merchant with stock to spare
    other = MerchantFactory(municipality=municipality, name="다온다원")
    green = ProductFactory(
        merchant=other, name="발효차", category=Category.TEA, supply_price_won=6_000, stock_per_cycle=10
    )
    shortfall = _report(farm, available=3)
    oldest, middle, newest = farm["orders"]
    paid_before = [order.amount_won for order in farm["orders"]]
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        shortfall_substitute(shortfall=shortfall, substitute=green, acting_user=staff_admin, note="다온다원과 통화")
    # then: oldest keeps its 2 teas; middle keeps 1 and gets 1 substitute; newest's tea row became 2 substitutes
    assert _items(oldest) == {"녹차": (2, farm["tea"].merchant_id, 5_000), "쌀": (1, farm["rice"].merchant_id, 10_000)}
    assert _items(middle) == {
        "녹차": (1, farm["tea"].merchant_id, 5_000),
        "발효차": (1, other.pk, 6_000),
        "쌀": (1, farm["rice"].merchant_id, 10_000),
    }
    assert _items(newest) == {"발효차": (2, other.pk, 6_000), "쌀": (1, farm["rice"].merchant_id, 10_000)}
    assert [Order.objects.get(pk=o.pk).amount_won for o in farm["orders"]] == paid_before
    shortfall.refresh_from_db()
    assert (shortfall.status, shortfall.substitute, shortfall.decided_by, shortfall.policy) == (
        "substituted",
        green,
        staff_admin,
        "oldest_first",
    )
    assert sorted(ShortfallEffect.objects.values_list("order_id", "units_ordered", "units_allocated")) == [
        (middle.pk, 2, 1),
        (newest.pk, 2, 0),
    ]
    # and: both merchants' pick lists follow; the substitute's merchant must confirm its new list
    lines = {
        (line.pick_list.merchant.name, line.product_name): line.units
        for line in PickListLine.objects.filter(pick_list__cycle=farm["cycle"]).select_related("pick_list__merchant")
    }
    assert lines == {("가람농원", "녹차"): 3, ("나래농원", "쌀"): 3, ("다온다원", "발효차"): 3}
    assert PickList.objects.get(cycle=farm["cycle"], merchant=other).status == "awaiting"
    assert PickList.objects.get(pk=farm["tea_list"].pk).status == "resolved"
    # and: the two affected subscribers are told, nobody else
    told = Message.objects.filter(kind="shortfall_substituted")
    assert {m.user_id for m in told} == {middle.subscriber.user_id, newest.subscriber.user_id}
    assert all("발효차" in m.body for m in told)


def test_substituting_again_changes_nothing(farm, municipality):
    # given
    green = ProductFactory(
        merchant=MerchantFactory(municipality=municipality), category=Category.TEA, supply_price_won=5_000
    )
    shortfall = _report(farm, available=4)
    with time_machine.travel(CHARGE_TIME, tick=False):
        shortfall_substitute(shortfall=shortfall, substitute=green, acting_user=None)
        items = sorted(
            OrderItem.objects.filter(order__cycle=farm["cycle"]).values_list("order_id", "product_id", "quantity")
        )
        # when
        shortfall_substitute(shortfall=shortfall, substitute=green, acting_user=None)
    # then
    assert (
        sorted(OrderItem.objects.filter(order__cycle=farm["cycle"]).values_list("order_id", "product_id", "quantity"))
        == items
    )
    assert ShortfallEffect.objects.count() == 1


def test_only_valid_substitutes_are_offered_and_accepted(farm, municipality):
    # given
    other = MerchantFactory(municipality=municipality)
    valid = ProductFactory(
        merchant=other, name="좋은차", category=Category.TEA, supply_price_won=5_000, stock_per_cycle=3
    )
    ProductFactory(merchant=other, name="싼차", category=Category.TEA, supply_price_won=4_999)
    ProductFactory(merchant=other, name="잼", category=Category.PROCESSED, supply_price_won=9_000)
    ProductFactory(merchant=other, name="품절차", category=Category.TEA, supply_price_won=7_000, stock_per_cycle=2)
    ProductFactory(merchant=other, name="중지차", category=Category.TEA, supply_price_won=7_000, is_active=False)
    ProductFactory(
        merchant=other, name="겨울차", category=Category.TEA, supply_price_won=7_000, season_months=1
    )  # January
    ProductFactory(merchant=other, name="냉동차", category=Category.TEA, supply_price_won=7_000, storage_class="frozen")
    ProductFactory(
        merchant=MerchantFactory(municipality=municipality, is_active=False),
        category=Category.TEA,
        supply_price_won=7_000,
    )
    shortfall = _report(farm, available=3)
    # when
    offered = [product.name for product in substitute_candidates(shortfall=shortfall)]
    # then: 3 units are missing; only 좋은차 is equal or better, in season, on sale, with 3 to spare
    assert offered == [valid.name]
    cheaper = ProductFactory(merchant=other, category=Category.TEA, supply_price_won=100)
    with time_machine.travel(CHARGE_TIME, tick=False), pytest.raises(PickingNotAllowed, match="대체 상품으로 고를 수"):
        shortfall_substitute(shortfall=shortfall, substitute=cheaper, acting_user=None)
    shortfall.refresh_from_db()
    assert shortfall.status == "open" and not ShortfallEffect.objects.exists()
    assert OrderItem.objects.filter(product=farm["tea"]).count() == 3


def test_partial_refund_pays_back_the_missing_share_and_never_more_than_refundable(farm, staff_admin, stripe_gateway):
    # given: 2 teas of 6 available; the newest order was already refunded 30,000원 of its 53,000원
    oldest, middle, newest = farm["orders"]
    with time_machine.travel(CHARGE_TIME, tick=False):
        order_refund(order=newest, amount_won=30_000, reason="고객 요청", acting_user=None, gateway=stripe_gateway)
    shortfall = _report(farm, available=2)
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        outcome = shortfall_refund(shortfall=shortfall, acting_user=staff_admin, gateway=stripe_gateway)
    # then: oldest keeps its teas; middle misses 2 teas = 10,000 of 20,000 supply → half of 50,000원 goods;
    # newest would be owed 25,000원 too but only 23,000원 is left to refund
    assert (outcome.refunded, outcome.pending, outcome.errors) == (2, 0, [])
    assert [Order.objects.get(pk=o.pk).refunded_won for o in farm["orders"]] == [0, 25_000, 53_000]
    assert sorted(ShortfallEffect.objects.values_list("order_id", "refund_won")) == [
        (middle.pk, 25_000),
        (newest.pk, 23_000),
    ]
    assert all(effect.refund.status == Refund.Status.SUCCEEDED for effect in ShortfallEffect.objects.all())
    assert _items(middle) == {"쌀": (1, farm["rice"].merchant_id, 10_000)}
    assert _items(oldest)["녹차"][0] == 2
    shortfall.refresh_from_db()
    assert shortfall.status == "refunded"
    assert PickListLine.objects.get(pick_list=farm["tea_list"]).units == 2
    assert Message.objects.filter(kind="shortfall_refunded", user_id=middle.subscriber.user_id).exists()
    assert (
        "25,000원" in Message.objects.filter(kind="shortfall_refunded", user_id=middle.subscriber.user_id).first().body
    )
    # when: the same decision is sent again
    with time_machine.travel(CHARGE_TIME, tick=False):
        again = shortfall_refund(shortfall=shortfall, acting_user=staff_admin, gateway=stripe_gateway)
    # then: nothing more is refunded
    assert again.refunded == 0
    assert Refund.objects.filter(order=middle).count() == 1


def test_refund_share_is_rounded_down_and_excludes_shipping():
    assert refund_share_won(paid_goods_won=50_000, boxes=1, missing_value_won=5_000, box_value_won=20_000) == 12_500
    assert refund_share_won(paid_goods_won=33_333, boxes=1, missing_value_won=1, box_value_won=3) == 11_111
    # a 3-box prepaid term: the share of one box
    assert refund_share_won(paid_goods_won=150_000, boxes=3, missing_value_won=10_000, box_value_won=20_000) == 25_000
    assert refund_share_won(paid_goods_won=0, boxes=0, missing_value_won=10_000, box_value_won=20_000) == 0


def test_pro_rata_policy_shares_the_units(farm, municipality, stripe_gateway):
    # given: pro rata, 6 teas ordered (2 each), 4 available → 1.33 each: one each plus one to the lowest id
    municipality.shortfall_policy = "pro_rata"
    municipality.save(update_fields=["shortfall_policy"])
    green = ProductFactory(
        merchant=MerchantFactory(municipality=municipality), category=Category.TEA, supply_price_won=5_000
    )
    shortfall = _report(farm, available=4)
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        shortfall_substitute(shortfall=shortfall, substitute=green, acting_user=None)
    # then
    kept = [OrderItem.objects.get(order=o, product=farm["tea"]).quantity for o in farm["orders"]]
    assert kept == [2, 1, 1]


@pytest.mark.parametrize(
    ("available", "reason", "message"),
    [
        (6, "이유", "0개부터 5개까지"),
        (-1, "이유", "0개부터 5개까지"),
        (2, "  ", "까닭을 적어"),
    ],
)
def test_bad_shortfall_reports_are_refused_in_korean(farm, available, reason, message):
    with time_machine.travel(CHARGE_TIME, tick=False), pytest.raises(PickingNotAllowed, match=message):
        pick_list_report_shortfall(
            pick_list_obj=farm["tea_list"],
            reports=[ShortfallReport(product_id=farm["tea"].pk, units_available=available, reason=reason)],
            acting_user=None,
        )
    assert not Shortfall.objects.exists()
    assert PickList.objects.get(pk=farm["tea_list"].pk).status == "awaiting"


def test_a_product_reported_twice_is_refused(farm):
    _report(farm, available=1)
    with pytest.raises(PickingNotAllowed, match="이미 모자란다고"):
        _report(farm, available=2)
    assert Shortfall.objects.count() == 1


def test_a_prepaid_box_is_refunded_on_the_order_that_charged_the_term(municipality, stripe_gateway):
    # given: a 3-box prepaid term (39,000원 a box, 3% off, 3,000원 shipping: 122,490원 charged once); its
    # second box's cycle closes (that order charges nothing) and its only product cannot be brought
    [term_order] = closed_orders(municipality, stripe_gateway, 1, term=3)
    with time_machine.travel(CHARGE_TIME, tick=False):
        order_charge(order_id=term_order.pk, gateway=stripe_gateway)
    term_order.refresh_from_db()
    second_cycle = DeliveryCycle.objects.get(municipality=municipality, cadence="weekly", ship_date=date(2026, 11, 26))
    with time_machine.travel(CHARGE_TIME + timedelta(days=7), tick=False):
        cycle_close(cycle_id=second_cycle.pk)
        [pick] = pick_lists_confirm_for_cycle(cycle=second_cycle)
        line = pick.lines.get()
        [shortfall] = pick_list_report_shortfall(
            pick_list_obj=pick,
            reports=[ShortfallReport(product_id=line.product_id, units_available=0, reason="태풍")],
            acting_user=None,
        )
        # when
        outcome = shortfall_refund(shortfall=shortfall, acting_user=None, gateway=stripe_gateway)
    # then: one box's goods (37,830원; shipping is not refunded) come back on the term's order
    covered = Order.objects.get(cycle=second_cycle)
    assert (term_order.amount_won, term_order.boxes_charged, covered.amount_won) == (122_490, 3, 0)
    assert outcome.refunded == 1
    assert Order.objects.get(pk=term_order.pk).refunded_won == 37_830
    effect = ShortfallEffect.objects.get()
    assert (effect.order_id, effect.refund_order_id, effect.refund_won) == (covered.pk, term_order.pk, 37_830)


def test_substitution_queries_do_not_grow_with_the_affected_orders(municipality, other_municipality, stripe_gateway):
    # given: the same shortfall (every box short of its product) with 2 and with 5 affected orders
    def short_cycle(where, count: int):
        orders = paid_orders(where, stripe_gateway, count)
        cycle = orders[0].cycle
        product = OrderItem.objects.filter(order=orders[0]).get().product
        substitute = ProductFactory(
            merchant=MerchantFactory(municipality=where),
            category=product.category,
            supply_price_won=product.supply_price_won,
        )
        with time_machine.travel(CHARGE_TIME, tick=False):
            [pick] = pick_lists_confirm_for_cycle(cycle=cycle)
            [shortfall] = pick_list_report_shortfall(
                pick_list_obj=pick,
                reports=[ShortfallReport(product_id=product.pk, units_available=0, reason="가뭄")],
                acting_user=None,
            )
        return shortfall, substitute

    small, small_substitute = short_cycle(municipality, 2)
    large, large_substitute = short_cycle(other_municipality, 5)
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        with CaptureQueriesContext(connection) as small_queries:
            shortfall_substitute(shortfall=small, substitute=small_substitute, acting_user=None)
        with CaptureQueriesContext(connection) as large_queries:
            shortfall_substitute(shortfall=large, substitute=large_substitute, acting_user=None)
    # then
    assert len(small_queries) == len(large_queries)
    assert OrderItem.objects.filter(product=large_substitute).count() == 5


def test_a_refund_after_a_substitution_is_a_share_of_the_box_as_it_was_charged(farm, municipality, stripe_gateway):
    # given: the teas were partly replaced by a dearer tea (6,000원 instead of 5,000원)
    green = ProductFactory(
        merchant=MerchantFactory(municipality=municipality), category=Category.TEA, supply_price_won=6_000
    )
    with time_machine.travel(CHARGE_TIME, tick=False):
        shortfall_substitute(shortfall=_report(farm, available=3), substitute=green, acting_user=None)
        # when: the rice cannot come at all and is refunded
        rice_list = PickList.objects.get(cycle=farm["cycle"], merchant=farm["rice"].merchant)
        [rice_short] = pick_list_report_shortfall(
            pick_list_obj=rice_list,
            reports=[ShortfallReport(product_id=farm["rice"].pk, units_available=0, reason="창고 침수")],
            acting_user=None,
        )
        shortfall_refund(shortfall=rice_short, acting_user=None, gateway=stripe_gateway)
    # then: every box gets the rice's share of what it was charged for (10,000 of 20,000 → 25,000 of 50,000),
    # whatever was substituted in it before
    assert [Order.objects.get(pk=o.pk).refunded_won for o in farm["orders"]] == [25_000, 25_000, 25_000]
