"""Paid orders for settlement tests, made through the real subscription, cycle-close and charging services
against localstripe. The weekly cycle of tests.subscriptions.billing_helpers: orders are paid on
2026-11-16 (KST), so they belong to the 2026-11 settlement period."""

import time_machine

from bundles.models import Bundle, TaxType
from bundles.services import bundle_publish, bundle_set_item, plan_set
from subscriptions.billing.charging import order_charge
from subscriptions.billing.close import cycle_close
from subscriptions.models import Order, Subscription
from subscriptions.services import subscription_create
from tests.bundles.factories import BundleFactory, MerchantFactory, ProductFactory
from tests.subscriptions.billing_helpers import BEFORE, CHARGE_TIME
from tests.subscriptions.helpers import VISA, seoul, subscriber_with_card

PAID_AT = CHARGE_TIME
IN_NOVEMBER = seoul(2026, 11, 20, 10, 0)  # after the charges, still in the 2026-11 period
AFTER_NOVEMBER = seoul(2026, 12, 5, 9, 0)  # the 2026-11 period has ended and its close day has come
AFTER_DECEMBER = seoul(2027, 1, 5, 9, 0)


def bundle_of(municipality, items: list[tuple[int, int, str]], *, price_won: int = 39_000, merchants=None) -> Bundle:
    """A published weekly bundle whose items are (supply price, quantity, tax type), one merchant each
    (or the given merchants, in order)."""
    bundle = BundleFactory(municipality=municipality)
    for index, (supply, quantity, tax_type) in enumerate(items):
        merchant = (merchants[index] if merchants else None) or MerchantFactory(municipality=municipality)
        product = ProductFactory(
            merchant=merchant, municipality=municipality, supply_price_won=supply, tax_type=tax_type
        )
        bundle_set_item(bundle=bundle, product=product, quantity=quantity, acting_user=None)
    plan_set(
        bundle=bundle,
        cadence="weekly",
        acting_user=None,
        price_won=price_won,
        shipping_fee_won=3_000,
        prepay_3_discount_bp=300,
        prepay_6_discount_bp=500,
        prepay_12_discount_bp=800,
    )
    return bundle_publish(bundle=bundle, acting_user=None)


def two_merchant_bundle(municipality, *, price_won: int = 39_000) -> Bundle:
    """12,000 × 2 exempt (green tea) and 5,000 × 1 taxable (processed), two merchants."""
    return bundle_of(municipality, [(12_000, 2, TaxType.EXEMPT), (5_000, 1, TaxType.TAXABLE)], price_won=price_won)


def subscribe(municipality, gateway, bundle: Bundle, *, term: int = 1, number: str = VISA) -> Subscription:
    with time_machine.travel(BEFORE, tick=False):
        subscriber, address, card = subscriber_with_card(municipality, gateway, number=number)
        return subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(cadence="weekly"),
            term_boxes=term,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )


def close_and_charge(gateway, subscriptions: list[Subscription]) -> list[Order]:
    """Close the weekly cycle and charge every order of these subscriptions, as the billing run does."""
    with time_machine.travel(CHARGE_TIME, tick=False):
        cycle_close(cycle_id=subscriptions[0].first_cycle_id)
        orders = list(Order.objects.filter(subscription__in=subscriptions).order_by("pk"))
        for order in orders:
            order_charge(order_id=order.pk, gateway=gateway)
    return list(Order.objects.filter(subscription__in=subscriptions).order_by("pk"))


def paid_orders(municipality, gateway, bundle: Bundle, count: int, *, term: int = 1) -> list[Order]:
    subscriptions = [subscribe(municipality, gateway, bundle, term=term) for _ in range(count)]
    return close_and_charge(gateway, subscriptions)
