# ruff: noqa: S608 - the SQL is assembled only from table and column names; every value is a parameter.
"""Benchmark: a month's settlement close and its statement PDFs against raw ceilings (issue 7, "Benchmark").

    .venv/bin/python bench/settlement_close.py [--merchants M] [--lines L] [--items K] [--pdfs P]
                                               [--rounds R] [--database-url URL]

What it does:
1. Creates a scratch PostgreSQL database `kkureomi_bench_settle_<pid>` on the server of `--database-url`
   (default postgres://postgres@127.0.0.1:5432/postgres; that database is used only for CREATE/DROP), migrates
   it, and always drops it at the end. PDFs go to a temporary MEDIA_ROOT, removed at the end.
2. Seeds L paid order lines for one month: L/K subscriptions (bench/cycle_close.py's set-based seeding), one
   real `cycle_close` making the orders, which are marked paid and given their K items each
   (`cycle_items_copy`, what paying an order does), then set-based SQL: M merchants with one product
   each (INSERT … SELECT generate_series), every order item re-pointed to one of them (alternately VAT-exempt
   and taxable), every order paid on a day of last month with its succeeded payment attempt.
3. Times the close as the project does it: `ledger_post_pending` up to the period's end (the postings),
   then `period_close` (which finds nothing left to post and issues the statements), counting the close's
   queries. The close runs R times (default 5); every run but the last is rolled back. Before each one,
   in the same cache state, it times the raw GROUP BY of the payable and commission lines per merchant (the
   aggregate a statement's totals come from). aggregate_ratio = median time of the close's statement-totals
   queries (per party kind a GROUP BY and the INSERT of the statements) / median raw aggregate time;
   statements_vs_aggregate = the last close's whole statements step (those, the copy of every line into its
   statement, locks, commit) / median raw aggregate time.
4. Renders the statement PDFs (the first P statements; default all) with the project's render-and-store
   function (`settlement.pdf.statements_pdf_render`, what each Celery task runs) in a pool of 1 and then 2
   processes, clearing the PDF fields in between; and one raw WeasyPrint render of a typical statement
   (its HTML made beforehand, no database, no storage; the median of 3). pdf_scaling = time(1) / time(2);
   pdf_vs_ideal = time(2) / (P × raw render / 2).
5. Runs the period's reconciliation (must be 0 won).

Output: progress lines, then as the LAST line one JSON object
    {"merchants", "lines", "queries", "aggregate_ratio", "pdf_scaling", "pdf_vs_ideal",
     "reconciliation_difference", ...timings}
Goals (printed, not asserted): statements with a fixed number of queries and at most 2× the raw aggregate;
PDFs scale ≥ 1.8× from 1 to 2 processes; pdf_vs_ideal ≤ 1.25. On a shared machine the PDF figures need both
cores free.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402
    DEFAULT_SERVER_URL,
    django_ready,
    env_defaults,
    log,
    scratch_database,
    sigterm_raises,
)


def _execute(sql: str, params: list | tuple = ()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _t(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def seed(*, merchants: int, lines: int, items: int):
    """Return (municipality, period) with `lines` paid order lines spread over `merchants` merchants."""
    from bench.cycle_close import seed as seed_subscriptions
    from bundles.models import Merchant, Product
    from municipalities.models import Municipality
    from settlement.period_calendar import period_bounds, period_for
    from subscriptions import clock
    from subscriptions.billing.close import cycle_close
    from subscriptions.billing.contents import cycle_items_copy
    from subscriptions.models import DeliveryCycle, Order, OrderItem, PaymentAttempt

    orders = max(1, lines // items)
    cycle_id = seed_subscriptions(orders, items)
    cycle = DeliveryCycle.objects.get(pk=cycle_id)
    step = time.perf_counter()
    cycle_close(cycle_id=cycle.pk, now=cycle.cutoff_at + timedelta(minutes=1))
    # Paid orders have their own item rows (copied from the cycle's box contents when they are paid).
    _execute(f"UPDATE {_t(Order)} SET status = 'paid' WHERE cycle_id = %s", [cycle.pk])
    cycle_items_copy(cycle)
    municipality = Municipality.objects.get(pk=cycle.municipality_id)
    made = OrderItem.objects.filter(order__cycle_id=cycle.pk).count()
    log(
        f"cycle close made {Order.objects.filter(cycle_id=cycle.pk).count():,} orders, {made:,} lines "
        f"in {time.perf_counter() - step:.1f} s"
    )

    step = time.perf_counter()
    template = Merchant.objects.get(municipality=municipality)
    columns = [f.column for f in Merchant._meta.concrete_fields if not f.primary_key]
    overrides = {
        "name": "'벤치 상점 ' || lpad(g.i::text, 5, '0')",
        # Unique per merchant; the check digit does not matter to the close.
        "business_registration_number": "'6' || lpad((g.i / 100000)::text, 2, '0') || '-87-' || lpad(g.i::text, 5, '0')",  # noqa: E501
    }
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    _execute(
        f"INSERT INTO {_t(Merchant)} ({', '.join(columns)}) SELECT {select} FROM {_t(Merchant)} t "
        f"CROSS JOIN generate_series(1, %s) AS g(i) WHERE t.id = %s",
        [merchants - 1, template.pk],
    )
    product = Product.objects.filter(merchant=template).order_by("pk").first()
    columns = [f.column for f in Product._meta.concrete_fields if not f.primary_key]
    overrides = {
        "merchant_id": "m.id",
        "sku": "'B-' || m.id",
        "name": "'벤치 상품 ' || m.id",
        "supply_price_won": "3000 + (m.id %% 20) * 250",
        "tax_type": "CASE WHEN m.id %% 2 = 0 THEN 'exempt' ELSE 'taxable' END",
    }
    select = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    _execute(
        f"INSERT INTO {_t(Product)} ({', '.join(columns)}) SELECT {select} FROM {_t(Product)} t "
        f"JOIN {_t(Merchant)} m ON m.municipality_id = t.municipality_id AND m.id <> %s WHERE t.id = %s",
        [template.pk, product.pk],
    )
    # One product per merchant: the first product of each (the template keeps its first). An order's lines are
    # numbered consecutively, so its K lines go to K different merchants (K ≤ M).
    _execute(
        f"""WITH p AS (
                SELECT DISTINCT ON (merchant_id) id, merchant_id, name, supply_price_won, tax_type
                FROM {_t(Product)} WHERE municipality_id = %s ORDER BY merchant_id, id),
            numbered AS (SELECT p.*, ROW_NUMBER() OVER (ORDER BY merchant_id) - 1 AS n FROM p),
            lines AS (SELECT id, ROW_NUMBER() OVER (ORDER BY order_id, id) - 1 AS n FROM {_t(OrderItem)}
                      WHERE municipality_id = %s)
            UPDATE {_t(OrderItem)} i SET merchant_id = x.merchant_id, product_id = x.id, product_name = x.name,
                supply_price_won = x.supply_price_won, tax_type = x.tax_type
            FROM lines l JOIN numbered x ON x.n = l.n %% %s
            WHERE i.id = l.id""",
        [municipality.pk, municipality.pk, merchants],
    )
    log(
        f"{merchants:,} merchants, one product each, order lines spread over them in {time.perf_counter() - step:.1f} s"
    )

    step = time.perf_counter()
    now = clock.now()
    last_month_start = period_bounds(municipality, period_bounds(municipality, now)[0] - timedelta(seconds=1))[0]
    _execute(
        f"""UPDATE {_t(Order)} SET status = 'paid', attempts_count = 1,
                paid_at = %s + make_interval(days => (id %% 27)::int, hours => 9 + (id %% 10)::int)
            WHERE cycle_id = %s""",
        [last_month_start, cycle.pk],
    )
    columns = [
        "municipality_id",
        "order_id",
        "number",
        "idempotency_key",
        "amount_won",
        "payment_method_id",
        "status",
        "payment_id",
        "decline_code",
        "message",
        "created_at",
        "finished_at",
    ]
    _execute(
        f"""INSERT INTO {_t(PaymentAttempt)} ({", ".join(columns)})
            SELECT o.municipality_id, o.id, 1, 'bench-' || o.id, o.amount_won, NULL, 'succeeded', 'pi_bench_' || o.id,
                   '', '', o.paid_at, o.paid_at
            FROM {_t(Order)} o WHERE o.cycle_id = %s""",
        [cycle.pk],
    )
    for model in (Merchant, Product, Order, OrderItem, PaymentAttempt):
        _execute(f"VACUUM ANALYZE {_t(model)}")
    log(f"orders paid last month with their payment attempts in {time.perf_counter() - step:.1f} s")
    return municipality, period_for(municipality, last_month_start + timedelta(days=1))


class _Rehearsal(Exception):
    """Raised inside a rehearsal close so its transaction rolls back."""


def _raw_aggregate(period) -> tuple[float, int]:
    """The raw GROUP BY of the payable and commission lines per merchant: (seconds, groups)."""
    from django.db import connection

    from settlement.models import Account, PostingLine

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT merchant_id, SUM(-amount_won), COUNT(*) FROM {_t(PostingLine)}
                WHERE period_id = %s AND account IN (%s, %s) AND merchant_id IS NOT NULL
                GROUP BY merchant_id""",
            [period.pk, Account.MERCHANT_PAYABLE, Account.COMMISSION],
        )
        groups = len(cursor.fetchall())
    return time.perf_counter() - started, groups


def measure_close(municipality, period, rounds: int) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from settlement.ledger import ledger_post_pending
    from settlement.models import PostingLine, SettlementPeriod, Statement
    from settlement.periods import period_close
    from settlement.statements import TOTALS_TAG

    _execute("CHECKPOINT")
    started = time.perf_counter()
    posted = ledger_post_pending(municipality=municipality, until=period.ends_at)
    postings_s = time.perf_counter() - started
    log(f"postings: {posted:,} in {postings_s:.2f} s")
    _execute(f"VACUUM ANALYZE {_t(PostingLine)}")
    _execute("CHECKPOINT")

    # Both sides are timed alike: each round runs the raw aggregate, then the close, in the same cache state;
    # every round but the last rolls its close back. The medians are compared.
    raw_times, totals_times = [], []
    for round_number in range(1, rounds + 1):
        raw_s, groups = _raw_aggregate(period)
        raw_times.append(raw_s)
        last = round_number == rounds
        closing = SettlementPeriod.objects.get(pk=period.pk)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    result = period_close(period=closing, acting_user=None)
                    if not last:
                        raise _Rehearsal
            except _Rehearsal:
                pass
            statements_s = time.perf_counter() - started
        # The statements' totals are computed per party kind by one GROUP BY and one INSERT of the statements
        # (settlement.statements, tagged TOTALS_TAG); the rest of the step copies every payable line into its
        # statement and locks and marks the period.
        totals_s = sum(float(query["time"]) for query in queries.captured_queries if TOTALS_TAG in query["sql"])
        totals_times.append(totals_s)
        log(
            f"round {round_number}/{rounds}{'' if last else ' (rolled back)'}: raw GROUP BY {raw_s * 1000:.1f} ms "
            f"({groups:,} groups); close {result.statements:,} statements in {statements_s:.2f} s, "
            f"{len(queries)} queries, of which the statement totals (GROUP BY … INSERT) {totals_s * 1000:.1f} ms"
        )
    raw_s, totals_s = statistics.median(raw_times), statistics.median(totals_times)
    lines = Statement.objects.filter(period=period).values_list("line_count", flat=True)
    return {
        "postings_s": round(postings_s, 3),
        "statements_s": round(statements_s, 3),
        "close_s": round(postings_s + statements_s, 3),
        "queries": len(queries),
        "statement_totals_s": round(totals_s, 4),
        "raw_aggregate_s": round(raw_s, 4),
        "aggregate_ratio": round(totals_s / raw_s, 2) if raw_s else None,
        "statements_vs_aggregate": round(statements_s / raw_s, 2) if raw_s else None,
        "statements": result.statements,
        "statement_lines": sum(lines),
    }


def _pool_init() -> None:
    # A forked child must not share the parent's database connection.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.inc_thread_sharing()
        connection.close()


def _render_chunk(ids: list[int]) -> int:
    from settlement.pdf import statements_pdf_render

    return statements_pdf_render(statement_ids=ids)


def _render_all(ids: list[int], processes: int) -> float:
    from django.db import connections

    from settlement.models import Statement

    Statement.objects.filter(pk__in=ids).update(pdf="", pdf_sha256="", pdf_rendered_at=None)
    connections.close_all()
    chunk = max(1, min(25, len(ids) // (processes * 4) or 1))
    chunks = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("fork"), initializer=_pool_init) as pool:
        rendered = sum(pool.map(_render_chunk, chunks))
    elapsed = time.perf_counter() - started
    if rendered != len(ids):
        raise SystemExit(f"rendered {rendered} of {len(ids)} statements")
    return elapsed


def measure_pdfs(period, count: int | None) -> dict:
    from settlement.models import Statement
    from settlement.pdf import html_to_pdf, statement_pdf_html

    ids = list(Statement.objects.filter(period=period).order_by("number").values_list("pk", flat=True))
    ids = ids[:count] if count else ids
    typical = Statement.objects.select_related("period", "municipality").get(pk=ids[len(ids) // 2])
    html = statement_pdf_html(typical)
    raw = []
    for _round in range(3):
        started = time.perf_counter()
        html_to_pdf(html, identifier="bench")
        raw.append(time.perf_counter() - started)
    raw_s = statistics.median(raw)
    log(f"raw WeasyPrint render of one statement ({typical.line_count} lines): {raw_s:.3f} s (median of 3)")
    one = _render_all(ids, 1)
    log(f"{len(ids):,} PDFs with 1 process: {one:.1f} s")
    two = _render_all(ids, 2)
    log(f"{len(ids):,} PDFs with 2 processes: {two:.1f} s")
    ideal = len(ids) * raw_s / 2
    return {
        "pdfs": len(ids),
        "raw_render_s": round(raw_s, 4),
        "pdf_1_process_s": round(one, 2),
        "pdf_2_processes_s": round(two, 2),
        "pdf_scaling": round(one / two, 2),
        "pdf_vs_ideal": round(two / ideal, 2) if ideal else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merchants", type=int, default=1_000, metavar="M")
    parser.add_argument("--lines", type=int, default=100_000, metavar="L", help="paid order lines in the month")
    parser.add_argument("--items", type=int, default=4, metavar="K", help="lines per order")
    parser.add_argument("--pdfs", type=int, default=0, metavar="P", help="statements to render (0: all)")
    parser.add_argument("--rounds", type=int, default=5, help="timed closes (all but the last rolled back)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help="PostgreSQL server; its database is used only to create and drop the scratch database",
    )
    args = parser.parse_args()
    if (
        args.merchants < max(2, args.items)
        or args.lines < args.items
        or args.items < 1
        or args.pdfs < 0
        or args.rounds < 1
    ):
        parser.error("--merchants ≥ max(2, --items), --items ≥ 1, --lines ≥ --items, --pdfs ≥ 0, --rounds ≥ 1")

    media = tempfile.mkdtemp(prefix="kkureomi-bench-media-")
    env_defaults(REDIS_URL="", MEDIA_ROOT=media)
    sigterm_raises()
    log(f"settlement close benchmark: {args.merchants:,} merchants, {args.lines:,} order lines")
    try:
        with scratch_database(args.database_url, f"kkureomi_bench_settle_{os.getpid()}") as database_url:
            django_ready(database_url)
            from settlement.reconciliation import period_reconcile

            municipality, period = seed(merchants=args.merchants, lines=args.lines, items=args.items)
            close = measure_close(municipality, period, args.rounds)
            pdfs = measure_pdfs(period, args.pdfs or None)
            difference = period_reconcile(period=period).difference_won
            log(f"reconciliation difference: {difference} won")
    finally:
        shutil.rmtree(media, ignore_errors=True)
    figures = {
        "merchants": args.merchants,
        "lines": args.lines,
        "queries": close["queries"],
        "aggregate_ratio": close["aggregate_ratio"],
        "pdf_scaling": pdfs["pdf_scaling"],
        "pdf_vs_ideal": pdfs["pdf_vs_ideal"],
        "reconciliation_difference": difference,
        **{key: value for key, value in close.items() if key not in ("queries", "aggregate_ratio")},
        **{key: value for key, value in pdfs.items() if key not in ("pdf_scaling", "pdf_vs_ideal")},
    }
    goals = [
        f"aggregate {figures['aggregate_ratio']}× (goal ≤ 2)",
        f"PDF scaling {figures['pdf_scaling']}× (goal ≥ 1.8)",
        f"PDF vs ideal {figures['pdf_vs_ideal']} (goal ≤ 1.25)",
        f"reconciliation {difference} won (must be 0)",
    ]
    log("; ".join(goals))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
