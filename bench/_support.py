"""What both benchmarks share: environment defaults, a scratch PostgreSQL database that is always dropped,
and a small catalog (one municipality, one published bundle with a weekly plan) made through the real services.

Nothing here imports Django at module level: the environment must be set before `django.setup()`.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from bundles.models import Plan
    from municipalities.models import Municipality

REPO = Path(__file__).resolve().parent.parent
_STARTED = time.monotonic()
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def log(message: str) -> None:
    """A progress line (the last line of a benchmark's output is its JSON, printed separately)."""
    print(f"[{time.monotonic() - _STARTED:7.1f}s] {message}", flush=True)


def env_defaults(**values: str) -> None:
    """Production-like settings for a benchmark run: DEBUG off (no query log kept), a generated SECRET_KEY,
    no HTTPS redirect, mail kept in memory (the console backend would print every notice), no Celery
    broker (nothing is queued), and `values` on top."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"
    if len(os.environ.get("SECRET_KEY", "")) < 50:
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(64)
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(values)
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def sigterm_raises() -> None:
    """Turn SIGTERM into SystemExit so that `finally` blocks (dropping the scratch database) still run."""

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def database_url_for(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _maintenance_connection(server_url: str):
    import dj_database_url
    import psycopg2

    db = dj_database_url.parse(server_url)
    if "postgresql" not in db["ENGINE"]:
        raise SystemExit(f"--database-url must point at a PostgreSQL server, not {db['ENGINE']}")
    conn = psycopg2.connect(
        dbname=db["NAME"] or "postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        connect_timeout=5,
    )
    conn.autocommit = True
    return conn


@contextmanager
def scratch_database(server_url: str, name: str) -> Iterator[str]:
    """Create database `name` on the server of `server_url` (whose database is used only to run CREATE and
    DROP), yield its URL, and drop it afterwards whatever happened, ending its connections first."""
    from psycopg2 import sql

    maintenance = _maintenance_connection(server_url)
    with maintenance.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    log(f"created scratch database {name}")
    try:
        yield database_url_for(server_url, name)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with maintenance.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        maintenance.close()
        log(f"dropped scratch database {name}")


def django_ready(database_url: str) -> None:
    """Point Django at `database_url`, set it up and migrate (quietly)."""
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - started:.1f} s")


def business_number(seed: int) -> str:
    """A business registration number with a valid check digit, different for each seed."""
    from core.validators import format_business_number, is_valid_business_number

    base = f"{600 + seed % 300:03d}87{seed % 10000:04d}"
    check = next(d for d in range(10) if is_valid_business_number(f"{base}{d}"))
    return format_business_number(f"{base}{check}")


@dataclass(frozen=True)
class Catalog:
    municipality: Municipality
    plan: Plan


def seed_catalog(*, slug: str, name: str, seed: int, items: int = 3, price_won: int = 39_000) -> Catalog:
    """One municipality with one published bundle of `items` products and a weekly plan, made through the
    catalog's services, and its delivery cycles generated. The hero image is only a path: the publishing
    rule wants one, and no file is read here."""
    from bundles import services
    from bundles.models import Bundle, Category, Plan, StorageClass, TaxType
    from municipalities.services import municipality_create
    from subscriptions import cycles

    municipality = municipality_create(
        slug=slug,
        name=name,
        mall_name=f"{name} 꾸러미몰",
        region_code="48850",
        contact_email="bench@example.go.kr",
        contact_phone="055-880-2114",
        address="경상남도 하동군 하동읍 군청로 23",
        business_registration_number=business_number(seed * 2),
    )
    merchant = services.merchant_create(
        municipality=municipality,
        name="벤치 농원",
        representative="김농부",
        business_registration_number=business_number(seed * 2 + 1),
        phone="055-883-1234",
        address="경상남도 하동군 화개면 쌍계로 12",
        category=Category.PRODUCE,
    )
    bundle = services.bundle_create(
        municipality=municipality,
        acting_user=None,
        name="벤치 꾸러미",
        summary="벤치마크용 꾸러미",
        category=Category.PRODUCE,
    )
    Bundle.objects.filter(pk=bundle.pk).update(hero_image="bundles/bench.jpg")
    for index in range(items):
        product = services.product_create(
            merchant=merchant,
            sku=f"BENCH-{index}",
            name=f"벤치 상품 {index + 1}",
            unit="1kg",
            category=Category.PRODUCE,
            storage_class=StorageClass.AMBIENT,
            supply_price_won=5_000 + 1_000 * index,
            tax_type=TaxType.EXEMPT,
            stock_per_cycle=1_000_000,
        )
        services.bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    plan = services.plan_set(
        bundle=bundle, cadence="weekly", acting_user=None, price_won=price_won, shipping_fee_won=3_000
    )
    services.bundle_publish(bundle=bundle, acting_user=None)
    cycles.cycles_generate(municipality=municipality)
    return Catalog(municipality, Plan.objects.select_related("bundle").get(pk=plan.pk))
