# ruff: noqa: S608 - the SQL is assembled only from table and column names; every value is a parameter.
"""Benchmark: the project's cycle close against a raw INSERT … SELECT ceiling (issue 5, "Benchmark").

    .venv/bin/python bench/cycle_close.py [--subscriptions N] [--rounds R] [--items K] [--database-url URL]

What it does:
1. Creates a scratch PostgreSQL database `kkureomi_bench_<pid>` on the server of `--database-url` (default
   postgres://postgres@127.0.0.1:5432/postgres; that URL's own database is used only for CREATE/DROP
   DATABASE), migrates it, and always drops it at the end, ending its connections first.
2. Seeds one municipality and one published bundle of K products (default 3) with a weekly plan through the
   real services, and one template subscription through the real checkout service (`subscription_create`;
   its card row is made directly with a plausible id, since cycle close never calls the gateway). The
   template's user, subscriber, address, card and subscription are then cloned set-based, each with one
   INSERT … SELECT over generate_series (column lists read from the models), to N active subscriptions due
   for the same weekly cycle. Then VACUUM ANALYZE.
3. Each round (R, default 5): CHECKPOINT and a warm-up read of the joined rows, then times
   `cycle_close(cycle_id=…, now=cutoff + 1 min)` counting its queries (CaptureQueriesContext); CHECKPOINT
   and warm-up again, then times a raw `INSERT INTO bench_orders … SELECT` with the same joins, filters and
   column expressions as close.py's first statement (bench_orders is `LIKE subscriptions_order` with
   defaults and identity but no indexes or constraints: the ceiling for writing these rows at all). The
   project's run includes everything cycle close does (the bundle's box contents for the cycle, shipping
   support, subscription counters, closing the cycle). The two row sets are compared column by column
   (EXCEPT ALL); a difference is reported as a warning. Each round also logs cycle close's slowest
   statements and, for comparison only, the same raw statement run into subscriptions_order itself (its
   indexes and checks, committed): the part of the gap that is the schema rather than the code.
   Between rounds the order tables are emptied and the cycle reopened.

Output: progress lines, then as the LAST line one JSON object
    {"n": N, "project_per_s": orders/s, "raw_per_s": orders/s, "ratio": project/raw, "queries": count}
with the median of the rounds for each rate (ratio = median project / median raw). The goal from the issue
is ratio ≥ 0.5 (per-row saves reach ~1 %, bulk_create ~22 %); it is printed, not asserted. `queries` must
not grow with N (run a small N and a large N to see it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402
    DEFAULT_SERVER_URL,
    django_ready,
    env_defaults,
    log,
    scratch_database,
    seed_catalog,
    sigterm_raises,
)

if TYPE_CHECKING:
    from django.db.models import Model

RAW_TABLE = "bench_orders"
EMAIL_LIKE = "bench-%@bench.example.kr"


def _qn(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def _t(model: type[Model]) -> str:
    return _qn(model._meta.db_table)


def _execute(sql: str, params: list | tuple = ()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _clone(model: type[Model], *, template_pk: int, source: str, overrides: dict[str, str], params: list) -> int:
    """INSERT copies of the template row, one per row of `source` (joined to the template as `t`), with
    `overrides` (column → SQL expression) replacing the template's values. Returns the rows inserted."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = ", ".join(overrides.get(c, f"t.{_qn(c)}") for c in columns)
    sql = (
        f"INSERT INTO {_t(model)} ({', '.join(_qn(c) for c in columns)}) "
        f"SELECT {select} FROM {_t(model)} t {source} WHERE t.id = %s"
    )
    return _execute(sql, [*params, template_pk])


def seed(n: int, items: int) -> int:
    """Make N active weekly subscriptions due for the same cycle; return that cycle's id."""
    from accounts.models import User
    from accounts.services import user_signup
    from subscriptions.models import Address, PaymentMethod, Subscriber, Subscription
    from subscriptions.services import address_add, subscriber_ensure, subscription_create

    started = time.perf_counter()
    catalog = seed_catalog(slug="bench", name="벤치군", seed=1, items=items)
    municipality, plan = catalog.municipality, catalog.plan
    log(f"seeded municipality, bundle ({items} items) and weekly plan through the services")

    user = user_signup(email=EMAIL_LIKE.replace("%", "0"), name="김벤치", password=None, phone="010-1234-5678")
    subscriber = subscriber_ensure(municipality=municipality, user=user, name=user.name, phone=user.phone)
    address = address_add(
        subscriber=subscriber,
        recipient=user.name,
        phone=user.phone,
        postcode="52302",
        road_address="경상남도 하동군 하동읍 군청로 23",
        jibun_address="경상남도 하동군 하동읍 읍내리 100",
        detail="101동 202호",
        memo="문 앞에 놓아 주세요",
    )
    card = PaymentMethod.objects.create(
        municipality=municipality,
        subscriber=subscriber,
        gateway="stripe",
        gateway_method_id="pm_bench_template",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2031,
    )
    template = subscription_create(
        subscriber=subscriber, plan=plan, term_boxes=1, address=address, payment_method=card, acting_user=user
    )
    log(f"template subscription #{template.pk} made by subscription_create (first cycle {template.first_cycle_id})")

    others = n - 1
    step = time.perf_counter()
    rows = _clone(
        User,
        template_pk=user.pk,
        source="CROSS JOIN generate_series(1, %s) AS g(i)",
        overrides={"email": "'bench-' || g.i || '@bench.example.kr'", "last_login": "NULL"},
        params=[others],
    )
    log(f"users: {rows:,} rows in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    rows = _clone(
        Subscriber,
        template_pk=subscriber.pk,
        source=f"JOIN {_t(User)} u ON u.email LIKE %s AND u.id <> t.user_id",
        overrides={"user_id": "u.id", "gateway_customer_id": "'cus_bench_' || u.id"},
        params=[EMAIL_LIKE],
    )
    log(f"subscribers: {rows:,} rows in {time.perf_counter() - step:.1f} s")
    others_of_template = (
        f"JOIN {_t(Subscriber)} s ON s.municipality_id = t.municipality_id AND s.id <> %s"  # the clones
    )
    step = time.perf_counter()
    rows = _clone(
        Address,
        template_pk=address.pk,
        source=others_of_template,
        overrides={"subscriber_id": "s.id", "recipient": "s.name"},
        params=[subscriber.pk],
    )
    log(f"addresses: {rows:,} rows in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    rows = _clone(
        PaymentMethod,
        template_pk=card.pk,
        source=others_of_template,
        overrides={"subscriber_id": "s.id", "gateway_method_id": "'pm_bench_' || s.id"},
        params=[subscriber.pk],
    )
    log(f"payment methods: {rows:,} rows in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    rows = _clone(
        Subscription,
        template_pk=template.pk,
        source=(
            f"{others_of_template} JOIN {_t(Address)} a ON a.subscriber_id = s.id "
            f"JOIN {_t(PaymentMethod)} p ON p.subscriber_id = s.id"
        ),
        overrides={"subscriber_id": "s.id", "address_id": "a.id", "payment_method_id": "p.id"},
        params=[subscriber.pk],
    )
    log(f"subscriptions: {rows:,} rows in {time.perf_counter() - step:.1f} s")
    total = Subscription.objects.filter(municipality=municipality, status="active").count()
    if total != n:
        raise SystemExit(f"seeding made {total} subscriptions, expected {n}")
    step = time.perf_counter()
    for model in (User, Subscriber, Address, PaymentMethod, Subscription):
        _execute(f"VACUUM ANALYZE {_t(model)}")
    log(f"VACUUM ANALYZE in {time.perf_counter() - step:.1f} s; seeding took {time.perf_counter() - started:.1f} s")
    return template.first_cycle_id


def _raw_select() -> str:
    """close.py's first statement, its SELECT part, with the same joins, filters and expressions."""
    from bundles.models import Bundle, Plan
    from subscriptions.models import Address, DeliveryCycle, PromoCode, SkippedCycle, Subscription

    covered = "(s.term_boxes > 1 AND s.prepaid_boxes_remaining > 0)"
    term_discount = "(CASE WHEN s.term_boxes > 1 THEN p.price_won * s.term_discount_bp / 10000 ELSE 0 END)"
    net_box = f"(p.price_won - {term_discount})"
    promo_per_box = f"""(CASE
        WHEN s.promo_code_id IS NULL THEN 0
        WHEN pc.kind = 'percent' THEN {net_box} * pc.amount / 10000
        WHEN pc.amount < {net_box} THEN pc.amount
        ELSE {net_box} END)"""
    boxes = f"(CASE WHEN {covered} THEN 0 ELSE s.term_boxes END)"
    promo_boxes = f"""(CASE
        WHEN s.promo_code_id IS NULL OR {covered} THEN 0
        WHEN s.promo_boxes_remaining IS NULL THEN s.term_boxes
        WHEN s.promo_boxes_remaining < s.term_boxes THEN s.promo_boxes_remaining
        ELSE s.term_boxes END)"""
    return f"""
    SELECT
        s.municipality_id, s.id, %s, s.subscriber_id, s.bundle_id, s.plan_id, b.name, s.cadence,
        p.price_won, {boxes}, {promo_boxes},
        {term_discount} * {boxes},
        {promo_per_box} * {promo_boxes},
        p.shipping_fee_won * {boxes},
        0,
        ({net_box} + p.shipping_fee_won) * {boxes} - {promo_per_box} * {promo_boxes},
        a.recipient, a.phone, a.postcode, a.road_address, a.jibun_address, a.detail, a.memo,
        CASE WHEN {covered} THEN 'paid' ELSE 'pending' END, 0, 0, '', '', %s
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
    """


ORDER_COLUMNS = (
    "municipality_id, subscription_id, cycle_id, subscriber_id, bundle_id, plan_id, bundle_name, cadence, "
    "box_price_won, boxes_charged, promo_boxes, term_discount_won, promo_discount_won, shipping_fee_won, "
    "shipping_support_won, amount_won, recipient, phone, postcode, road_address, jibun_address, "
    "address_detail, delivery_memo, status, attempts_count, refunded_won, failure_code, failure_message, "
    "created_at"
)


def _settle(select_sql: str, params: list) -> None:
    """Start each timing from the same state: dirty pages written out, the rows to read in the cache."""
    from django.db import DatabaseError

    # Only superusers (or pg_checkpoint members) may checkpoint; without it the timing is a little noisier.
    with contextlib.suppress(DatabaseError):
        _execute("CHECKPOINT")
    _execute(f"SELECT count(*) FROM ({select_sql}) AS warm", params)


def _gist(sql: str) -> str:
    """The first words of a statement, enough to tell which one it is."""
    return " ".join(sql.split())[:60] + "…"


def _reset(cycle_id: int) -> None:
    from subscriptions.models import DeliveryCycle, Order

    _execute(f"TRUNCATE {_t(Order)} CASCADE")
    _execute(f"TRUNCATE {_qn(RAW_TABLE)}")
    DeliveryCycle.objects.filter(pk=cycle_id).update(status=DeliveryCycle.Status.OPEN, closed_at=None)


def measure(n: int, cycle_id: int, rounds: int) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from subscriptions.billing.close import cycle_close
    from subscriptions.models import BoxContent, DeliveryCycle, Order

    cycle = DeliveryCycle.objects.get(pk=cycle_id)
    now = cycle.cutoff_at + timedelta(minutes=1)
    select_sql = _raw_select()
    params = [cycle.pk, now, cycle.municipality_id, cycle.cadence, cycle.ship_date, cycle.ship_date, cycle.pk]
    raw_sql = f"INSERT INTO {_qn(RAW_TABLE)} ({ORDER_COLUMNS}) {select_sql}"
    _execute(f"CREATE TABLE {_qn(RAW_TABLE)} (LIKE {_t(Order)} INCLUDING DEFAULTS INCLUDING IDENTITY)")

    project_rates: list[float] = []
    raw_rates: list[float] = []
    queries = 0
    for round_number in range(1, rounds + 1):
        if round_number > 1:
            _reset(cycle.pk)
        _settle(select_sql, params)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = cycle_close(cycle_id=cycle.pk, now=now)
            project_s = time.perf_counter() - started
        queries = len(captured.captured_queries)
        if result.orders != n or result.already_closed:
            raise SystemExit(f"cycle_close made {result.orders} orders (already closed: {result.already_closed})")
        contents = BoxContent.objects.filter(cycle_id=cycle.pk).count()

        _settle(select_sql, params)
        started = time.perf_counter()
        raw_rows = _execute(raw_sql, params)
        raw_s = time.perf_counter() - started
        if raw_rows != n:
            raise SystemExit(f"the raw INSERT … SELECT made {raw_rows} rows, expected {n}")

        differ = _execute(
            f"SELECT 1 FROM ((SELECT {ORDER_COLUMNS} FROM {_t(Order)} WHERE cycle_id = %s "
            f"EXCEPT ALL SELECT {ORDER_COLUMNS} FROM {_qn(RAW_TABLE)}) UNION ALL "
            f"(SELECT {ORDER_COLUMNS} FROM {_qn(RAW_TABLE)} "
            f"EXCEPT ALL SELECT {ORDER_COLUMNS} FROM {_t(Order)} WHERE cycle_id = %s)) AS d",
            [cycle.pk, cycle.pk],
        )
        same = "identical rows" if differ == 0 else f"WARNING: {differ} rows differ"
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:4]
        log("  slowest statements of cycle_close: " + "; ".join(f"{q['time']} s {_gist(q['sql'])}" for q in slowest))
        project_rates.append(n / project_s)
        raw_rates.append(n / raw_s)
        log(
            f"round {round_number}/{rounds}: project {project_s:.3f} s ({n / project_s:,.0f} orders/s, "
            f"{queries} queries, {contents} box content rows), raw {raw_s:.3f} s ({n / raw_s:,.0f} orders/s), "
            f"ratio {raw_s / project_s:.2f}, {same}"
        )

        # Not part of the JSON: the same raw statement into subscriptions_order itself (its indexes and
        # checks, committed), to tell the schema's cost from the rest of cycle close.
        _execute(f"TRUNCATE {_t(Order)} CASCADE")
        _settle(select_sql, params)
        started = time.perf_counter()
        with transaction.atomic():
            _execute(f"INSERT INTO {_t(Order)} ({ORDER_COLUMNS}) {select_sql}", params)
        schema_s = time.perf_counter() - started
        log(
            f"  for comparison: the raw statement into {Order._meta.db_table} itself (its indexes and checks, "
            f"committed) {schema_s:.3f} s ({n / schema_s:,.0f} orders/s)"
        )
    project_per_s = statistics.median(project_rates)
    raw_per_s = statistics.median(raw_rates)
    return {
        "n": n,
        "project_per_s": round(project_per_s, 1),
        "raw_per_s": round(raw_per_s, 1),
        "ratio": round(project_per_s / raw_per_s, 3),
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000, metavar="N", help="due subscriptions")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds; the median is reported")
    parser.add_argument("--items", type=int, default=3, help="products in the bundle")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help="PostgreSQL server; its database is used only to create and drop the scratch database",
    )
    args = parser.parse_args()
    if args.subscriptions < 1 or args.rounds < 1 or args.items < 1:
        parser.error("--subscriptions, --rounds and --items must be at least 1")

    env_defaults(REDIS_URL="")  # cycle close uses no cache, lock or queue: nothing is written to Redis
    sigterm_raises()
    log(f"cycle close benchmark: {args.subscriptions:,} subscriptions, {args.rounds} rounds")
    with scratch_database(args.database_url, f"kkureomi_bench_{os.getpid()}") as database_url:
        django_ready(database_url)
        cycle_id = seed(args.subscriptions, args.items)
        figures = measure(args.subscriptions, cycle_id, args.rounds)
    verdict = "meets" if figures["ratio"] >= 0.5 else "is below"
    log(f"project reaches {figures['ratio']:.0%} of the raw ceiling: {verdict} the goal of 50 %")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
