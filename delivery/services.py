# ruff: noqa: S608 - the SQL is assembled only from table names and fixed fragments; every value is a parameter.
"""Shipments: made from paid orders in set-based SQL, moved through their statuses with an event each.

Like subscriptions.billing.close, the statements are portable between PostgreSQL and SQLite (the demo).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import STORAGE_RANK, Product
from core.transitions import TransitionNotAllowed
from delivery import notices
from delivery.models import DeliveryPreference, DeliverySettings, PickupPoint, Shipment, ShipmentEvent
from delivery.options import cold_ship_on_for, settings_peek
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle, Order, OrderItem

Status = Shipment.Status
Method = Shipment.Method


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The coldest item decides the box: rank each item by STORAGE_RANK, take the maximum, map it back.
_RANK = "CASE pr.storage_class " + " ".join(f"WHEN '{c.value}' THEN {r}" for c, r in STORAGE_RANK.items()) + " END"
_COLDEST = (
    f"CASE COALESCE(MAX({_RANK}), 0) "
    + " ".join(f"WHEN {r} THEN '{c.value}'" for c, r in STORAGE_RANK.items())
    + " END"
)


def _local_area_sql(settings: DeliverySettings) -> tuple[str, list]:
    """The order's snapshot address is in the local area (delivery.options.in_local_area, in SQL)."""
    words = " || ' ' || ".join(
        f"REPLACE(REPLACE(REPLACE({column}, '(', ' '), ')', ' '), ',', ' ')"
        for column in ("o.road_address", "o.jibun_address")
    )
    words = f"' ' || {words} || ' '"
    conditions = ["o.postcode BETWEEN %s AND %s"] * len(settings.local_postcode_ranges)
    conditions += [f"{words} LIKE %s"] * len(settings.local_area_names)
    params = [code for pair in settings.local_postcode_ranges for code in pair]
    params += [f"% {name} %" for name in settings.local_area_names]
    return "(" + " OR ".join(conditions) + ")", params


def shipments_create_for_cycle(*, cycle: DeliveryCycle, now: datetime | None = None) -> int:
    """Make one pending shipment for every PAID order of `cycle` that has none; returns how many were made.
    One INSERT … SELECT whatever the number of orders (plus two reads: the settings and the holidays).
    The unique (municipality, order) constraint with ON CONFLICT DO NOTHING makes it safe to repeat, and
    safe to run while another worker does the same: an order paid late (a dunning retry) gets its
    shipment on the next run.

    The method is the subscription's DeliveryPreference, checked against the settings at this moment:
    local only while local delivery is on and the order's (snapshot) address is in the area; pickup only
    while pickup is on and the chosen point is active; everything else, and no preference, is courier.
    `ship_on` is the cycle's ship date, or for a cold box the first allowed cold-chain day on or after it
    (delivery.options)."""
    now = now or clock.now()
    settings = settings_peek(municipality_id=cycle.municipality_id)
    cold_day = cold_ship_on_for(municipality_id=cycle.municipality_id, ship_date=cycle.ship_date, settings=settings)
    when_local, local_params = "", []
    if settings.allow_local and settings.has_local_area:
        area_sql, local_params = _local_area_sql(settings)
        when_local = (
            f"WHEN dp.method = '{Shipment.Method.LOCAL.value}' AND {area_sql} THEN '{Shipment.Method.LOCAL.value}'"
        )
    pickup_ok = (
        f"dp.method = '{Shipment.Method.PICKUP.value}' AND pp.id IS NOT NULL" if settings.allow_pickup else "1 = 0"
    )
    method = f"CASE {when_local} WHEN {pickup_ok} THEN '{Method.PICKUP.value}' ELSE '{Method.COURIER.value}' END"
    sql = f"""
    INSERT INTO {_t(Shipment)} (municipality_id, order_id, cycle_id, storage_class, method, pickup_point_id,
                                ship_on, courier, tracking_number, status, reason, created_at, updated_at)
    SELECT o.municipality_id, o.id, o.cycle_id, {_COLDEST}, {method},
           CASE WHEN {pickup_ok} THEN pp.id END,
           CASE WHEN COALESCE(MAX({_RANK}), 0) > 0 THEN %s ELSE %s END,
           '', '', %s, '', %s, %s
    FROM {_t(Order)} o
    LEFT JOIN {_t(OrderItem)} oi ON oi.order_id = o.id
    LEFT JOIN {_t(Product)} pr ON pr.id = oi.product_id
    LEFT JOIN {_t(DeliveryPreference)} dp ON dp.subscription_id = o.subscription_id
                                          AND dp.municipality_id = o.municipality_id
    LEFT JOIN {_t(PickupPoint)} pp ON pp.id = dp.pickup_point_id AND pp.is_active = %s
    WHERE o.municipality_id = %s AND o.cycle_id = %s AND o.status = %s
    GROUP BY o.id, o.municipality_id, o.cycle_id, o.postcode, o.road_address, o.jibun_address, dp.method, pp.id
    ON CONFLICT (municipality_id, order_id) DO NOTHING
    """
    params = [*local_params, cold_day, cycle.ship_date, Status.PENDING, now, now, True]
    params += [cycle.municipality_id, cycle.pk, Order.Status.PAID]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _check_transition(shipment: Shipment, *, to: str, reason: str) -> None:
    if to not in Shipment.TRANSITIONS.get(shipment.status, set()):
        raise TransitionNotAllowed(
            _("배송 상태를 ‘%(from)s’에서 ‘%(to)s’(으)로 바꿀 수 없습니다.")
            % {"from": Status(shipment.status).label, "to": Status(to).label}
        )
    if to in Shipment.REASON_REQUIRED and not reason.strip():
        raise TransitionNotAllowed(_("반송·분실로 바꿀 때는 사유를 적어 주세요."))


@transaction.atomic
def shipment_move(*, shipment: Shipment, to: str, acting_user: User | None, reason: str = "") -> Shipment:
    """Move one shipment to `to` if Shipment.TRANSITIONS allows it, with its timestamp and an event.
    Locks the row; moving to the status it already has is a no-op (no second event), so a retried
    request is harmless. A refused move raises TransitionNotAllowed and changes nothing. A box moved to
    shipped or delivered sends its subscriber the notice."""
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if locked.status == to:
        return locked
    _check_transition(locked, to=to, reason=reason)
    now = clock.now()
    previous = locked.status
    locked.status, locked.updated_at = to, now
    fields = ["status", "updated_at"]
    if to in Shipment.STATUS_TIMESTAMPS:
        setattr(locked, Shipment.STATUS_TIMESTAMPS[to], now)
        fields.append(Shipment.STATUS_TIMESTAMPS[to])
    if to in Shipment.REASON_REQUIRED:
        locked.reason = reason.strip()[:300]
        fields.append("reason")
    locked.save(update_fields=fields)
    ShipmentEvent.objects.create(
        municipality_id=locked.municipality_id,
        shipment=locked,
        from_status=previous,
        to_status=to,
        actor=acting_user,
        reason=reason.strip()[:300],
        created_at=now,
    )
    if to in (Status.SHIPPED, Status.DELIVERED):
        notices.shipments_notify(municipality=locked.municipality, kind=to, shipment_ids=[locked.pk])
    return locked


@dataclass(frozen=True)
class BulkMoveResult:
    moved: list[int]
    # Ids of this municipality that were not in the status the move starts from; left unchanged.
    skipped: list[int]


def _shipments_move_bulk(
    *, municipality: Municipality, shipment_ids: list[int], from_status: str, to: str, acting_user: User | None
) -> BulkMoveResult:
    """Move every `from_status` box of `shipment_ids` to `to`: three queries whatever the number (lock,
    insert the events, update). Ids of another municipality are ignored as if they did not exist, and boxes
    in any other status are skipped, so repeating the call is a no-op. Call inside a transaction."""
    now = clock.now()
    rows = list(
        Shipment.objects.select_for_update()
        .filter(municipality_id=municipality.pk, pk__in=list(shipment_ids))
        .order_by("pk")
        .values_list("pk", "status")
    )
    moved = [pk for pk, status in rows if status == from_status]
    skipped = [pk for pk, status in rows if status != from_status]
    if moved:
        ShipmentEvent.objects.bulk_create(
            ShipmentEvent(
                municipality_id=municipality.pk,
                shipment_id=pk,
                from_status=from_status,
                to_status=to,
                actor=acting_user,
                created_at=now,
            )
            for pk in moved
        )
        Shipment.objects.filter(pk__in=moved).update(status=to, updated_at=now, **{Shipment.STATUS_TIMESTAMPS[to]: now})
    return BulkMoveResult(moved=moved, skipped=skipped)


@transaction.atomic
def shipments_mark_packed(
    *, municipality: Municipality, shipment_ids: list[int], acting_user: User | None
) -> BulkMoveResult:
    """Mark pending boxes packed in bulk (see _shipments_move_bulk)."""
    return _shipments_move_bulk(
        municipality=municipality,
        shipment_ids=shipment_ids,
        from_status=Status.PENDING,
        to=Status.PACKED,
        acting_user=acting_user,
    )


@transaction.atomic
def shipments_mark_delivered(
    *, municipality: Municipality, shipment_ids: list[int], acting_user: User | None
) -> BulkMoveResult:
    """Mark shipped boxes delivered in bulk (see _shipments_move_bulk); each delivered box's subscriber gets
    the delivered notice (delivery.notices, three more queries)."""
    result = _shipments_move_bulk(
        municipality=municipality,
        shipment_ids=shipment_ids,
        from_status=Status.SHIPPED,
        to=Status.DELIVERED,
        acting_user=acting_user,
    )
    if result.moved:
        notices.shipments_notify(municipality=municipality, kind=notices.DELIVERED, shipment_ids=result.moved)
    return result
