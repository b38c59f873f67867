"""Demo shipments: every closed cycle's paid orders become boxes (with their tourism coupons), and the
boxes of past cycles have moved the way a logistics center moves them — packed the day before, shipped
with tracking numbers from the courier's file, delivered a day or two later, a few returned or lost with
a reason — all through the real services, at the times they would have happened. Boxes of cycles not
yet shipped stay pending or packed, ready for the packing list and slips.

Safe to run again: shipments and coupons are made once, and each box's fate is decided from its id, so
a second run finds every box already where it was sent and moves nothing.
"""

import csv
import io
import random
from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from accounts.models import User
from delivery.courier import tracking_import
from delivery.models import Shipment
from delivery.preparation import cycle_shipments_prepare
from delivery.services import shipment_move, shipments_mark_delivered, shipments_mark_packed
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle

COURIER = {"hadong": "CJ대한통운", "namhae": "우체국택배"}
RETURN_REASONS = ["수취인 부재로 반송", "주소 불명으로 반송", "수취 거절"]
LOST_REASON = "택배사 분실 확인 (배상 접수)"
Status = Shipment.Status


def _at(day, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)


def _fate(shipment_id: int, *, days_since_ship: int) -> str:
    """Where a box of a cycle shipped `days_since_ship` days ago ends up (negative: not shipped yet)."""
    rng = random.Random(f"shipment-{shipment_id}")
    roll = rng.random()
    if days_since_ship < 0:
        return Status.PACKED if roll < 0.4 else Status.PENDING
    if days_since_ship < 2:
        return Status.SHIPPED
    if roll < 0.03:
        return Status.RETURNED
    if roll < 0.04:
        return Status.LOST
    return Status.DELIVERED if days_since_ship >= 3 or roll < 0.7 else Status.SHIPPED


def _tracking_file(rows: list[tuple[int, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["주문번호", "택배사", "운송장번호"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _move_cycle(municipality: Municipality, cycle: DeliveryCycle, staff: User | None, today) -> None:
    zone = ZoneInfo(municipality.timezone)
    days = (today - cycle.ship_date).days
    boxes = list(
        Shipment.objects.filter(municipality=municipality, cycle=cycle, status=Status.PENDING).values_list(
            "pk", "order_id", "method"
        )
    )
    fates = {pk: _fate(pk, days_since_ship=days) for pk, _order, _method in boxes}
    to_pack = [pk for pk, fate in fates.items() if fate != Status.PENDING]
    if to_pack:
        with clock.frozen(_at(cycle.ship_date - timedelta(days=1), 16, zone)):
            shipments_mark_packed(municipality=municipality, shipment_ids=to_pack, acting_user=staff)
    leaving = [
        (pk, order_id, method) for pk, order_id, method in boxes if fates[pk] not in (Status.PENDING, Status.PACKED)
    ]
    if not leaving:
        return
    with clock.frozen(_at(cycle.ship_date, 11, zone)):
        courier_rows = [
            (order_id, COURIER.get(municipality.slug, "CJ대한통운"), f"6{pk:011d}")
            for pk, order_id, method in leaving
            if method == Shipment.Method.COURIER
        ]
        if courier_rows:
            tracking_import(municipality=municipality, raw=_tracking_file(courier_rows), acting_user=staff)
        for pk, _order_id, method in leaving:
            if method != Shipment.Method.COURIER:
                shipment_move(shipment=Shipment(pk=pk), to=Status.SHIPPED, acting_user=staff)
    delivered = [pk for pk, _order, _method in leaving if fates[pk] in (Status.DELIVERED, Status.RETURNED)]
    if delivered:
        with clock.frozen(_at(cycle.ship_date + timedelta(days=1), 18, zone)):
            shipments_mark_delivered(municipality=municipality, shipment_ids=delivered, acting_user=staff)
    for pk, _order, _method in leaving:
        if fates[pk] == Status.RETURNED:
            with clock.frozen(_at(cycle.ship_date + timedelta(days=2), 14, zone)):
                reason = random.Random(f"return-{pk}").choice(RETURN_REASONS)
                shipment_move(shipment=Shipment(pk=pk), to=Status.RETURNED, acting_user=staff, reason=reason)
        elif fates[pk] == Status.LOST:
            with clock.frozen(_at(cycle.ship_date + timedelta(days=3), 10, zone)):
                shipment_move(shipment=Shipment(pk=pk), to=Status.LOST, acting_user=staff, reason=LOST_REASON)


def seed_delivery_shipments(progress=None) -> list[str]:
    lines: list[str] = []
    for municipality in Municipality.objects.filter(is_active=True).order_by("slug"):
        zone = ZoneInfo(municipality.timezone)
        today = clock.now().astimezone(zone).date()
        staff = User.objects.filter(memberships__municipality=municipality, memberships__role="logistics").first()
        cycles = list(
            DeliveryCycle.objects.for_tenant(municipality)
            .filter(status=DeliveryCycle.Status.CLOSED)
            .order_by("ship_date", "cadence")
        )
        for index, cycle in enumerate(cycles, start=1):
            # Boxes are made once the night's charges are done.
            with clock.frozen(cycle.charge_at + timedelta(hours=6)):
                cycle_shipments_prepare(cycle_id=cycle.pk)
            _move_cycle(municipality, cycle, staff, today)
            if progress:
                progress(f"{municipality.slug} 배송", index, len(cycles))
        counts = Counter(Shipment.objects.filter(municipality=municipality).values_list("status", flat=True))
        if counts:
            summary = ", ".join(f"{Status(status).label} {counts[status]}" for status in Status if counts[status])
            lines.append(f"  {municipality.name} 배송 상자 / boxes: {summary}")
    return lines
