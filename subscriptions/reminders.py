# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""The reminder before a cycle's cutoff: "skip or change before …", once per subscription and cycle.

Who is reminded follows the rule of cycle_close (billing/close.py) and demand_forecast
(delivery/picking.py): a subscription that will get an order at this cutoff unless it changes something
(active, or paused until before the ship date; first cycle not later; this cycle not skipped).
"""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.urls import reverse

from accounts.models import User
from bundles.models import Bundle
from municipalities.models import Municipality
from notifications.services import Recipient, notify_many
from subscriptions import clock
from subscriptions.models import DeliveryCycle, SkippedCycle, Subscriber, Subscription
from subscriptions.views.checkout import day_text, moment_text

# How long before the cutoff the reminder goes out (the daily task catches each cutoff once in it).
REMIND_WITHIN = timedelta(hours=48)


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def cycle_reminders_send(*, now: datetime | None = None) -> int:
    """Remind every due subscriber of every open cycle whose cutoff falls within the next 48 hours.

    One query selects them all; then two per municipality (notify_many). Safe to repeat: the event key
    f"cycle-{cycle}-reminder-{subscription}" makes a second run (or the next day's) send nothing.
    Returns the number of subscriptions considered."""
    now = now or clock.now()
    sql = f"""
    SELECT c.municipality_id, c.id, c.cutoff_at, c.ship_date, s.id, b.name, r.user_id, r.name, r.phone, u.email
    FROM {_t(DeliveryCycle)} c
    JOIN {_t(Subscription)} s ON s.municipality_id = c.municipality_id AND s.cadence = c.cadence
    JOIN {_t(DeliveryCycle)} fc ON fc.id = s.first_cycle_id
    JOIN {_t(Bundle)} b ON b.id = s.bundle_id
    JOIN {_t(Subscriber)} r ON r.id = s.subscriber_id
    JOIN {_t(User)} u ON u.id = r.user_id
    WHERE c.status = %s AND c.cutoff_at > %s AND c.cutoff_at <= %s
      AND (s.status = 'active' OR (s.status = 'paused' AND s.paused_until IS NOT NULL AND s.paused_until < c.ship_date))
      AND fc.ship_date <= c.ship_date
      AND NOT EXISTS (SELECT 1 FROM {_t(SkippedCycle)} k WHERE k.subscription_id = s.id AND k.cycle_id = c.id)
    ORDER BY c.municipality_id, c.id, s.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [DeliveryCycle.Status.OPEN, now, now + REMIND_WITHIN])
        rows = cursor.fetchall()
    by_municipality: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_municipality[row[0]].append(row)
    for municipality in Municipality.objects.filter(pk__in=by_municipality):
        today = now.astimezone(ZoneInfo(municipality.timezone)).date()
        messages = []
        for _, cycle_id, cutoff_at, ship_date, sub_id, bundle, user_id, name, phone, email in by_municipality[
            municipality.pk
        ]:
            path = reverse(
                "subscriptions:my-detail",
                kwargs={"municipality_slug": municipality.slug, "subscription_id": sub_id},
            )
            messages.append(
                (
                    Recipient(user_id=user_id, name=name, email=email, phone=phone),
                    f"cycle-{cycle_id}-reminder-{sub_id}",
                    {
                        "bundle": bundle,
                        "cutoff": moment_text(cutoff_at, municipality=municipality, today=today),
                        "ship_date": day_text(ship_date, today=today),
                    },
                    f"{settings.SITE_URL}{path}",
                )
            )
        notify_many(municipality=municipality, kind="cycle_reminder", messages=messages)
    return len(rows)
