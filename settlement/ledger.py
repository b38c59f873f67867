"""Posting source events into the ledger: settlement pulls what lower apps recorded, nothing pushes.

`ledger_post_pending` finds, per kind, every event not yet posted up to `until` with one query, computes
its lines in Python (allocation needs the largest-remainder method) and writes postings and lines with
bulk inserts: a fixed number of queries per kind however many events (bulk inserts are cut in batches
of BATCH rows, so only a run of many thousand events adds queries). The kinds, accounts and amounts are
described in settlement/models.py.

Idempotent: the municipality's StatementCounter row is locked for the whole run, so two runs never post
the same event; the unique (municipality, source_key) would refuse it anyway.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from bundles.pricing import percent_of
from municipalities.models import Municipality
from settlement.allocation import allocate
from settlement.models import Account, Entry, Posting, PostingLine, SettlementPeriod, StatementCounter
from settlement.period_calendar import closed_until, period_bounds, periods_for, posting_instant
from subscriptions import clock
from subscriptions.models import Order, OrderItem, Refund
from tourism.models import Coupon

BATCH = 5_000


class UnbalancedPosting(Exception):
    """A computed posting whose lines do not sum to 0 won: a bug, never written."""


@dataclass
class PlannedLine:
    account: str
    amount_won: int
    merchant_id: int | None = None
    partner_id: int | None = None
    order_id: int | None = None
    product_id: int | None = None
    product_name: str = ""
    quantity: int | None = None
    unit_supply_price_won: int | None = None
    tax_type: str = ""


@dataclass
class PlannedPosting:
    kind: str
    source_key: str
    occurred_at: datetime
    lines: list[PlannedLine]
    memo: str = ""
    order_id: int | None = None
    refund_id: int | None = None
    coupon_id: int | None = None
    adjusts_id: int | None = None
    # The period label of the order a refund reverses.
    original_label: str = ""
    # Filled when the posting is placed in a period (settlement.ledger._place).
    late: bool = False
    period: SettlementPeriod | None = None

    def check_balanced(self) -> None:
        total = sum(line.amount_won for line in self.lines)
        if total != 0:
            raise UnbalancedPosting(f"{self.source_key}: lines sum to {total} won")


def card_fee_won(amount_won: int, rate_bp: int) -> int:
    """The card company's fee on a captured amount, rounded down to the won (as bundles.pricing does)."""
    return percent_of(amount_won, rate_bp)


def _before(field: str, until: datetime | None) -> dict:
    return {} if until is None else {f"{field}__lt": until}


# --- order paid ------------------------------------------------------------------------------------------
def _orders_pending(municipality: Municipality, until: datetime | None):
    posted = Posting.objects.filter(order_id=OuterRef("pk"), kind=Posting.Kind.ORDER_PAID)
    return (
        Order.objects.for_tenant(municipality)
        .filter(status=Order.Status.PAID, boxes_charged__gt=0, paid_at__isnull=False, **_before("paid_at", until))
        .filter(~Exists(posted))
    )


def order_paid_lines(
    *, amount_won: int, support_won: int, shipping_won: int, boxes: int, fee_bp: int, order_id: int, items: list[dict]
) -> list[PlannedLine]:
    """The lines of one paid order (see settlement/models.py): items are OrderItem values."""
    fee = card_fee_won(amount_won, fee_bp)
    lines = [
        PlannedLine(Account.SUBSCRIBER_PAYMENTS, amount_won, order_id=order_id),
        PlannedLine(Account.SHIPPING_SUPPORT, support_won, order_id=order_id),
        PlannedLine(Account.CARD_FEES, -fee, order_id=order_id),
        PlannedLine(Account.SHIPPING, -shipping_won, order_id=order_id),
    ]
    supply_by_merchant: dict[int, int] = defaultdict(int)
    for item in sorted(items, key=lambda i: i["product_id"]):
        quantity = item["quantity"] * boxes
        value = item["supply_price_won"] * quantity
        supply_by_merchant[item["merchant_id"]] += value
        lines.append(
            PlannedLine(
                Account.MERCHANT_PAYABLE,
                -value,
                merchant_id=item["merchant_id"],
                order_id=order_id,
                product_id=item["product_id"],
                product_name=item["product_name"],
                quantity=quantity,
                unit_supply_price_won=item["supply_price_won"],
                tax_type=item["tax_type"],
            )
        )
    commission = amount_won + support_won - fee - shipping_won - sum(supply_by_merchant.values())
    weights = {merchant: value for merchant, value in supply_by_merchant.items() if value > 0}
    if weights:
        for merchant_id, part in allocate(commission, weights).items():
            lines.append(PlannedLine(Account.COMMISSION, -part, merchant_id=merchant_id, order_id=order_id))
    else:
        lines.append(PlannedLine(Account.COMMISSION, -commission, order_id=order_id))
    return [line for line in lines if line.amount_won != 0]


def _plan_orders(municipality: Municipality, until: datetime | None) -> list[PlannedPosting]:
    pending = _orders_pending(municipality, until)
    orders = list(
        pending.values("pk", "amount_won", "shipping_support_won", "shipping_fee_won", "boxes_charged", "paid_at")
    )
    if not orders:
        return []
    items: dict[int, list[dict]] = defaultdict(list)
    for item in OrderItem.objects.filter(order__in=pending.values("pk")).values(
        "order_id", "merchant_id", "product_id", "product_name", "quantity", "supply_price_won", "tax_type"
    ):
        items[item["order_id"]].append(item)
    plans = []
    for order in orders:
        plans.append(
            PlannedPosting(
                kind=Posting.Kind.ORDER_PAID,
                source_key=f"order-{order['pk']}",
                occurred_at=order["paid_at"],
                order_id=order["pk"],
                memo=_("주문 #%(order)s 결제") % {"order": order["pk"]},
                lines=order_paid_lines(
                    amount_won=order["amount_won"],
                    support_won=order["shipping_support_won"],
                    shipping_won=order["shipping_fee_won"],
                    boxes=order["boxes_charged"],
                    fee_bp=municipality.card_fee_rate_bp,
                    order_id=order["pk"],
                    items=items[order["pk"]],
                ),
            )
        )
    return plans


# --- refunds ---------------------------------------------------------------------------------------------
def refund_lines(
    *, original: list[PlannedLine], refunded_before_won: int, amount_won: int, order_id: int
) -> list[PlannedLine]:
    """Reverse `amount_won` of an order's posting in proportion to its lines (largest remainder).

    The reversal of the refunds so far is allocated as one total and this refund takes the difference,
    so refunds that add up to the whole order reverse every line exactly."""
    others = [line for line in original if line.account != Account.SUBSCRIBER_PAYMENTS]
    weights = {index: -line.amount_won for index, line in enumerate(others)}
    before = allocate(refunded_before_won, weights)
    after = allocate(refunded_before_won + amount_won, weights)
    lines = [PlannedLine(Account.REFUNDS, -amount_won, order_id=order_id)]
    for index, line in enumerate(others):
        part = after[index] - before[index]
        if part == 0:
            continue
        whole = part == -line.amount_won
        lines.append(
            PlannedLine(
                line.account,
                part,
                merchant_id=line.merchant_id,
                partner_id=line.partner_id,
                order_id=order_id,
                product_id=line.product_id,
                product_name=line.product_name,
                quantity=-line.quantity if whole and line.quantity else None,
                unit_supply_price_won=line.unit_supply_price_won,
                tax_type=line.tax_type,
            )
        )
    return lines


def _plan_refunds(
    municipality: Municipality, until: datetime | None, planned_orders: list[PlannedPosting]
) -> list[PlannedPosting]:
    posted = Posting.objects.filter(refund_id=OuterRef("pk"))
    refunds = list(
        Refund.objects.for_tenant(municipality)
        .filter(status=Refund.Status.SUCCEEDED, **_before("created_at", until))
        .filter(~Exists(posted))
        .order_by("order_id", "pk")
        .values("pk", "order_id", "amount_won", "created_at")
    )
    if not refunds:
        return []
    order_ids = {refund["order_id"] for refund in refunds}
    originals: dict[int, dict] = {}
    for posting in Posting.objects.filter(
        municipality=municipality, kind=Posting.Kind.ORDER_PAID, order_id__in=order_ids
    ).values("pk", "order_id", "period__label"):
        originals[posting["order_id"]] = {"pk": posting["pk"], "label": posting["period__label"], "lines": []}
    by_posting = {original["pk"]: original for original in originals.values()}
    for line in PostingLine.objects.filter(posting_id__in=list(by_posting)).order_by("pk"):
        by_posting[line.posting_id]["lines"].append(
            PlannedLine(
                line.account,
                line.amount_won,
                merchant_id=line.merchant_id,
                partner_id=line.partner_id,
                order_id=line.order_id,
                product_id=line.product_id,
                product_name=line.product_name,
                quantity=line.quantity,
                unit_supply_price_won=line.unit_supply_price_won,
                tax_type=line.tax_type,
            )
        )
    for plan in planned_orders:
        if plan.order_id in order_ids and plan.order_id not in originals:
            label = period_bounds(municipality, plan.occurred_at)[2]
            originals[plan.order_id] = {"pk": None, "label": label, "lines": plan.lines}
    # What the refunds posted before this run reversed is where this run's running totals start.
    running: defaultdict[int, int] = defaultdict(
        int,
        Refund.objects.filter(order_id__in=order_ids, status=Refund.Status.SUCCEEDED)
        .filter(Exists(posted))
        .values("order_id")
        .annotate(total=Sum("amount_won"))
        .values_list("order_id", "total"),
    )
    plans = []
    for refund in refunds:
        original = originals.get(refund["order_id"])
        if original is None:
            continue  # the order's payment is not posted yet (paid after `until`): the refund waits for it
        lines = refund_lines(
            original=original["lines"],
            refunded_before_won=running[refund["order_id"]],
            amount_won=refund["amount_won"],
            order_id=refund["order_id"],
        )
        running[refund["order_id"]] += refund["amount_won"]
        plans.append(
            PlannedPosting(
                kind=Posting.Kind.REFUND,
                source_key=f"refund-{refund['pk']}",
                occurred_at=refund["created_at"],
                order_id=refund["order_id"],
                refund_id=refund["pk"],
                adjusts_id=original["pk"],
                original_label=original["label"],
                lines=lines,
            )
        )
    return plans


# --- tourism redemptions ---------------------------------------------------------------------------------
def _plan_redemptions(municipality: Municipality, until: datetime | None) -> list[PlannedPosting]:
    posted = Posting.objects.filter(coupon_id=OuterRef("pk"))
    coupons = (
        Coupon.objects.for_tenant(municipality)
        .filter(redeemed_at__isnull=False, **_before("redeemed_at", until))
        .filter(~Exists(posted))
        .values(
            "pk", "redeemed_at", "redeemed_partner_id", "offer__partner_id", "offer__reimbursement_won", "offer__title"
        )
    )
    plans = []
    for coupon in coupons:
        amount = coupon["offer__reimbursement_won"]
        partner_id = coupon["redeemed_partner_id"] or coupon["offer__partner_id"]
        lines = [
            PlannedLine(Account.TOURISM_BUDGET, amount),
            PlannedLine(
                Account.PARTNER_PAYABLE,
                -amount,
                partner_id=partner_id,
                product_name=coupon["offer__title"][:80],
                quantity=1,
                unit_supply_price_won=amount,
            ),
        ]
        plans.append(
            PlannedPosting(
                kind=Posting.Kind.REDEMPTION,
                source_key=f"coupon-{coupon['pk']}",
                occurred_at=coupon["redeemed_at"],
                coupon_id=coupon["pk"],
                memo=_("관광 쿠폰 사용: %(offer)s") % {"offer": coupon["offer__title"]},
                lines=[line for line in lines if line.amount_won != 0],
            )
        )
    return plans


# --- writing ---------------------------------------------------------------------------------------------
def _place(municipality: Municipality, plans: list[PlannedPosting], closed_end: datetime | None) -> dict:
    """Choose each posting's period; returns the periods by start. A late event (its own period closed)
    goes into the first open period; a refund of an earlier period's order names that order's posting."""
    instants = {}
    for plan in plans:
        instant, late = posting_instant(plan.occurred_at, closed_end)
        plan.late = late
        instants[plan.source_key] = instant
    periods = periods_for(municipality, instants.values())
    for plan in plans:
        start = period_bounds(municipality, instants[plan.source_key])[0]
        plan.period = periods[start]
        if plan.kind == Posting.Kind.REFUND:
            if plan.original_label != plan.period.label:
                plan.memo = _("%(period)s 정산 조정: 주문 #%(order)s 환불") % {
                    "period": plan.original_label,
                    "order": plan.order_id,
                }
            else:
                plan.memo = _("주문 #%(order)s 환불") % {"order": plan.order_id}
                plan.adjusts_id = None
        elif plan.late:
            label = period_bounds(municipality, plan.occurred_at)[2]
            plan.memo = _("%(period)s 정산 조정: %(memo)s") % {"period": label, "memo": plan.memo}
    return periods


_POSTING_COLUMNS = (
    "municipality_id",
    "period_id",
    "kind",
    "source_key",
    "occurred_at",
    "posted_at",
    "memo",
    "adjusts_id",
    "order_id",
    "refund_id",
    "coupon_id",
)
_LINE_COLUMNS = (
    "municipality_id",
    "posting_id",
    "period_id",
    "entry",
    "account",
    "amount_won",
    "merchant_id",
    "partner_id",
    "order_id",
    "product_id",
    "product_name",
    "quantity",
    "unit_supply_price_won",
    "tax_type",
)


def _insert_sql(model, columns: tuple[str, ...], rows: int, returning: bool = False) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    returning_id = " RETURNING id" if returning else ""
    # Only table and column names and placeholders are assembled; every value is a parameter.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * rows)}{returning_id}"  # noqa: S608


def _rows_per_insert(columns: tuple[str, ...]) -> int:
    # SQLite (the demo) caps the parameters of one statement; PostgreSQL takes BATCH rows at once.
    limit = connection.features.max_query_params
    return BATCH if limit is None else max(1, min(BATCH, limit // len(columns)))


def _entry(plan: PlannedPosting) -> str:
    """How the posting's lines read on a statement of the period it was placed in."""
    if plan.adjusts_id is not None or plan.occurred_at < plan.period.starts_at:
        return Entry.ADJUSTMENT
    if plan.kind == Posting.Kind.REFUND:
        return Entry.REFUND
    if plan.kind == Posting.Kind.REDEMPTION:
        return Entry.REDEMPTION
    return Entry.SALE


def _write(municipality: Municipality, plans: list[PlannedPosting], now: datetime) -> int:
    """Insert postings and their lines with plain multi-row INSERTs (model instances would cost far more
    than the database work for 100,000 lines): about one query per BATCH rows on PostgreSQL."""
    if not plans:
        return 0
    for plan in plans:
        plan.check_balanced()
    adapt = connection.ops.adapt_datetimefield_value
    posted_at = adapt(now)
    posting_rows = [
        (
            municipality.pk,
            plan.period.pk,
            str(plan.kind),
            plan.source_key,
            adapt(plan.occurred_at),
            posted_at,
            plan.memo[:200],
            plan.adjusts_id,
            plan.order_id,
            plan.refund_id,
            plan.coupon_id,
        )
        for plan in plans
    ]
    posting_ids: list[int] = []
    size = _rows_per_insert(_POSTING_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(posting_rows), size):
            rows = posting_rows[start : start + size]
            cursor.execute(
                _insert_sql(Posting, _POSTING_COLUMNS, len(rows), returning=True),
                [value for row in rows for value in row],
            )
            # Rows come back in the order of the VALUES list (as Django's bulk_create also relies on).
            posting_ids.extend(row[0] for row in cursor.fetchall())
        # Each INSERT carries whole postings (never part of one): the database checks that the lines of
        # every posting in one INSERT sum to 0 (migration 0005).
        size = _rows_per_insert(_LINE_COLUMNS)
        chunk: list[tuple] = []
        for plan, posting_id in zip(plans, posting_ids, strict=True):
            entry = _entry(plan)
            if chunk and len(chunk) + len(plan.lines) > size:
                cursor.execute(_insert_sql(PostingLine, _LINE_COLUMNS, len(chunk)), [v for row in chunk for v in row])
                chunk = []
            chunk.extend(
                (
                    municipality.pk,
                    posting_id,
                    plan.period.pk,
                    entry,
                    str(line.account),
                    line.amount_won,
                    line.merchant_id,
                    line.partner_id,
                    line.order_id,
                    line.product_id,
                    line.product_name,
                    line.quantity,
                    line.unit_supply_price_won,
                    line.tax_type,
                )
                for line in plan.lines
            )
        if chunk:
            cursor.execute(_insert_sql(PostingLine, _LINE_COLUMNS, len(chunk)), [v for row in chunk for v in row])
    return len(plans)


def ledger_lock(municipality: Municipality) -> StatementCounter:
    """Lock the municipality's settlement row: posting and closing run one at a time per municipality."""
    StatementCounter.objects.get_or_create(municipality=municipality)
    return StatementCounter.objects.select_for_update().get(municipality=municipality)


def pending_postings(*, municipality: Municipality, until: datetime) -> list[PlannedPosting]:
    """What `ledger_post_pending` would post up to `until`, placed in periods, without writing (preview)."""
    with translation.override(settings.LANGUAGE_CODE):
        orders = _plan_orders(municipality, until)
        plans = orders + _plan_refunds(municipality, until, orders) + _plan_redemptions(municipality, until)
        _place(municipality, plans, closed_until(municipality))
    return plans


@transaction.atomic
def ledger_post_pending(*, municipality: Municipality, until: datetime | None = None) -> int:
    """Post every source event that happened before `until` (default: every event recorded so far) and is
    not posted yet; returns how many postings were made. Safe to run any number of times and from several
    workers at once."""
    now = clock.now()
    ledger_lock(municipality)
    closed_end = closed_until(municipality)
    # Memos are stored and printed on statements: always in the site's language, whoever's request runs this.
    with translation.override(settings.LANGUAGE_CODE):
        orders = _plan_orders(municipality, until)
        _place(municipality, orders, closed_end)
        count = _write(municipality, orders, now)
        later = _plan_refunds(municipality, until, []) + _plan_redemptions(municipality, until)
        _place(municipality, later, closed_end)
        return count + _write(municipality, later, now)
