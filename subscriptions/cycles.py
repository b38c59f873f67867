"""The delivery calendar: when each cadence ships, when changes close, when cards are charged.

Boxes ship on Thursdays (the logistics center packs Tuesday–Wednesday). Weekly ships every Thursday,
biweekly every other Thursday counted from 2026-01-01, monthly on the second Thursday of the month.
Changes close at 00:00 (Asia/Seoul) three days before shipping, i.e. at the start of Monday, and cards
are charged two hours after the cutoff.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from bundles.models import Cadence
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle

SHIP_WEEKDAY = 3  # Thursday
BIWEEKLY_ANCHOR = date(2026, 1, 1)  # a Thursday
CUTOFF_DAYS_BEFORE = 3
CHARGE_HOURS_AFTER_CUTOFF = 2
GENERATE_AHEAD_DAYS = 8 * 7 + 62  # eight weeks of weekly cycles and at least two monthly ones beyond


def _zone(municipality: Municipality) -> ZoneInfo:
    return ZoneInfo(municipality.timezone)


def ship_dates(cadence: str, start: date, end: date) -> list[date]:
    """Ship dates of `cadence` from `start` to `end`, both included."""
    first_thursday = start + timedelta(days=(SHIP_WEEKDAY - start.weekday()) % 7)
    ships = {
        Cadence.WEEKLY: lambda day: True,
        Cadence.BIWEEKLY: lambda day: (day - BIWEEKLY_ANCHOR).days % 14 == 0,
        Cadence.MONTHLY: lambda day: 8 <= day.day <= 14,  # the second Thursday
    }[Cadence(cadence)]
    thursdays = (first_thursday + timedelta(weeks=n) for n in range((end - first_thursday).days // 7 + 1))
    return [day for day in thursdays if ships(day)]


def cutoff_for(municipality: Municipality, ship_date: date) -> datetime:
    return cutoff_for_date(ship_date, zone=_zone(municipality))


SEOUL = ZoneInfo("Asia/Seoul")


def cutoff_for_date(ship_date: date, *, zone: ZoneInfo = SEOUL) -> datetime:
    return datetime.combine(ship_date - timedelta(days=CUTOFF_DAYS_BEFORE), time(0, 0), tzinfo=zone)


@transaction.atomic
def cycles_generate(*, municipality: Municipality, through: date | None = None) -> int:
    """Create the missing cycles of every cadence up to `through`. Safe to repeat: existing cycles
    (including ship dates staff moved) are left alone by the unique (municipality, cadence, ship_date)."""
    today = clock.now().astimezone(_zone(municipality)).date()
    through = through or today + timedelta(days=GENERATE_AHEAD_DAYS)
    cycles = []
    for cadence in Cadence.values:
        for ship_date in ship_dates(cadence, today, through):
            cutoff = cutoff_for(municipality, ship_date)
            cycles.append(
                DeliveryCycle(
                    municipality=municipality,
                    cadence=cadence,
                    ship_date=ship_date,
                    scheduled_for=ship_date,
                    cutoff_at=cutoff,
                    charge_at=cutoff + timedelta(hours=CHARGE_HOURS_AFTER_CUTOFF),
                )
            )
    existing = DeliveryCycle.objects.for_tenant(municipality).count()
    DeliveryCycle.objects.bulk_create(cycles, ignore_conflicts=True)
    return DeliveryCycle.objects.for_tenant(municipality).count() - existing


def next_open_cycle(*, municipality: Municipality, cadence: str, after: datetime | None = None) -> DeliveryCycle:
    """The next cycle of `cadence` whose cutoff has not passed at `after` (default: now)."""
    after = after or clock.now()
    cycles = DeliveryCycle.objects.for_tenant(municipality).filter(cadence=cadence, cutoff_at__gt=after)
    cycle = cycles.order_by("cutoff_at").first()
    if cycle is None:
        cycles_generate(municipality=municipality, through=after.date() + timedelta(days=GENERATE_AHEAD_DAYS))
        cycle = cycles.order_by("cutoff_at").first()
    return cycle


def cycle_after(cycle: DeliveryCycle) -> DeliveryCycle:
    return next_open_cycle(municipality=cycle.municipality, cadence=cycle.cadence, after=cycle.cutoff_at)


class ShipDateNotAllowed(Exception):
    """The ship date cannot be moved there; the message says why, for staff."""


@transaction.atomic
def cycle_move_ship_date(*, cycle: DeliveryCycle, ship_date: date) -> DeliveryCycle:
    """Move an open cycle's ship date (설날, 추석): its cutoff and charge time move with it."""
    locked = DeliveryCycle.objects.select_for_update().select_related("municipality").get(pk=cycle.pk)
    if locked.ship_date == ship_date:
        return locked
    cutoff = cutoff_for(locked.municipality, ship_date)
    if locked.status != DeliveryCycle.Status.OPEN or cutoff <= clock.now():
        raise ShipDateNotAllowed(_("변경 마감이 지난 회차의 발송일은 바꿀 수 없습니다."))
    # Another week's calendar date stays that week's, even if its cycle is not generated yet.
    other_week = ship_date != locked.scheduled_for and ship_date in ship_dates(locked.cadence, ship_date, ship_date)
    if (
        other_week
        or DeliveryCycle.objects.filter(municipality=locked.municipality, cadence=locked.cadence, ship_date=ship_date)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise ShipDateNotAllowed(_("같은 주기에 그날 발송하는 회차가 이미 있습니다."))
    locked.ship_date, locked.cutoff_at = ship_date, cutoff
    locked.charge_at = cutoff + timedelta(hours=CHARGE_HOURS_AFTER_CUTOFF)
    locked.save(update_fields=["ship_date", "cutoff_at", "charge_at"])
    return locked
