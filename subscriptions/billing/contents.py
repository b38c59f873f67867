# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""What a box holds: snapshotted once per (cycle, bundle) when the cycle closes, and copied onto an order
as its own item rows when the order is paid.

Every order of one bundle in one cycle was sold with the same products at the same supply prices, so
cycle close keeps them once (BoxContent) instead of once per order. The per-order rows (OrderItem) are
what is packed, picked and settled, and what a shortfall changes for some orders only; an order needs
them from the moment it is paid. An unpaid order's contents are its cycle's BoxContent rows.
Portable between PostgreSQL and SQLite (the demo).
"""

from django.db import connection

from bundles.models import Bundle, BundleItem, Product
from subscriptions.models import BoxContent, DeliveryCycle, Order, OrderItem, Subscription


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def box_contents_snapshot(cycle: DeliveryCycle) -> None:
    """Keep, as they are now, the contents of every bundle that has a subscription of the cycle's cadence:
    a few more bundles than were ordered this time, found by one probe of the subscriptions' bundle index
    per bundle (a scalar subquery) rather than by reading every order or subscription of the cycle.
    Safe to repeat: a bundle already kept for this cycle stays as it was kept."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_t(BoxContent)} (municipality_id, cycle_id, bundle_id, product_id, merchant_id,
                                              product_name, quantity, supply_price_won, tax_type)
                SELECT %s, %s, bi.bundle_id, pr.id, pr.merchant_id, pr.name, bi.quantity, pr.supply_price_won,
                       pr.tax_type
                FROM {_t(BundleItem)} bi
                JOIN {_t(Product)} pr ON pr.id = bi.product_id
                JOIN {_t(Bundle)} b ON b.id = bi.bundle_id
                WHERE b.municipality_id = %s
                  AND (SELECT s.id FROM {_t(Subscription)} s
                       WHERE s.bundle_id = b.id AND s.cadence = %s LIMIT 1) IS NOT NULL
                ON CONFLICT (cycle_id, bundle_id, product_id) DO NOTHING""",
            [cycle.municipality_id, cycle.pk, cycle.municipality_id, cycle.cadence],
        )


def _items_copy(where: str, params: list) -> None:
    # An order that has items already is left alone: a shortfall may have changed them since.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_t(OrderItem)} (municipality_id, order_id, product_id, merchant_id, product_name,
                                             quantity, supply_price_won, tax_type)
                SELECT o.municipality_id, o.id, c.product_id, c.merchant_id, c.product_name, c.quantity,
                       c.supply_price_won, c.tax_type
                FROM {_t(Order)} o
                JOIN {_t(BoxContent)} c ON c.cycle_id = o.cycle_id AND c.bundle_id = o.bundle_id
                    AND c.municipality_id = o.municipality_id
                WHERE {where} AND o.status = %s
                  AND NOT EXISTS (SELECT 1 FROM {_t(OrderItem)} i WHERE i.order_id = o.id)
                ORDER BY o.id, c.id""",
            [*params, Order.Status.PAID],
        )


def order_items_copy(order: Order) -> None:
    """Give a paid order its own item rows (called in the transaction that marks it paid)."""
    _items_copy("o.id = %s", [order.pk])


def cycle_items_copy(cycle: DeliveryCycle) -> None:
    """Give every paid order of `cycle` its item rows: at close, the boxes a prepaid term already paid."""
    _items_copy("o.cycle_id = %s", [cycle.pk])


def order_contents(order: Order) -> list:
    """What `order`'s box holds, for display: its own items once paid (as a shortfall may have left them),
    else its cycle's box contents. Both kinds of row carry product, merchant, name, quantity and price."""
    items = list(order.items.select_related("merchant").order_by("pk"))
    if items:
        return items
    return list(
        BoxContent.objects.filter(
            municipality_id=order.municipality_id, cycle_id=order.cycle_id, bundle_id=order.bundle_id
        )
        .select_related("merchant")
        .order_by("pk")
    )
