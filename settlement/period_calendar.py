"""Settlement periods: which period an instant belongs to, and which period a new posting goes into.

Monthly (the default): calendar months in the municipality's time zone (Asia/Seoul), [1st 00:00, next
1st 00:00), labelled "2026-11". Per cycle (Municipality.SettlementPeriod.PER_CYCLE): one period per weekly
delivery cycle. Every cadence ships on Thursdays and every cycle's changes close at Monday 00:00
(subscriptions.cycles), so a cycle's period is the week from the Monday 00:00 of its cutoff to the next,
holding that Monday's charge run; labelled "2026-11-16 회차". The setting is meant to be chosen before
the first period is made: periods of both kinds would overlap.

Periods are made when first needed. They close in order, so every period after the last closed one is
open (or closing): an event that happened in a closed period goes into the first period after the last
closed one, as an adjustment.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max

from municipalities.models import Municipality
from settlement.models import SettlementPeriod


def _zone(municipality: Municipality) -> ZoneInfo:
    return ZoneInfo(municipality.timezone or "Asia/Seoul")


def period_bounds(municipality: Municipality, at: datetime) -> tuple[datetime, datetime, str]:
    """The period containing `at`: (start, end exclusive, label), by the municipality's setting."""
    local = at.astimezone(_zone(municipality))
    if municipality.settlement_period == Municipality.SettlementPeriod.PER_CYCLE:
        start = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        return start, start + timedelta(days=7), f"{start:%Y-%m-%d} 회차"
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end, f"{start:%Y-%m}"


def periods_for(municipality: Municipality, instants: Iterable[datetime]) -> dict[datetime, SettlementPeriod]:
    """The periods (made if missing) that contain `instants`, keyed by their start.
    Three queries at most, however many instants."""
    bounds = {}
    for at in instants:
        start, end, label = period_bounds(municipality, at)
        bounds[start] = (end, label)
    if not bounds:
        return {}
    existing = {
        p.starts_at: p for p in SettlementPeriod.objects.for_tenant(municipality).filter(starts_at__in=list(bounds))
    }
    missing = [
        SettlementPeriod(municipality=municipality, label=label, starts_at=start, ends_at=end)
        for start, (end, label) in bounds.items()
        if start not in existing
    ]
    if missing:
        # Another process may make the same month at the same moment: the unique start keeps one.
        SettlementPeriod.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {
            p.starts_at: p for p in SettlementPeriod.objects.for_tenant(municipality).filter(starts_at__in=list(bounds))
        }
    return existing


def period_for(municipality: Municipality, at: datetime) -> SettlementPeriod:
    """The period that contains `at` (made if missing)."""
    start, _end, _label = period_bounds(municipality, at)
    return periods_for(municipality, [at])[start]


def closed_until(municipality: Municipality) -> datetime | None:
    """The end of the last closed period: nothing before it may be posted into its own period."""
    return (
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(status=SettlementPeriod.Status.CLOSED)
        .aggregate(end=Max("ends_at"))["end"]
    )


def posting_instant(occurred_at: datetime, closed_end: datetime | None) -> tuple[datetime, bool]:
    """Where an event is filed: its own time, or (when that period is closed) the start of the first open
    period, flagged late."""
    if closed_end is not None and occurred_at < closed_end:
        return closed_end, True
    return occurred_at, False
