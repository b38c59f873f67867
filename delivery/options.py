"""Delivery options: the municipality's settings (local area, methods, pickup points, cold-chain days and
holidays) and the subscriber's choice of method for a subscription.

The local area is typed by staff in two boxes, one entry per line (commas also separate):
- postcodes: a 5-digit postcode (`52305`) or an inclusive range (`52300-52399`, `52300~52399`);
- 읍·면·동: a name ending in 읍, 면, 동, 가 or 리 (`하동읍`, `악양면`, `종로1가`), matched as a whole word in
  the road or jibun address (a 동 of a road address stands in brackets: `… 세종대로 209 (세종로)`).
An address is in the area when its postcode falls in a range or its address names one of the places.

Cold-chain days: a cold box (냉장·냉동) may leave on a day whose weekday the municipality allows (Monday
to Thursday by default) and that is neither a holiday nor the eve of one — a box shipped then would sit in
a courier hub over the weekend or the holiday. A cold box whose cycle ships on a day that is not allowed
leaves on the first allowed day AFTER it, never before: the merchants bring the goods to the logistics
center for the cycle's ship date, so an earlier day would ship boxes whose goods are not there yet, while
the center's cold room can keep them a few days.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from bundles.models import StorageClass
from delivery.models import DeliveryHoliday, DeliveryPreference, DeliverySettings, PickupPoint, Shipment
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle, Subscription

Method = Shipment.Method

WEEKDAY_LABELS = [
    gettext_lazy("월"),
    gettext_lazy("화"),
    gettext_lazy("수"),
    gettext_lazy("목"),
    gettext_lazy("금"),
    gettext_lazy("토"),
    gettext_lazy("일"),
]
# How far ahead a cold box may be pushed looking for an allowed day; beyond it the box keeps its date
# (settings always allow at least one weekday, so only a wall of holidays can get here).
COLD_SEARCH_DAYS = 60

_POSTCODE = re.compile(r"^\d{5}$")
_RANGE = re.compile(r"^(\d{5})\s*[-~–]\s*(\d{5})$")
_AREA_NAME = re.compile(r"^[가-힣0-9]{1,19}[읍면동가리]$")
# Brackets and commas of an address become spaces so that `(세종로)` is the word `세종로`.
_ADDRESS_PUNCTUATION = str.maketrans({"(": " ", ")": " ", ",": " "})
MAX_AREA_ENTRIES = 200


class DeliveryChoiceNotAllowed(Exception):
    """A subscriber's choice the municipality does not allow; the message is Korean and for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Reading the settings ------------------------------------------------------------------------------------
def settings_for(*, municipality: Municipality) -> DeliverySettings:
    """The municipality's settings, made with the defaults the first time they are asked for."""
    found = DeliverySettings.objects.filter(municipality_id=municipality.pk).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DeliverySettings.objects.create(municipality_id=municipality.pk)
    except IntegrityError:  # made by a concurrent request in between
        return DeliverySettings.objects.get(municipality_id=municipality.pk)


def settings_peek(*, municipality_id: int) -> DeliverySettings:
    """The settings, or unsaved defaults when staff never saved any (for readers that must not write)."""
    found = DeliverySettings.objects.filter(municipality_id=municipality_id).first()
    return found or DeliverySettings(municipality_id=municipality_id)


def active_pickup_points(*, municipality: Municipality):
    return PickupPoint.objects.for_tenant(municipality).filter(is_active=True).order_by("name")


def allowed_methods(settings: DeliverySettings, *, has_pickup_points: bool) -> list[str]:
    """The methods a subscriber may choose now: courier always; local with an area; pickup with a point."""
    methods = [Method.COURIER]
    if settings.allow_local and settings.has_local_area:
        methods.append(Method.LOCAL)
    if settings.allow_pickup and has_pickup_points:
        methods.append(Method.PICKUP)
    return methods


# --- The local area ------------------------------------------------------------------------------------------
def _entries(text: str) -> list[tuple[int, str]]:
    """Non-empty entries with their 1-based line number."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        entries.extend((number, part.strip()) for part in line.split(",") if part.strip())
    return entries


def parse_postcode_ranges(text: str) -> list[list[str]]:
    """`52300-52399` and `52305` lines into [["52300", "52399"], ["52305", "52305"]], sorted, duplicates
    dropped. Every bad entry is reported (with its line) in one ValidationError."""
    ranges, errors = set(), []
    entries = _entries(text)
    for number, entry in entries:
        single, span = _POSTCODE.match(entry), _RANGE.match(entry)
        if single:
            ranges.add((entry, entry))
        elif span and span.group(1) <= span.group(2):
            ranges.add((span.group(1), span.group(2)))
        elif span:
            errors.append(
                _("%(line)d번째 줄 ‘%(entry)s’: 범위의 시작이 끝보다 큽니다.") % {"line": number, "entry": entry}
            )
        else:
            errors.append(
                _("%(line)d번째 줄 ‘%(entry)s’: 우편번호는 숫자 5자리(52305) 또는 범위(52300-52399)로 적어 주세요.")
                % {"line": number, "entry": entry}
            )
    if len(entries) > MAX_AREA_ENTRIES:
        errors.append(_("우편번호는 %(max)d개까지 적을 수 있습니다.") % {"max": MAX_AREA_ENTRIES})
    if errors:
        raise ValidationError(errors)
    return [list(pair) for pair in sorted(ranges)]


def parse_area_names(text: str) -> list[str]:
    """읍·면·동 names, one per line or comma-separated, in the order typed, duplicates dropped."""
    names, errors = [], []
    entries = _entries(text)
    for number, entry in entries:
        name = entry.replace(" ", "")
        if not _AREA_NAME.match(name):
            errors.append(
                _("%(line)d번째 줄 ‘%(entry)s’: 읍·면·동은 ‘읍·면·동·가·리’로 끝나는 한글로 적어 주세요. (예: 하동읍)")
                % {"line": number, "entry": entry}
            )
        elif name not in names:
            names.append(name)
    if len(entries) > MAX_AREA_ENTRIES:
        errors.append(_("읍·면·동은 %(max)d개까지 적을 수 있습니다.") % {"max": MAX_AREA_ENTRIES})
    if errors:
        raise ValidationError(errors)
    return names


def postcode_ranges_text(ranges: list[list[str]]) -> str:
    return "\n".join(start if start == end else f"{start}-{end}" for start, end in ranges)


def area_names_text(names: list[str]) -> str:
    return "\n".join(names)


def address_words(*addresses: str) -> str:
    """The addresses as one string of space-separated words with a space at both ends, so a place name
    matches as ` 하동읍 ` and never inside another word. Mirrored in SQL by delivery.services."""
    return " " + " ".join(" ".join(address.translate(_ADDRESS_PUNCTUATION).split()) for address in addresses) + " "


def in_local_area(settings: DeliverySettings, *, postcode: str, road_address: str, jibun_address: str = "") -> bool:
    if any(start <= postcode <= end for start, end in settings.local_postcode_ranges):
        return True
    words = address_words(road_address, jibun_address)
    return any(f" {name} " in words for name in settings.local_area_names)


# --- Cold-chain days -----------------------------------------------------------------------------------------
def cold_day_allowed(day: date, *, weekdays: list[int], holidays: set[date]) -> bool:
    return day.weekday() in weekdays and day not in holidays and day + timedelta(days=1) not in holidays


def holidays_from(*, municipality_id: int, start: date) -> set[date]:
    end = start + timedelta(days=COLD_SEARCH_DAYS + 1)
    return set(
        DeliveryHoliday.objects.filter(municipality_id=municipality_id, date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )


def cold_ship_on(*, ship_date: date, weekdays: list[int], holidays: set[date]) -> date:
    """The first day on or after `ship_date` a cold box may leave (see the module docstring)."""
    for offset in range(COLD_SEARCH_DAYS + 1):
        day = ship_date + timedelta(days=offset)
        if cold_day_allowed(day, weekdays=weekdays, holidays=holidays):
            return day
    return ship_date


def cold_ship_on_for(*, municipality_id: int, ship_date: date, settings: DeliverySettings | None = None) -> date:
    settings = settings or settings_peek(municipality_id=municipality_id)
    return cold_ship_on(
        ship_date=ship_date,
        weekdays=settings.cold_weekdays,
        holidays=holidays_from(municipality_id=municipality_id, start=ship_date),
    )


def shipments_ship_on_refresh(*, municipality: Municipality) -> int:
    """Re-date the boxes not yet sent (pending, packed) after the cold-chain days, holidays or a cycle's
    ship date changed: cold ones by the rule, the others to their cycle's date. One query to find the
    cycles, two updates per cycle (a handful of open cycles, not one query per box). Returns how many
    boxes changed date."""
    waiting = Shipment.objects.filter(
        municipality_id=municipality.pk, status__in=[Shipment.Status.PENDING, Shipment.Status.PACKED]
    )
    settings = settings_peek(municipality_id=municipality.pk)
    changed = 0
    cycles = DeliveryCycle.objects.filter(pk__in=waiting.values("cycle_id")).only("pk", "ship_date")
    for cycle in cycles:
        in_cycle = waiting.filter(cycle_id=cycle.pk)
        cold_day = cold_ship_on_for(municipality_id=municipality.pk, ship_date=cycle.ship_date, settings=settings)
        changed += in_cycle.exclude(storage_class=StorageClass.AMBIENT).exclude(ship_on=cold_day).update(
            ship_on=cold_day
        ) + in_cycle.filter(storage_class=StorageClass.AMBIENT).exclude(ship_on=cycle.ship_date).update(
            ship_on=cycle.ship_date
        )
    return changed


# --- Staff: writing the settings -----------------------------------------------------------------------------
@transaction.atomic
def delivery_settings_update(
    *,
    municipality: Municipality,
    allow_local: bool,
    allow_pickup: bool,
    local_postcode_ranges: list[list[str]],
    local_area_names: list[str],
    cold_weekdays: list[int],
    acting_user: User | None,
) -> DeliverySettings:
    """Save the settings (already parsed by parse_postcode_ranges / parse_area_names). Refuses, changing
    nothing, local delivery without an area, pickup without an active point, and no cold weekday at all.
    Choices subscribers made before a method was switched off are kept: their boxes go by courier until it
    is switched on again (delivery.services.shipments_create_for_cycle). Boxes not yet sent are re-dated
    when the cold weekdays change."""
    errors = []
    if allow_local and not (local_postcode_ranges or local_area_names):
        errors.append(_("지역 직접 배송을 허용하려면 직접 배송 지역(우편번호 또는 읍·면·동)을 하나 이상 적어 주세요."))
    if allow_pickup and not active_pickup_points(municipality=municipality).exists():
        errors.append(_("방문 수령을 허용하려면 먼저 운영 중인 수령 장소를 하나 이상 등록해 주세요."))
    weekdays = sorted(set(cold_weekdays))
    if not weekdays:
        errors.append(_("냉장·냉동 상자를 보낼 요일을 하나 이상 골라 주세요."))
    if any(day not in range(7) for day in weekdays):
        errors.append(_("요일을 다시 골라 주세요."))
    if errors:
        raise ValidationError(errors)
    settings = settings_for(municipality=municipality)
    settings = DeliverySettings.objects.select_for_update().get(pk=settings.pk)
    weekdays_changed = settings.cold_weekdays != weekdays
    settings.allow_local, settings.allow_pickup = allow_local, allow_pickup
    settings.local_postcode_ranges, settings.local_area_names = local_postcode_ranges, local_area_names
    settings.cold_weekdays = weekdays
    settings.updated_at, settings.updated_by = clock.now(), acting_user
    settings.save()
    if weekdays_changed:
        shipments_ship_on_refresh(municipality=municipality)
    return settings


@transaction.atomic
def holiday_add(*, municipality: Municipality, day: date, name: str, acting_user: User | None) -> DeliveryHoliday:
    """Add a holiday; re-dates cold boxes not yet sent. A date already listed is refused."""
    name = name.strip()
    if not name:
        raise ValidationError(_("휴일 이름을 적어 주세요. (예: 추석)"))
    if DeliveryHoliday.objects.filter(municipality_id=municipality.pk, date=day).exists():
        raise ValidationError(_("%(day)s은(는) 이미 휴일로 등록되어 있습니다.") % {"day": f"{day:%Y-%m-%d}"})
    holiday = DeliveryHoliday.objects.create(municipality_id=municipality.pk, date=day, name=name[:40])
    shipments_ship_on_refresh(municipality=municipality)
    return holiday


@transaction.atomic
def holiday_remove(*, holiday: DeliveryHoliday, acting_user: User | None) -> None:
    municipality = holiday.municipality
    DeliveryHoliday.objects.filter(pk=holiday.pk).delete()
    shipments_ship_on_refresh(municipality=municipality)


@dataclass(frozen=True)
class PickupPointData:
    name: str
    address: str
    hours: str
    is_active: bool = True


@transaction.atomic
def pickup_point_save(
    *, municipality: Municipality, data: PickupPointData, point: PickupPoint | None = None, acting_user: User | None
) -> PickupPoint:
    """Create a pickup point, or update `point`. Names are unique in a municipality. The last active point
    cannot be closed while pickup is allowed (subscribers would be offered nowhere); subscribers who chose
    a closed point get their boxes by courier until it reopens."""
    name = data.name.strip()
    clash = PickupPoint.objects.filter(municipality_id=municipality.pk, name=name)
    if point is not None:
        clash = clash.exclude(pk=point.pk)
    if clash.exists():
        raise ValidationError(_("‘%(name)s’ 수령 장소가 이미 있습니다. 다른 이름을 적어 주세요.") % {"name": name})
    if point is not None and point.is_active and not data.is_active:
        settings = settings_peek(municipality_id=municipality.pk)
        others = active_pickup_points(municipality=municipality).exclude(pk=point.pk)
        if settings.allow_pickup and not others.exists():
            raise ValidationError(
                _("방문 수령을 허용하는 동안에는 마지막 수령 장소를 닫을 수 없습니다. 먼저 방문 수령을 끄세요.")
            )
    if point is None:
        point = PickupPoint(municipality_id=municipality.pk)
    point.name, point.address, point.hours, point.is_active = (
        name,
        data.address.strip(),
        data.hours.strip(),
        data.is_active,
    )
    point.save()
    return point


# --- The subscriber's choice ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """What a subscription's next box will use, and the one the subscriber asked for when that differs."""

    method: str
    pickup_point: PickupPoint | None
    asked_method: str
    note: str = ""

    @property
    def label(self) -> str:
        return Method(self.method).label


def preference_of(*, subscription: Subscription) -> DeliveryPreference | None:
    return (
        DeliveryPreference.objects.filter(municipality_id=subscription.municipality_id, subscription_id=subscription.pk)
        .select_related("pickup_point")
        .first()
    )


def effective_choice(*, subscription: Subscription, settings: DeliverySettings | None = None) -> Choice:
    """The method the next box will travel by, with the same fallbacks as shipments_create_for_cycle:
    a local choice outside the area (or with local delivery switched off) and a pickup choice at a closed
    point (or with pickup switched off) go by courier."""
    settings = settings or settings_peek(municipality_id=subscription.municipality_id)
    preference = preference_of(subscription=subscription)
    if preference is None or preference.method == Method.COURIER:
        return Choice(Method.COURIER, None, Method.COURIER)
    if preference.method == Method.LOCAL:
        address = subscription.address
        if not settings.allow_local:
            return Choice(
                Method.COURIER, None, Method.LOCAL, _("지금은 지역 직접 배송을 하지 않아 택배로 보내 드립니다.")
            )
        if not in_local_area(
            settings, postcode=address.postcode, road_address=address.road_address, jibun_address=address.jibun_address
        ):
            return Choice(Method.COURIER, None, Method.LOCAL, _("배송지가 직접 배송 지역 밖이라 택배로 보내 드립니다."))
        return Choice(Method.LOCAL, None, Method.LOCAL)
    point = preference.pickup_point
    if not settings.allow_pickup or point is None or not point.is_active:
        return Choice(Method.COURIER, None, Method.PICKUP, _("지금은 고르신 곳에서 받을 수 없어 택배로 보내 드립니다."))
    return Choice(Method.PICKUP, point, Method.PICKUP)


@transaction.atomic
def delivery_preference_set(
    *, subscription: Subscription, method: str, pickup_point_id: int | None = None, acting_user: User | None
) -> DeliveryPreference:
    """Record how the subscription's boxes should travel, from the next box made into a shipment.

    Refuses with DeliveryChoiceNotAllowed (a Korean message; nothing changes): a canceled subscription, a
    method the municipality does not offer, local delivery for an address outside the local area, and a
    pickup point that is not an active point of this municipality. Locks the subscription row, so two
    submissions end in one preference row; choosing the same again changes nothing."""
    Subscription.objects.select_for_update().filter(pk=subscription.pk).first()
    municipality_id = subscription.municipality_id
    settings = settings_peek(municipality_id=municipality_id)
    if subscription.status == Subscription.Status.CANCELED:
        raise DeliveryChoiceNotAllowed(_("해지한 구독은 받는 방법을 바꿀 수 없습니다."))
    if method not in Method.values:
        raise DeliveryChoiceNotAllowed(_("배송 방법을 다시 골라 주세요."))
    point = None
    if method == Method.LOCAL:
        if not (settings.allow_local and settings.has_local_area):
            raise DeliveryChoiceNotAllowed(_("이 지역에서는 지역 직접 배송을 고를 수 없습니다."))
        address = subscription.address
        if not in_local_area(
            settings, postcode=address.postcode, road_address=address.road_address, jibun_address=address.jibun_address
        ):
            raise DeliveryChoiceNotAllowed(
                _("배송지(%(address)s)가 직접 배송 지역 밖이라 지역 직접 배송을 고를 수 없습니다. 택배를 골라 주세요.")
                % {"address": address.road_address}
            )
    elif method == Method.PICKUP:
        if not settings.allow_pickup:
            raise DeliveryChoiceNotAllowed(_("이 지역에서는 방문 수령을 고를 수 없습니다."))
        point = PickupPoint.objects.filter(municipality_id=municipality_id, pk=pickup_point_id, is_active=True).first()
        if point is None:
            raise DeliveryChoiceNotAllowed(_("받으실 수령 장소를 골라 주세요."))
    preference = (
        DeliveryPreference.objects.select_for_update()
        .filter(municipality_id=municipality_id, subscription_id=subscription.pk)
        .first()
    )
    if preference is None:
        preference = DeliveryPreference(municipality_id=municipality_id, subscription_id=subscription.pk)
    elif preference.method == method and preference.pickup_point_id == (point.pk if point else None):
        return preference
    preference.method, preference.pickup_point = method, point
    preference.updated_at, preference.updated_by = clock.now(), acting_user
    preference.save()
    return preference
