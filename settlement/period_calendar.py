"""Settlement periods: which period an instant belongs to, and which period a new posting goes into.

Periods are calendar months in the municipality's time zone (Asia/Seoul): [1st 00:00, next 1st 00:00).
They are made when first needed. Periods close in order, so every period after the last closed one is
open (or closing): an event that happened in a closed period goes into the first period after the last
closed one, as an adjustment.

A municipality set to settle "per cycle" (Municipality.SettlementPeriod.PER_CYCLE) is settled monthly
for now: its cycles of different cadences overlap, so per-cycle periods need a rule the issue leaves open.
"""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Max

from municipalities.models import Municipality
from settlement.models import SettlementPeriod


def _zone(municipality: Municipality) -> ZoneInfo:
    return ZoneInfo(municipality.timezone or "Asia/Seoul")


def month_bounds(municipality: Municipality, at: datetime) -> tuple[datetime, datetime, str]:
    """The month containing `at` in the municipality's zone: (start, end exclusive, label "YYYY-MM")."""
    local = at.astimezone(_zone(municipality))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end, f"{start:%Y-%m}"


def periods_for(municipality: Municipality, instants: Iterable[datetime]) -> dict[datetime, SettlementPeriod]:
    """The periods (made if missing) whose months contain `instants`, keyed by their start.
    Three queries at most, however many instants."""
    bounds = {}
    for at in instants:
        start, end, label = month_bounds(municipality, at)
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
    """The period whose month contains `at` (made if missing)."""
    start, _end, _label = month_bounds(municipality, at)
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
