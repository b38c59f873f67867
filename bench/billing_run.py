"""Benchmark: charging closed orders off-session with W worker processes against localstripe (issue 5).

    .venv/bin/python bench/billing_run.py [--orders N] [--workers W [W ...]] [--limit-per-s L]
                                          [--database-url URL] [--redis-url URL]

What it does:
1. Starts localstripe on a free loopback port in its own process (`python -m demo.localstripe_server`, data in
   memory), creates a scratch PostgreSQL database `kkureomi_bench_<pid>` on the server of `--database-url`
   (default postgres://postgres@127.0.0.1:5432/postgres; that URL's own database is used only for CREATE and
   DROP DATABASE) and migrates it. Redis is `--redis-url` (default redis://127.0.0.1:6379/9); the shared rate
   limiter (subscriptions/billing/ratelimit.py) counts there, at `--limit-per-s` calls/s (default: the
   setting PAYMENT_RATE_LIMIT_PER_S, 25).
2. For each worker count W (default: 1, then 2), in a municipality of its own: one subscriber, address and
   card saved through the real services and localstripe (SetupIntent confirmed as Stripe.js would), N weekly
   subscriptions through `subscription_create` sharing them, the cycle closed with `cycle_close`, and the
   N order ids taken from `orders_due_for_charge` at the cycle's charge time.
3. W processes (multiprocessing, spawn) each run `django.setup()` with the same environment, wait on a
   barrier, then call `order_charge` for EVERY order id, all in the same order: every order is contended by
   all W workers, which exercises the no-double-charge guarantee while measuring throughput.
   charges/s = orders paid / (last worker's end - first worker's start).
4. Checks: double charges = orders with more than one succeeded PaymentIntent in localstripe (all intents
   listed and grouped by their metadata ref `order-<id>-attempt-<n>`); missed charges = orders not PAID.
   Both must be 0.
5. Cleans up whatever happened: stops the workers and localstripe, drops the scratch database, and deletes
   the Redis keys the run made (the limiter's `ratelimit:<name>:<second>` keys of the seconds it ran, and
   the cache keys under this run's own CACHE_KEY_PREFIX); nothing else in that Redis database is touched.

Output: one progress line per W, then as the LAST line one JSON object. The per-run figures are lists in the
order of "workers"; the two counts are totals over all runs:
    {"n": N, "workers": [1, 2], "charges_per_s": [x1, x2], "limit_per_s": L, "ratio_to_limit": [x1/L, x2/L],
     "double_charges": 0, "missed_charges": 0}
The goal: no double and no missed charge, and with enough workers a throughput close to the limit (the
limit, not the workers, should be what bounds a billing run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._support import (  # noqa: E402
    DEFAULT_SERVER_URL,
    REPO,
    django_ready,
    env_defaults,
    log,
    scratch_database,
    seed_catalog,
    sigterm_raises,
)

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
VISA = "4242424242424242"


# --- localstripe and Redis ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localstripe_start(log_file: Path) -> tuple[str, subprocess.Popen]:
    """localstripe in its own process on 127.0.0.1 (data in memory); returns its base URL once it answers."""
    port = _free_port()
    with log_file.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our interpreter and module, fixed arguments
            [sys.executable, "-m", "demo.localstripe_server", "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"localstripe exited ({process.returncode}): {log_file.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return f"http://127.0.0.1:{port}", process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("localstripe did not start within 30 s")


def localstripe_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def redis_keys_delete(redis_url: str, *, cache_prefix: str, since: float) -> int:
    """Delete this run's keys: the cache's (under its own prefix) and the limiter's one-second windows since
    `since` (they expire after 2 s anyway; a key of another user of the same database and second goes too)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    ours = list(client.scan_iter(match=f"{cache_prefix}:*", count=1000))
    for key in client.scan_iter(match="ratelimit:*", count=1000):
        window = key.rsplit(b":", 1)[-1]
        if window.isdigit() and int(since) - 1 <= int(window) <= time.time() + 1:
            ours.append(key)
    return client.delete(*ours) if ours else 0


# --- One run: N closed orders, W workers ----------------------------------------------------------------------
def orders_prepare(run: int, n: int) -> tuple[list[int], datetime]:
    """N closed orders of one cycle in a municipality of their own, due at the returned time."""
    import stripe
    from django.conf import settings

    from accounts.services import user_signup
    from subscriptions.billing.charging import orders_due_for_charge
    from subscriptions.billing.close import cycle_close
    from subscriptions.gateways.stripe_gateway import StripeGateway
    from subscriptions.models import DeliveryCycle
    from subscriptions.services import (
        address_add,
        card_save,
        card_setup_start,
        subscriber_ensure,
        subscription_create,
    )

    started = time.perf_counter()
    gateway = StripeGateway()
    catalog = seed_catalog(slug=f"bench{run}", name=f"벤치{run}군", seed=10 + run)
    user = user_signup(email=f"bench-run{run}@bench.example.kr", name="김벤치", password=None, phone="010-1234-5678")
    subscriber = subscriber_ensure(municipality=catalog.municipality, user=user, name=user.name, phone=user.phone)
    address = address_add(
        subscriber=subscriber,
        recipient=user.name,
        phone=user.phone,
        postcode="52302",
        road_address="경상남도 하동군 하동읍 군청로 23",
        detail="101동 202호",
    )
    session = card_setup_start(subscriber=subscriber, gateway=gateway)
    # What Stripe.js does in the browser: create the card and confirm the SetupIntent with it.
    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": VISA, "exp_month": 12, "exp_year": 2031, "cvc": "123"}}
    )
    client.v1.setup_intents.confirm(session.setup_id, params={"payment_method": method.id})
    card = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=gateway)
    cycle_ids = {
        subscription_create(
            subscriber=subscriber,
            plan=catalog.plan,
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=user,
        ).first_cycle_id
        for _ in range(n)
    }
    if len(cycle_ids) != 1:
        raise SystemExit(f"the subscriptions start in different cycles {sorted(cycle_ids)}: run again")
    cycle = DeliveryCycle.objects.get(pk=cycle_ids.pop())
    cycle_close(cycle_id=cycle.pk, now=cycle.cutoff_at + timedelta(minutes=1))
    due_at = cycle.charge_at + timedelta(minutes=1)
    order_ids = orders_due_for_charge(cycle_id=cycle.pk, now=due_at)
    if len(order_ids) != n:
        raise SystemExit(f"{len(order_ids)} orders are due, expected {n}")
    log(f"run {run}: {n} closed orders ready (card {card.gateway_method_id}) in {time.perf_counter() - started:.1f} s")
    return order_ids, due_at


def worker(index: int, order_ids: list[int], now_iso: str, barrier: Any, results: Any) -> None:
    """One billing worker process: its own Django, database connection and gateway client."""
    import django

    django.setup()
    from django.db import connection, connections

    from subscriptions.billing import ratelimit
    from subscriptions.billing.charging import order_charge
    from subscriptions.gateways.stripe_gateway import StripeGateway

    class CountingGateway(StripeGateway):
        charges = 0

        def charge(self, **kwargs: Any):
            self.charges += 1
            return super().charge(**kwargs)

    gateway = CountingGateway()
    now = datetime.fromisoformat(now_iso)
    connection.ensure_connection()
    client = ratelimit._client()
    if client is not None:
        client.ping()
    errors: Counter[str] = Counter()
    barrier.wait(timeout=120)
    started = time.monotonic()
    for order_id in order_ids:
        try:
            order_charge(order_id=order_id, gateway=gateway, now=now)
        except Exception as error:  # counted and reported; the run goes on
            errors[f"{type(error).__name__}: {str(error)[:80]}"] += 1
    ended = time.monotonic()
    connections.close_all()
    results.put({"index": index, "started": started, "ended": ended, "charges": gateway.charges, "errors": errors})


def charge_with_workers(order_ids: list[int], due_at: datetime, workers: int) -> dict:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(workers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=worker, args=(i, order_ids, due_at.isoformat(), barrier, results), daemon=True)
        for i in range(workers)
    ]
    try:
        for process in processes:
            process.start()
        barrier.wait(timeout=120)  # every worker is set up: the clock starts now
        reports = [results.get(timeout=120 + 10 * len(order_ids)) for _ in processes]
        for process in processes:
            process.join(timeout=30)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
    elapsed = max(r["ended"] for r in reports) - min(r["started"] for r in reports)
    errors: Counter[str] = Counter()
    for report in reports:
        errors.update(report["errors"])
    return {
        "elapsed": elapsed,
        "charges_per_worker": [r["charges"] for r in sorted(reports, key=lambda r: r["index"])],
        "errors": dict(errors),
    }


def charges_count(order_ids: list[int]) -> tuple[int, int, int]:
    """(double charges, missed charges, PaymentIntents made) for these orders, from localstripe and the DB."""
    import stripe
    from django.conf import settings

    from subscriptions.models import Order

    client = stripe.StripeClient(api_key=settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})
    wanted = {str(pk) for pk in order_ids}
    succeeded: Counter[str] = Counter()
    intents = 0
    for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter():
        ref = intent.metadata["ref"] if "ref" in intent.metadata else ""  # noqa: SIM401 - StripeObject: no .get()
        parts = ref.split("-")  # order-<id>-attempt-<n>
        if len(parts) < 2 or parts[0] != "order" or parts[1] not in wanted:
            continue
        intents += 1
        if intent.status == "succeeded":
            succeeded[parts[1]] += 1
    doubles = sum(1 for count in succeeded.values() if count > 1)
    paid = Order.objects.filter(pk__in=order_ids, status=Order.Status.PAID).count()
    return doubles, len(order_ids) - paid, intents


# --- Main -------------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200, metavar="N", help="orders charged in each run")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], metavar="W", help="worker counts, one run each"
    )
    parser.add_argument("--limit-per-s", type=int, help="shared rate limit (default: PAYMENT_RATE_LIMIT_PER_S, 25)")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help="PostgreSQL server; its database is used only to create and drop the scratch database",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="Redis database for the shared limiter")
    args = parser.parse_args()
    if args.orders < 1 or min(args.workers) < 1 or (args.limit_per_s is not None and args.limit_per_s < 1):
        parser.error("--orders, --workers and --limit-per-s must be at least 1")

    import redis

    try:
        keys_before = redis.Redis.from_url(args.redis_url, socket_connect_timeout=3).dbsize()
    except (redis.RedisError, OSError) as error:
        raise SystemExit(f"Redis is not reachable at {args.redis_url}: {error}") from error
    cache_prefix = f"kkureomi-bench-{os.getpid()}"
    started_at = time.time()
    env_defaults(REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=cache_prefix)
    if args.limit_per_s is not None:
        os.environ["PAYMENT_RATE_LIMIT_PER_S"] = str(args.limit_per_s)
    sigterm_raises()
    if keys_before:
        log(f"note: {args.redis_url} already holds {keys_before} keys; another user of it shares the limiter")

    log(f"billing run benchmark: {args.orders} orders, workers {args.workers}")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kkureomi-bench-") as tmp:
        base_url, localstripe = localstripe_start(Path(tmp) / "localstripe.log")
        os.environ["STRIPE_API_BASE"] = base_url
        log(f"localstripe on {base_url} (pid {localstripe.pid})")
        try:
            with scratch_database(args.database_url, f"kkureomi_bench_{os.getpid()}") as database_url:
                django_ready(database_url)
                from django.conf import settings

                limit = settings.PAYMENT_RATE_LIMIT_PER_S
                rates: list[float] = []
                doubles_total = missed_total = 0
                for run, workers in enumerate(args.workers, start=1):
                    order_ids, due_at = orders_prepare(run, args.orders)
                    outcome = charge_with_workers(order_ids, due_at, workers)
                    doubles, missed, intents = charges_count(order_ids)
                    rate = (args.orders - missed) / outcome["elapsed"]
                    rates.append(rate)
                    doubles_total += doubles
                    missed_total += missed
                    log(
                        f"W={workers}: {args.orders - missed}/{args.orders} orders paid in {outcome['elapsed']:.2f} s "
                        f"= {rate:.1f} charges/s ({rate / limit:.0%} of the {limit}/s limit); gateway calls per "
                        f"worker {outcome['charges_per_worker']}, {intents} PaymentIntents; double charges "
                        f"{doubles}, missed {missed}; errors {outcome['errors'] or 'none'}"
                    )
                figures = {
                    "n": args.orders,
                    "workers": args.workers,
                    "charges_per_s": [round(r, 2) for r in rates],
                    "limit_per_s": limit,
                    "ratio_to_limit": [round(r / limit, 3) for r in rates],
                    "double_charges": doubles_total,
                    "missed_charges": missed_total,
                }
        finally:
            localstripe_stop(localstripe)
            log("localstripe stopped")
            deleted = redis_keys_delete(args.redis_url, cache_prefix=cache_prefix, since=started_at)
            log(f"deleted {deleted} Redis keys of this run")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
