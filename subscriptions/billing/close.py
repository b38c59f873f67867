# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""Cycle close: at a cycle's cutoff, one Order per due subscription, made in set-based SQL.

The statements below run a fixed number of queries whatever the number of subscriptions (the benchmark
bench/cycle_close.py measures them against a raw INSERT … SELECT). They are portable between PostgreSQL
and SQLite (the demo): window functions and UPDATE … FROM exist in both, and integer division truncates
in both. Prices, discounts and the address are copied onto the order, and each ordered bundle's contents
are kept for the cycle (subscriptions.billing.contents), so later edits never change what was sold.
Every write here is paid once per order, so the orders carry no row-by-row foreign-key checks (see
Order) and are inserted without ON CONFLICT (a speculative insertion per row): the locked cycle row, its
status and the NOT EXISTS make a repeat create nothing, and the unique constraint still stands behind them.

A subscription is due when it is active (or paused until a day before the ship date), its first cycle is
not later than this one, and it did not skip this cycle.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from bundles.models import Bundle, Plan
from subscriptions import clock
from subscriptions.billing.contents import box_contents_snapshot, cycle_items_copy
from subscriptions.models import (
    Address,
    DeliveryCycle,
    Order,
    PromoCode,
    ShippingSupportCampaign,
    ShippingSupportDraw,
    SkippedCycle,
    Subscription,
    SubscriptionEvent,
)
from subscriptions.promotions import support_campaign_current


class CycleNotDue(Exception):
    """The cycle's cutoff has not passed yet: subscribers may still change their boxes."""


@dataclass(frozen=True)
class CloseResult:
    cycle_id: int
    orders: int
    already_closed: bool


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Per-box figures of a due subscription, reused by the INSERT below.
_COVERED = "(s.term_boxes > 1 AND s.prepaid_boxes_remaining > 0)"
_TERM_DISCOUNT = "(CASE WHEN s.term_boxes > 1 THEN p.price_won * s.term_discount_bp / 10000 ELSE 0 END)"
_NET_BOX = f"(p.price_won - {_TERM_DISCOUNT})"
_PROMO_PER_BOX = f"""(CASE
    WHEN s.promo_code_id IS NULL THEN 0
    WHEN pc.kind = 'percent' THEN {_NET_BOX} * pc.amount / 10000
    WHEN pc.amount < {_NET_BOX} THEN pc.amount
    ELSE {_NET_BOX} END)"""
_BOXES = f"(CASE WHEN {_COVERED} THEN 0 ELSE s.term_boxes END)"
_PROMO_BOXES = f"""(CASE
    WHEN s.promo_code_id IS NULL OR {_COVERED} THEN 0
    WHEN s.promo_boxes_remaining IS NULL THEN s.term_boxes
    WHEN s.promo_boxes_remaining < s.term_boxes THEN s.promo_boxes_remaining
    ELSE s.term_boxes END)"""


def _insert_orders(cycle: DeliveryCycle, now: datetime) -> int:
    sql = f"""
    INSERT INTO {_t(Order)} (
        municipality_id, subscription_id, cycle_id, subscriber_id, bundle_id, plan_id, bundle_name, cadence,
        box_price_won, boxes_charged, promo_boxes, term_discount_won, promo_discount_won, shipping_fee_won,
        shipping_support_won, amount_won, recipient, phone, postcode, road_address, jibun_address,
        address_detail, delivery_memo, status, attempts_count, refunded_won, failure_code, failure_message,
        created_at)
    SELECT
        s.municipality_id, s.id, %s, s.subscriber_id, s.bundle_id, s.plan_id, b.name, s.cadence,
        p.price_won, {_BOXES}, {_PROMO_BOXES},
        {_TERM_DISCOUNT} * {_BOXES},
        {_PROMO_PER_BOX} * {_PROMO_BOXES},
        p.shipping_fee_won * {_BOXES},
        0,
        ({_NET_BOX} + p.shipping_fee_won) * {_BOXES} - {_PROMO_PER_BOX} * {_PROMO_BOXES},
        a.recipient, a.phone, a.postcode, a.road_address, a.jibun_address, a.detail, a.memo,
        CASE WHEN {_COVERED} THEN 'paid' ELSE 'pending' END, 0, 0, '', '', %s
    FROM {_t(Subscription)} s
    JOIN {_t(Plan)} p ON p.id = s.plan_id
    JOIN {_t(Bundle)} b ON b.id = s.bundle_id
    JOIN {_t(Address)} a ON a.id = s.address_id
    JOIN {_t(DeliveryCycle)} fc ON fc.id = s.first_cycle_id
    LEFT JOIN {_t(PromoCode)} pc ON pc.id = s.promo_code_id
    WHERE s.municipality_id = %s AND s.cadence = %s
      AND (s.status = 'active' OR (s.status = 'paused' AND s.paused_until IS NOT NULL AND s.paused_until < %s))
      AND fc.ship_date <= %s
      AND NOT EXISTS (SELECT 1 FROM {_t(SkippedCycle)} k WHERE k.subscription_id = s.id AND k.cycle_id = %s)
      AND NOT EXISTS (SELECT 1 FROM {_t(Order)} e WHERE e.subscription_id = s.id AND e.cycle_id = %s)
    """
    params = [cycle.pk, now, cycle.municipality_id, cycle.cadence, cycle.ship_date, cycle.ship_date, cycle.pk, cycle.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _apply_shipping_support(cycle: DeliveryCycle, now: datetime) -> None:
    """Pay shipping from the current campaign, in order id order, until its budget runs out (the last
    box may get part of its fee). The campaign row is locked, so no other close can spend the same won."""
    campaign = support_campaign_current(municipality=cycle.municipality)
    if campaign is None:
        return
    campaign = ShippingSupportCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.remaining_won <= 0:
        return
    want = "(CASE WHEN %s * o.boxes_charged < o.shipping_fee_won THEN %s * o.boxes_charged ELSE o.shipping_fee_won END)"
    sql = f"""
    WITH wanted AS (
        SELECT o.id, {want} AS want, SUM({want}) OVER (ORDER BY o.id) AS running
        FROM {_t(Order)} o
        WHERE o.cycle_id = %s AND o.boxes_charged > 0 AND o.shipping_fee_won > 0 AND o.shipping_support_won = 0
    ), granted AS (
        SELECT id, CASE WHEN running <= %s THEN want
                        WHEN running - want < %s THEN %s - (running - want)
                        ELSE 0 END AS support
        FROM wanted
    )
    UPDATE {_t(Order)} SET shipping_support_won = granted.support, amount_won = amount_won - granted.support
    FROM granted WHERE {_t(Order)}.id = granted.id AND granted.support > 0
    """
    cap, remaining = campaign.per_box_cap_won, campaign.remaining_won
    with connection.cursor() as cursor:
        cursor.execute(sql, [cap, cap, cap, cap, cycle.pk, remaining, remaining, remaining])
        cursor.execute(
            f"""INSERT INTO {_t(ShippingSupportDraw)} (municipality_id, campaign_id, subscription_id, cycle_id,
                                                      amount_won, created_at)
                SELECT o.municipality_id, %s, o.subscription_id, o.cycle_id, o.shipping_support_won, %s
                FROM {_t(Order)} o WHERE o.cycle_id = %s AND o.shipping_support_won > 0
                ON CONFLICT (municipality_id, subscription_id, cycle_id) DO NOTHING""",
            [campaign.pk, now, cycle.pk],
        )
        cursor.execute(
            f"""UPDATE {_t(ShippingSupportCampaign)} SET spent_won = spent_won + (
                    SELECT COALESCE(SUM(d.amount_won), 0) FROM {_t(ShippingSupportDraw)} d
                    WHERE d.campaign_id = %s AND d.cycle_id = %s)
                WHERE id = %s""",
            [campaign.pk, cycle.pk, campaign.pk],
        )


def _advance_subscriptions(cycle: DeliveryCycle, now: datetime) -> None:
    """Count down prepaid boxes and promo boxes, and end pauses whose date has passed.

    Each statement starts from the subscriptions concerned (few: prepaid, promo, paused) and looks up each
    one's order in this cycle through the order's unique index. The lookup is a scalar subquery, which
    PostgreSQL runs per remaining row after the cheap conditions; an EXISTS or IN would be planned as a
    join reading the whole cycle's orders (whose statistics do not count the rows just inserted)."""
    sub = _t(Subscription)

    def order_column(column: str) -> str:
        return (
            f"(SELECT o.{column} FROM {_t(Order)} o WHERE o.subscription_id = {sub}.id AND o.cycle_id = %(cycle)s"
            f" AND o.municipality_id = %(municipality)s)"
        )

    params = {"cycle": cycle.pk, "municipality": cycle.municipality_id, "now": now, "reason": "일시정지 기간 종료"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {sub} SET prepaid_boxes_remaining = prepaid_boxes_remaining - 1
                WHERE municipality_id = %(municipality)s AND prepaid_boxes_remaining > 0
                  AND {order_column("boxes_charged")} = 0""",
            params,
        )
        cursor.execute(
            f"""UPDATE {sub} SET promo_boxes_remaining = promo_boxes_remaining - {order_column("promo_boxes")}
                WHERE municipality_id = %(municipality)s AND promo_boxes_remaining > 0
                  AND {order_column("promo_boxes")} > 0""",
            params,
        )
        cursor.execute(
            f"""INSERT INTO {_t(SubscriptionEvent)} (municipality_id, subscription_id, kind, from_status, to_status,
                                                    reason, effective_cycle_id, data, created_at)
                SELECT {sub}.municipality_id, {sub}.id, 'resumed', 'paused', 'active', %(reason)s, %(cycle)s,
                       '{{}}', %(now)s
                FROM {sub}
                WHERE {sub}.municipality_id = %(municipality)s AND {sub}.status = 'paused'
                  AND {order_column("id")} IS NOT NULL""",
            params,
        )
        cursor.execute(
            f"""UPDATE {sub} SET status = 'active', paused_until = NULL
                WHERE municipality_id = %(municipality)s AND status = 'paused' AND {order_column("id")} IS NOT NULL""",
            params,
        )


@transaction.atomic
def cycle_close(*, cycle_id: int, now: datetime | None = None) -> CloseResult:
    """Close a cycle whose cutoff has passed: make its orders and mark it closed, all or nothing.
    The cycle row is locked and a closed cycle returns at once, so running it twice creates nothing."""
    now = now or clock.now()
    cycle = DeliveryCycle.objects.select_for_update().select_related("municipality").get(pk=cycle_id)
    if cycle.status == DeliveryCycle.Status.CLOSED:
        return CloseResult(cycle.pk, Order.objects.filter(cycle=cycle).count(), already_closed=True)
    if now < cycle.cutoff_at:
        raise CycleNotDue(f"cycle {cycle.pk} closes at {cycle.cutoff_at.isoformat()}")
    # Orders are made only here, and an open cycle has none yet: what is inserted is all of them.
    made = _insert_orders(cycle, now)
    box_contents_snapshot(cycle)
    cycle_items_copy(cycle)  # the orders a prepaid term already paid
    _apply_shipping_support(cycle, now)
    _advance_subscriptions(cycle, now)
    DeliveryCycle.objects.filter(pk=cycle.pk).update(status=DeliveryCycle.Status.CLOSED, closed_at=now)
    return CloseResult(cycle.pk, made, already_closed=False)


def cycles_due(*, now: datetime | None = None) -> list[int]:
    """Open cycles whose cutoff has passed, oldest first (every municipality)."""
    now = now or clock.now()
    return list(
        DeliveryCycle.objects.filter(status=DeliveryCycle.Status.OPEN, cutoff_at__lte=now)
        .order_by("cutoff_at", "pk")
        .values_list("pk", flat=True)
    )
