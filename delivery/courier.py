"""The courier's side of shipping: the bulk-upload CSV of a cycle's boxes, and the tracking numbers back.

Korean couriers' bulk upload (CJ대한통운, 한진, 롯데, 우체국, 로젠) takes a spreadsheet with one row per
box; staff open it in Excel, so it is UTF-8 with a BOM (Excel reads BOM-less UTF-8 as CP949). Their
tracking export comes back as UTF-8 or as CP949 when it was saved from Excel.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from delivery import notices
from delivery.models import Shipment, ShipmentEvent
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle

CSV_HEADER = ["받는분", "연락처", "우편번호", "주소", "상세주소", "품목", "수량", "배송메모", "주문번호"]
TRACKING_HEADER = ["주문번호", "택배사", "운송장번호"]

# Couriers taken by the tracking import, by their name and the codes they are known by (the
# delivery-tracking codes used by Korean shops and tracking services, and short English names).
COURIERS: dict[str, tuple[str, ...]] = {
    "CJ대한통운": ("04", "CJ", "CJGLS", "KR.CJLOGISTICS", "대한통운"),
    "한진택배": ("05", "HANJIN", "KR.HANJIN", "한진"),
    "롯데택배": ("08", "LOTTE", "KR.LOTTE", "롯데", "롯데글로벌로지스"),
    "우체국택배": ("01", "EPOST", "KR.EPOST", "우체국"),
    "로젠택배": ("06", "LOGEN", "KR.LOGEN", "로젠"),
}
_COURIER_LOOKUP = {
    alias.upper().replace(" ", ""): name for name, aliases in COURIERS.items() for alias in (name, *aliases)
}
TRACKING_DIGITS = re.compile(r"^\d{9,14}$")
# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHIPPABLE = (Shipment.Status.PENDING, Shipment.Status.PACKED)


def courier_normalize(value: str) -> str | None:
    """The courier's name for a name or code (`"04"`, `"cj"`, `"CJ 대한통운"`), or None if not taken."""
    return _COURIER_LOOKUP.get(value.strip().upper().replace(" ", ""))


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def courier_csv(*, cycle: DeliveryCycle, courier: str | None = None) -> str:
    """The bulk-upload CSV of `cycle`: one row per courier shipment (local delivery and pickup boxes
    are not sent by courier), in order-number order, UTF-8 with a BOM. With `courier` (a name or code),
    only the shipments assigned to that courier. One query. Cells that a spreadsheet would run as a
    formula get a leading apostrophe."""
    shipments = Shipment.objects.filter(
        municipality_id=cycle.municipality_id, cycle_id=cycle.pk, method=Shipment.Method.COURIER
    )
    if courier is not None:
        shipments = shipments.filter(courier=courier_normalize(courier) or courier)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for shipment in shipments.select_related("order").order_by("order_id"):
        order = shipment.order
        writer.writerow(
            _cell(value)
            for value in (
                order.recipient,
                order.phone,
                order.postcode,
                order.road_address or order.jibun_address,
                order.address_detail,
                order.bundle_name,
                1,  # one box per order
                order.delivery_memo,
                order.pk,
            )
        )
    return "\ufeff" + buffer.getvalue()


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row (the header is row 1)
    message: str


@dataclass(frozen=True)
class ImportResult:
    applied: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    row: int
    order_id: int
    courier: str
    tracking_number: str


def _decode(raw: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader, [])]
    missing = [name for name in TRACKING_HEADER if name not in header]
    if missing:
        return [], [RowError(1, _("1행: 필요한 열이 없습니다: %(columns)s") % {"columns": ", ".join(missing)})]
    index = {name: header.index(name) for name in TRACKING_HEADER}
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in index.items()}
        rows.append((reader.line_num, values))
    return rows, []


def _validate(
    rows: list[tuple[int, dict[str, str]]], shipments: dict[int, Shipment]
) -> tuple[list[_Row], list[RowError]]:
    valid, errors, seen = [], [], {}
    for line, values in rows:
        row_errors = []
        raw_order = values["주문번호"].lstrip("'#")
        order_id = int(raw_order) if raw_order.isdigit() else None
        if order_id is None or order_id not in shipments:
            row_errors.append(_("주문번호 ‘%(value)s’을(를) 찾을 수 없습니다.") % {"value": values["주문번호"]})
        elif order_id in seen:
            row_errors.append(
                _("주문번호 %(order)s이(가) %(first)s행과 중복됩니다.") % {"order": order_id, "first": seen[order_id]}
            )
        elif shipments[order_id].status not in SHIPPABLE:
            row_errors.append(
                _("주문번호 %(order)s은(는) 이미 ‘%(status)s’ 상태라 발송 처리할 수 없습니다.")
                % {"order": order_id, "status": Shipment.Status(shipments[order_id].status).label}
            )
        if order_id is not None and order_id not in seen:
            seen[order_id] = line
        courier = courier_normalize(values["택배사"])
        if courier is None:
            row_errors.append(
                _("택배사 ‘%(value)s’은(는) 등록할 수 없습니다. (가능: %(names)s)")
                % {"value": values["택배사"], "names": ", ".join(COURIERS)}
            )
        tracking = re.sub(r"[\s-]", "", values["운송장번호"])
        if not TRACKING_DIGITS.match(tracking):
            row_errors.append(
                _("운송장번호 ‘%(value)s’은(는) 숫자 9~14자리여야 합니다.") % {"value": values["운송장번호"]}
            )
        if row_errors:
            errors.extend(RowError(line, _("%(row)s행: %(message)s") % {"row": line, "message": m}) for m in row_errors)
        else:
            valid.append(_Row(line, order_id, courier, tracking))
    return valid, errors


@transaction.atomic
def tracking_import(*, municipality: Municipality, raw: bytes, acting_user: User | None) -> ImportResult:
    """Take a courier's tracking file (주문번호, 택배사, 운송장번호; UTF-8, UTF-8 with BOM or CP949) and move
    each box to `shipped` with its courier and tracking number.

    All or nothing: every row is checked (an order of THIS municipality whose shipment is pending or
    packed, a known courier, 9–14 digits once hyphens are removed, no order twice) and every error is
    returned with its row number; nothing is applied unless all rows are valid. The shipments are locked
    for the check and the update, and a fixed number of queries runs whatever the number of rows (lock,
    one bulk update, one bulk insert of events, the shipped notices). Importing the same file again reports the boxes as
    already shipped and changes nothing."""
    text = _decode(raw)
    if text is None:
        return ImportResult(errors=[RowError(0, _("파일을 읽을 수 없습니다. UTF-8 또는 CP949 CSV로 저장해 주세요."))])
    rows, errors = _parse(text)
    if errors:
        return ImportResult(errors=errors)
    if not rows:
        return ImportResult(errors=[RowError(0, _("파일에 처리할 행이 없습니다."))])
    order_ids = {int(v["주문번호"].lstrip("'#")) for _line, v in rows if v["주문번호"].lstrip("'#").isdigit()}
    shipments = {
        s.order_id: s
        for s in Shipment.objects.select_for_update().filter(municipality_id=municipality.pk, order_id__in=order_ids)
    }
    valid, errors = _validate(rows, shipments)
    if errors:
        return ImportResult(errors=errors)
    now = clock.now()
    moved = []
    for row in valid:
        shipment = shipments[row.order_id]
        previous = shipment.status
        shipment.status = Shipment.Status.SHIPPED
        shipment.courier, shipment.tracking_number = row.courier, row.tracking_number
        shipment.shipped_at = shipment.updated_at = now
        moved.append((shipment, previous))
    Shipment.objects.bulk_update(
        [s for s, _from in moved], ["status", "courier", "tracking_number", "shipped_at", "updated_at"]
    )
    ShipmentEvent.objects.bulk_create(
        ShipmentEvent(
            municipality_id=municipality.pk,
            shipment=shipment,
            from_status=previous,
            to_status=Shipment.Status.SHIPPED,
            actor=acting_user,
            reason=_("운송장 등록"),
            data={"courier": shipment.courier, "tracking_number": shipment.tracking_number},
            created_at=now,
        )
        for shipment, previous in moved
    )
    notices.shipments_notify(
        municipality=municipality, kind=notices.SHIPPED, shipment_ids=[shipment.pk for shipment, _from in moved]
    )
    return ImportResult(applied=len(moved))
