from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from subscriptions import lifecycle
from subscriptions.billing import charging
from subscriptions.billing.close import CycleNotDue, cycle_close
from subscriptions.models import (
    BoxContent,
    Order,
    OrderItem,
    ShippingSupportCampaign,
    Subscription,
    SubscriptionEvent,
)
from subscriptions.services import subscription_create
from tests.subscriptions.billing_helpers import CHARGE_TIME
from tests.subscriptions.helpers import published_bundle, seoul, subscriber_with_card

pytestmark = pytest.mark.django_db
BEFORE = seoul(2026, 11, 15, 10, 0)  # Sunday: the weekly cycle shipping 11-19 closes 11-16 00:00
AFTER_CUTOFF = seoul(2026, 11, 16, 0, 5)


def subscribe(municipality, gateway, plan, *, term=1, promo="", subscriber=None):
    subscriber, address, card = subscriber or subscriber_with_card(municipality, gateway)
    return subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=term,
        address=address,
        payment_method=card,
        promo_code=promo,
        acting_user=subscriber.user,
    )


@pytest.fixture
def weekly(municipality):
    with time_machine.travel(BEFORE, tick=False):
        return published_bundle(municipality, cadences=("weekly",)).plans.get()


def test_close_makes_one_order_per_due_subscription_with_snapshots(municipality, stripe_gateway, weekly):
    # given: four weekly subscriptions — one skips, one pauses, one cancels
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, weekly) for _ in range(4)]
        lifecycle.subscription_skip(subscription=subs[1], acting_user=None)
        lifecycle.subscription_pause(subscription=subs[2], until=None, acting_user=None)
        lifecycle.subscription_cancel(subscription=subs[3], reason="other", acting_user=None)
    cycle = subs[0].first_cycle
    # when
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        result = cycle_close(cycle_id=cycle.pk)
    # then
    order = Order.objects.get()
    assert result.orders == 1 and order.subscription == subs[0]
    assert (order.box_price_won, order.shipping_fee_won, order.amount_won, order.status) == (
        39_000,
        3_000,
        42_000,
        "pending",
    )
    assert (order.recipient, order.postcode, order.delivery_memo) == (
        subs[0].address.recipient,
        "52302",
        "문 앞에 놓아 주세요",
    )
    content = BoxContent.objects.get(cycle=cycle, bundle=weekly.bundle)
    product = weekly.bundle.items.get().product
    assert (content.product_id, content.quantity, content.supply_price_won, content.merchant_id) == (
        product.pk,
        1,
        20_000,
        product.merchant_id,
    )
    assert not OrderItem.objects.exists()  # an order gets its own items when it is paid
    cycle.refresh_from_db()
    assert cycle.status == "closed"


def test_a_paid_order_gets_the_contents_its_cycle_closed_with(municipality, stripe_gateway, weekly):
    # given: a closed cycle, then the bundle's product costs more and the bundle gains a second product
    from bundles.models import Product
    from bundles.services import bundle_set_item
    from tests.bundles.factories import ProductFactory

    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
    product = weekly.bundle.items.get().product
    Product.objects.filter(pk=product.pk).update(supply_price_won=25_000, name="바뀐 이름")
    extra = ProductFactory(merchant=product.merchant, supply_price_won=5_000)
    bundle_set_item(bundle=weekly.bundle, product=extra, quantity=1, acting_user=None)
    order = Order.objects.get()
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # then: the box is what was sold at close
    assert list(
        OrderItem.objects.filter(order=order).values_list("product_id", "product_name", "supply_price_won")
    ) == [(product.pk, product.name, 20_000)]


def test_a_box_a_prepaid_term_already_paid_gets_its_items_at_close(municipality, stripe_gateway, weekly):
    from subscriptions.models import DeliveryCycle

    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly, term=3)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=Order.objects.get().pk, gateway=stripe_gateway)
    following = (
        DeliveryCycle.objects.filter(cadence="weekly", ship_date__gt=sub.first_cycle.ship_date)
        .order_by("ship_date")
        .first()
    )
    with time_machine.travel(following.cutoff_at + timedelta(minutes=1), tick=False):
        cycle_close(cycle_id=following.pk)
    covered = Order.objects.get(cycle=following)
    assert (covered.status, covered.boxes_charged, covered.amount_won) == ("paid", 0, 0)
    assert OrderItem.objects.filter(order=covered).count() == 1


def test_closing_twice_creates_nothing_new(municipality, stripe_gateway, weekly):
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
        again = cycle_close(cycle_id=sub.first_cycle_id)
    assert again.already_closed and again.orders == 1
    assert Order.objects.count() == 1 and BoxContent.objects.count() == 1


def test_a_cycle_cannot_close_before_its_cutoff(municipality, stripe_gateway, weekly):
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
        with pytest.raises(CycleNotDue):
            cycle_close(cycle_id=sub.first_cycle_id)
    assert Order.objects.count() == 0


def test_later_price_changes_never_touch_the_order(municipality, stripe_gateway, weekly):
    from bundles.services import plan_set

    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
        plan_set(bundle=weekly.bundle, cadence="weekly", acting_user=None, price_won=45_000)
    assert Order.objects.get().box_price_won == 39_000


def test_prepaid_term_promo_and_support(municipality, stripe_gateway, weekly):
    # given: a 3-box prepaid subscription (3 % off), a ₩5,000 promo on its first 2 boxes, and ₩4,000 of support
    from tests.subscriptions.test_promotions import make_promo

    with time_machine.travel(BEFORE, tick=False):
        make_promo(municipality, code="FIRST", kind="fixed", amount=5_000, boxes=2)
        today = timezone.localdate()
        ShippingSupportCampaign.objects.create(
            municipality=municipality,
            name="지원",
            budget_won=4_000,
            per_box_cap_won=3_000,
            starts_on=today,
            ends_on=today + timedelta(30),
        )
        sub = subscribe(municipality, stripe_gateway, weekly, term=3, promo="FIRST")
    # when
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
    # then: 3 × (39,000 − 1,170 + 3,000) − 2 × 5,000 − min(3 × 3,000, 9,000, 4,000)
    order = Order.objects.get()
    assert (order.boxes_charged, order.term_discount_won, order.promo_discount_won) == (3, 3_510, 10_000)
    assert (order.shipping_fee_won, order.shipping_support_won) == (9_000, 4_000)
    assert order.amount_won == 3 * 40_830 - 10_000 - 4_000
    assert ShippingSupportCampaign.objects.get().spent_won == 4_000
    sub.refresh_from_db()
    assert sub.promo_boxes_remaining == 0


def test_paused_subscription_comes_back_after_its_pause(municipality, stripe_gateway, weekly):
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
        lifecycle.subscription_pause(subscription=sub, until=timezone.localdate() + timedelta(days=3), acting_user=None)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        assert cycle_close(cycle_id=sub.first_cycle_id).orders == 1  # ships 11-19, pause ended 11-18
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ACTIVE and sub.paused_until is None
    assert SubscriptionEvent.objects.filter(subscription=sub, kind="resumed").count() == 1


def test_close_query_count_does_not_grow_with_subscriptions(municipality, stripe_gateway, weekly):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from subscriptions.models import DeliveryCycle

    with time_machine.travel(BEFORE, tick=False):
        buyer = subscriber_with_card(municipality, stripe_gateway)
        small = [subscribe(municipality, stripe_gateway, weekly, subscriber=buyer) for _ in range(2)]
    first = small[0].first_cycle
    with time_machine.travel(AFTER_CUTOFF, tick=False), CaptureQueriesContext(connection) as few:
        cycle_close(cycle_id=first.pk)
    next_cycle = (
        DeliveryCycle.objects.filter(cadence="weekly", ship_date__gt=first.ship_date).order_by("ship_date").first()
    )
    with time_machine.travel(BEFORE, tick=False):
        for _ in range(25):
            subscribe(municipality, stripe_gateway, weekly, subscriber=buyer)
    after_next_cutoff = next_cycle.cutoff_at + timedelta(minutes=1)
    with time_machine.travel(after_next_cutoff, tick=False), CaptureQueriesContext(connection) as many:
        result = cycle_close(cycle_id=next_cycle.pk)
    assert result.orders == 27
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_database_keeps_an_orders_references(municipality, stripe_gateway, weekly):
    """Orders carry no row-by-row foreign keys (cycle close inserts them set-based); PostgreSQL triggers keep
    their subscription, cycle and municipality: never changed, and never deleted from under them."""
    from django.db import IntegrityError, connection, transaction

    from subscriptions.models import DeliveryCycle

    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, weekly)
        other = subscribe(municipality, stripe_gateway, weekly)
    with time_machine.travel(AFTER_CUTOFF, tick=False):
        cycle_close(cycle_id=sub.first_cycle_id)
    order = Order.objects.get(subscription=sub)
    attempts = [
        ("UPDATE subscriptions_order SET subscription_id = %s WHERE id = %s", [other.pk, order.pk]),
        ("UPDATE subscriptions_order SET municipality_id = municipality_id + 1 WHERE id = %s", [order.pk]),
        ("DELETE FROM subscriptions_subscription WHERE id = %s", [sub.pk]),
        ("DELETE FROM subscriptions_deliverycycle WHERE id = %s", [sub.first_cycle_id]),
    ]
    for sql, params in attempts:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    order.refresh_from_db()
    assert (order.subscription_id, order.municipality_id) == (sub.pk, municipality.pk)
    assert DeliveryCycle.objects.filter(pk=sub.first_cycle_id).exists()
    # an order's own fields still change as usual
    Order.objects.filter(pk=order.pk).update(failure_message="확인")
