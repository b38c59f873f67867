import csv
import io

import pytest

from delivery.courier import ImportResult, RowError, courier_csv, tracking_import
from delivery.models import Shipment, ShipmentEvent
from delivery.services import shipment_move
from subscriptions.models import Order
from tests.delivery.helpers import shipped_cycle


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _tracking_file(rows: list[tuple], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["주문번호", "택배사", "운송장번호"])
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.mark.django_db
def test_the_courier_csv_opens_with_korean_intact_and_one_row_per_shipment(municipality, stripe_gateway):
    # given: three paid boxes, one with a memo a spreadsheet would run as a formula
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    Order.objects.filter(pk=orders[2].pk).update(delivery_memo='=HYPERLINK("http://evil")')
    # when
    data = courier_csv(cycle=cycle).encode("utf-8")
    # then
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data.decode("utf-8-sig"))
    assert rows[0] == ["받는분", "연락처", "우편번호", "주소", "상세주소", "품목", "수량", "배송메모", "주문번호"]
    assert len(rows) == 1 + 3
    first = orders[0]
    assert rows[1] == [
        first.recipient,
        "010-1234-5678",
        "52302",
        "경상남도 하동군 하동읍 군청로 23",
        "101동 202호",
        first.bundle_name,
        "1",
        "문 앞에 놓아 주세요",
        str(first.pk),
    ]
    assert [row[8] for row in rows[1:]] == [str(order.pk) for order in orders]
    assert rows[3][7] == '\'=HYPERLINK("http://evil")'


@pytest.mark.django_db
def test_the_courier_csv_of_one_courier_has_only_its_boxes(municipality, stripe_gateway):
    # given: one box assigned to 한진택배 by an earlier tracking import
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    tracking_import(
        municipality=municipality, raw=_tracking_file([(orders[0].pk, "05", "1234-5678-9012")]), acting_user=None
    )
    # when
    rows = _rows(courier_csv(cycle=cycle, courier="한진택배").lstrip("\ufeff"))
    # then
    assert [row[8] for row in rows[1:]] == [str(orders[0].pk)]


@pytest.mark.django_db
def test_a_valid_tracking_file_ships_every_box(municipality, stripe_gateway, staff_admin):
    # given: a file saved from Excel (CP949), with a courier code and hyphenated numbers
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    shipment_move(shipment=Shipment.objects.get(order=orders[1]), to="packed", acting_user=None)
    raw = _tracking_file(
        [
            (orders[0].pk, "CJ대한통운", "6012-3456-7890"),
            (orders[1].pk, "04", "601234567891"),
            (orders[2].pk, "로젠택배", "123456789"),
        ],
        encoding="cp949",
    )
    # when
    result = tracking_import(municipality=municipality, raw=raw, acting_user=staff_admin)
    # then
    assert result == ImportResult(applied=3, errors=[])
    shipments = Shipment.objects.filter(cycle=cycle).order_by("order_id")
    assert [(s.status, s.courier, s.tracking_number) for s in shipments] == [
        ("shipped", "CJ대한통운", "601234567890"),
        ("shipped", "CJ대한통운", "601234567891"),
        ("shipped", "로젠택배", "123456789"),
    ]
    assert all(s.shipped_at for s in shipments)
    events = ShipmentEvent.objects.filter(to_status="shipped", actor=staff_admin).order_by("shipment__order_id")
    assert [e.from_status for e in events] == ["pending", "packed", "pending"]


@pytest.mark.django_db
def test_a_tracking_file_with_one_bad_row_applies_nothing_and_reports_the_row(municipality, stripe_gateway):
    # given: the second data row (spreadsheet row 3) has a tracking number with letters
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    raw = _tracking_file(
        [
            (orders[0].pk, "CJ대한통운", "601234567890"),
            (orders[1].pk, "한진택배", "12ab"),
            (orders[2].pk, "우체국", "6865123456789"),
        ]
    )
    # when
    result = tracking_import(municipality=municipality, raw=raw, acting_user=None)
    # then
    assert result == ImportResult(
        applied=0, errors=[RowError(3, "3행: 운송장번호 ‘12ab’은(는) 숫자 9~14자리여야 합니다.")]
    )
    assert set(Shipment.objects.filter(cycle=cycle).values_list("status", "courier", "tracking_number")) == {
        ("pending", "", "")
    }
    assert not ShipmentEvent.objects.exists()


@pytest.mark.django_db
def test_every_kind_of_bad_row_is_reported(municipality, stripe_gateway):
    # given: an unknown courier, a duplicated order, an order already shipped, a number that is not an order
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    shipment_move(shipment=Shipment.objects.get(order=orders[1]), to="shipped", acting_user=None)
    raw = _tracking_file(
        [
            (orders[0].pk, "대신택배", "601234567890"),
            (orders[0].pk, "CJ대한통운", "601234567890"),
            (orders[1].pk, "CJ대한통운", "601234567891"),
            ("abc", "CJ대한통운", "601234567892"),
        ]
    )
    # when
    result = tracking_import(municipality=municipality, raw=raw, acting_user=None)
    # then
    assert [(e.row, e.message) for e in result.errors] == [
        (
            2,
            "2행: 택배사 ‘대신택배’은(는) 등록할 수 없습니다. "
            "(가능: CJ대한통운, 한진택배, 롯데택배, 우체국택배, 로젠택배)",
        ),
        (3, f"3행: 주문번호 {orders[0].pk}이(가) 2행과 중복됩니다."),
        (4, f"4행: 주문번호 {orders[1].pk}은(는) 이미 ‘발송’ 상태라 발송 처리할 수 없습니다."),
        (5, "5행: 주문번호 ‘abc’을(를) 찾을 수 없습니다."),
    ]
    assert result.applied == 0
    assert Shipment.objects.get(order=orders[0]).status == "pending"


@pytest.mark.django_db
def test_another_municipalitys_order_numbers_are_unknown(municipality, other_municipality, stripe_gateway):
    # given: boxes of another municipality
    other_cycle, other_orders = shipped_cycle(other_municipality, stripe_gateway, 1)
    raw = _tracking_file([(other_orders[0].pk, "CJ대한통운", "601234567890")])
    # when
    result = tracking_import(municipality=municipality, raw=raw, acting_user=None)
    # then
    assert result.errors == [RowError(2, f"2행: 주문번호 ‘{other_orders[0].pk}’을(를) 찾을 수 없습니다.")]
    other = Shipment.objects.get(cycle=other_cycle)
    assert (other.status, other.tracking_number) == ("pending", "")


@pytest.mark.django_db
def test_a_file_without_the_columns_is_refused(municipality):
    result = tracking_import(municipality=municipality, raw="주문,번호\n1,2\n".encode(), acting_user=None)
    assert result.errors == [RowError(1, "1행: 필요한 열이 없습니다: 주문번호, 택배사, 운송장번호")]


@pytest.mark.django_db
def test_a_tracking_import_sends_each_subscriber_the_shipped_notice_with_the_tracking_link_once(
    municipality, stripe_gateway
):
    from notifications.models import Message

    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    raw = _tracking_file([(orders[0].pk, "CJ대한통운", "601234567890"), (orders[1].pk, "로젠택배", "123456789")])
    # when: imported, then the same file again (refused: already shipped)
    tracking_import(municipality=municipality, raw=raw, acting_user=None)
    tracking_import(municipality=municipality, raw=raw, acting_user=None)
    # then: one message per box and channel, naming the courier's tracking page and the box's page
    shipments = {s.order_id: s for s in Shipment.objects.filter(cycle=cycle)}
    messages = Message.objects.filter(kind="shipped", channel="email").order_by("event_key")
    assert [m.event_key for m in messages] == sorted(f"shipment-{s.pk}-shipped" for s in shipments.values())
    first = Message.objects.get(channel="email", event_key=f"shipment-{shipments[orders[0].pk].pk}-shipped")
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=601234567890" in first.body
    assert first.link.endswith(f"/hadong/my/shipments/{shipments[orders[0].pk].pk}/")
    assert first.user_id == orders[0].subscriber.user_id
    assert Message.objects.filter(kind="shipped").count() == 2 * 2  # e-mail and 알림톡 for each box
