"""Paid orders for delivery tests, made through the real services (checkout, cycle close, charging on
localstripe)."""

from collections.abc import Iterator
from contextlib import contextmanager

import time_machine

from bundles.models import Bundle, Plan, Product
from bundles.services import bundle_publish, bundle_set_item, plan_set
from delivery.services import shipments_create_for_cycle
from subscriptions.billing.charging import order_charge
from subscriptions.billing.close import cycle_close
from subscriptions.models import DeliveryCycle, Order, Subscription
from subscriptions.services import address_add, subscription_create
from tests.bundles.factories import BundleFactory
from tests.subscriptions.billing_helpers import BEFORE, CHARGE_TIME, closed_orders
from tests.subscriptions.helpers import subscriber_with_card

__all__ = ["BEFORE", "CHARGE_TIME"]


def bundle_with(municipality, items: list[tuple[Product, int]], *, cadences=("weekly",)) -> Bundle:
    """A published bundle of `items` (product, quantity) sold in `cadences`."""
    bundle = BundleFactory(municipality=municipality)
    for product, quantity in items:
        bundle_set_item(bundle=bundle, product=product, quantity=quantity, acting_user=None)
    # Priced well above supply cost plus fees, so the publishing rules accept it.
    price_won = 2 * sum(product.supply_price_won * quantity for product, quantity in items) + 10_000
    for cadence in cadences:
        plan_set(bundle=bundle, cadence=cadence, acting_user=None, price_won=price_won, shipping_fee_won=3_000)
    return bundle_publish(bundle=bundle, acting_user=None)


def subscribe(municipality, gateway, plan: Plan) -> Subscription:
    """A one-box-at-a-time subscription from the next open cycle (call inside time_machine.travel)."""
    subscriber, address, card = subscriber_with_card(municipality, gateway)
    return subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )


def close_and_charge(cycle: DeliveryCycle, gateway, *, charge: int | None = None) -> list[Order]:
    """Close the cycle at its charge time and charge its orders (the first `charge` of them, or all)."""
    with time_machine.travel(CHARGE_TIME, tick=False):
        cycle_close(cycle_id=cycle.pk)
        orders = list(Order.objects.filter(cycle=cycle).order_by("pk"))
        for order in orders[:charge]:
            order_charge(order_id=order.pk, gateway=gateway)
    return list(Order.objects.filter(cycle=cycle).order_by("pk"))


def paid_orders(municipality, gateway, count: int) -> list[Order]:
    """`count` weekly orders of one cycle, closed and paid."""
    orders = closed_orders(municipality, gateway, count)
    with time_machine.travel(CHARGE_TIME, tick=False):
        for order in orders:
            order_charge(order_id=order.pk, gateway=gateway)
    return list(Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("pk"))


def shipped_cycle(municipality, gateway, count: int) -> tuple[DeliveryCycle, list[Order]]:
    """A cycle with `count` paid orders and their (pending) shipments."""
    orders = paid_orders(municipality, gateway, count)
    cycle = orders[0].cycle
    shipments_create_for_cycle(cycle=cycle)
    return cycle, orders


def subscribe_at(municipality, gateway, plan: Plan, *, postcode: str, road_address: str, jibun_address: str = ""):
    """A one-box subscription delivered to the given address (call inside time_machine.travel)."""
    subscriber, _address, card = subscriber_with_card(municipality, gateway)
    address = address_add(
        subscriber=subscriber,
        make_default=True,
        recipient=subscriber.name,
        phone="010-1234-5678",
        postcode=postcode,
        road_address=road_address,
        jibun_address=jibun_address,
    )
    return subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )


@contextmanager
def tasks_run_inline() -> Iterator[None]:
    """Run Celery tasks in the calling thread (the test settings point Celery at Redis with no worker)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = previous


def distinct_addresses(orders: list[Order]) -> None:
    """Give each order's snapshot its own address, so a page can be matched to its box."""
    for number, order in enumerate(orders, start=1):
        Order.objects.filter(pk=order.pk).update(
            road_address=f"경상남도 하동군 악양면 평사리길 {number}", address_detail=f"{number}호"
        )
