"""The logistics center's staff pages: cycles with box counts, a cycle's boxes with filters, CSV and bulk
actions, one box with its moves, the printouts (packing list, pick summary, slips with progress and
download), the courier CSV and the tracking import. Tenancy (another tenant's ids are 404), roles, the
접속기록, and query counts that do not grow with boxes."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from bundles.models import StorageClass
from delivery.models import Shipment, ShipmentEvent, SlipBatch
from delivery.services import shipment_move
from delivery.slips import slip_batch_start
from municipalities.models import PersonalDataAccess
from notifications.models import Message
from tests.delivery.helpers import shipped_cycle, tasks_run_inline
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(municipality, name: str, **kwargs) -> str:
    return reverse(f"delivery:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role: str = "logistics"):
    return MembershipFactory(municipality=municipality, role=role, user__name="정담당").user


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def shown(response) -> list[str]:
    """The messages the page after a redirect showed."""
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def logistics_client(client, municipality):
    client.force_login(staff(municipality))
    return client


def _tracking_file(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["주문번호", "택배사", "운송장번호"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_the_cycle_list_counts_boxes_by_status_and_cold(logistics_client, municipality, stripe_gateway):
    # given: three boxes, one packed and one frozen
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    shipment_move(shipment=Shipment.objects.get(order=orders[0]), to="packed", acting_user=None)
    Shipment.objects.filter(order=orders[1]).update(storage_class=StorageClass.FROZEN)
    # when
    response = logistics_client.get(url(municipality, "staff-cycles"))
    # then
    assert response.status_code == 200
    row = response.context["table"].rows[0].record
    assert (row.pk, row.boxes_total, row.pending_count, row.packed_count, row.cold_count) == (cycle.pk, 3, 2, 1, 1)
    assert "배송" in [item["label"] for item in response.context["staff_nav"]]


def test_the_cycle_page_lists_boxes_flags_cold_ones_in_words_and_filters(
    logistics_client, municipality, stripe_gateway
):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    Shipment.objects.filter(order=orders[1]).update(storage_class=StorageClass.CHILLED)
    # when
    page = logistics_client.get(url(municipality, "staff-cycle", cycle_id=cycle.pk))
    cold = logistics_client.get(url(municipality, "staff-cycle", cycle_id=cycle.pk) + "?storage_class=cold")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('cold-badge">냉장 <span class="sr-only">보관 상자</span>') == 1
    assert page.context["counts"]["cold"] == 1
    assert [row.record.order_id for row in cold.context["table"].rows] == [orders[1].pk]


def test_the_cycle_pages_cost_the_same_queries_for_two_boxes_or_six(logistics_client, municipality, stripe_gateway):
    # given: six boxes, then only two of them
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 6)
    pages = [url(municipality, name, cycle_id=cycle.pk) for name in ("staff-cycle", "staff-packing", "staff-picks")]

    def queries() -> list[int]:
        counts = []
        for page in pages:
            with CaptureQueriesContext(connection) as captured:
                assert logistics_client.get(page).status_code == 200
            counts.append(len(captured))
        return counts

    six = queries()
    Shipment.objects.filter(pk__in=list(Shipment.objects.filter(cycle=cycle).values_list("pk", flat=True))[2:]).delete()
    # when
    two = queries()
    # then
    assert two == six


def test_the_shipment_csv_has_one_row_per_box_and_logs_each_subscriber(logistics_client, municipality, stripe_gateway):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    # when
    response = logistics_client.get(url(municipality, "staff-cycle", cycle_id=cycle.pk) + "?export=csv")
    # then
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 2
    assert {row[1] for row in rows[1:]} == {o.recipient for o in orders}
    assert sorted(PersonalDataAccess.objects.values_list("subject_id", flat=True)) == sorted(
        str(o.subscriber_id) for o in orders
    )


def test_bulk_packed_then_delivered_moves_only_the_chosen_boxes_and_tells_their_subscribers(
    logistics_client, municipality, stripe_gateway
):
    # given: three boxes; the first two are chosen; one of them is then shipped
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    ids = list(Shipment.objects.filter(cycle=cycle).order_by("order_id").values_list("pk", flat=True))
    bulk = url(municipality, "staff-bulk", cycle_id=cycle.pk)
    # when
    packed = logistics_client.post(bulk, {"action": "packed", "shipment": ids[:2]}, follow=True)
    shipment_move(shipment=Shipment.objects.get(pk=ids[0]), to="shipped", acting_user=None)
    delivered = logistics_client.post(bulk, {"action": "delivered", "shipment": ids[:2]}, follow=True)
    # then
    assert shown(packed) == ["2상자를 포장 완료로 바꿨습니다."]
    assert shown(delivered) == [
        "1상자를 배송 완료로 바꾸고 구독자에게 알렸습니다.",
        "발송 상태가 아닌 1상자는 그대로 두었습니다.",
    ]
    statuses = dict(Shipment.objects.filter(cycle=cycle).values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["delivered", "packed", "pending"]
    assert set(Message.objects.filter(kind="delivered").values_list("event_key", flat=True)) == {
        f"shipment-{ids[0]}-delivered"
    }


def test_bulk_ignores_another_municipalitys_boxes(logistics_client, municipality, other_municipality, stripe_gateway):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    other_cycle, _other = shipped_cycle(other_municipality, stripe_gateway, 1)
    other_box = Shipment.objects.get(cycle=other_cycle)
    # when
    response = logistics_client.post(
        url(municipality, "staff-bulk", cycle_id=cycle.pk), {"action": "packed", "shipment": [other_box.pk]}
    )
    # then
    assert said(response) == ["상자를 하나 이상 선택해 주세요."]
    other_box.refresh_from_db()
    assert other_box.status == "pending"


def test_a_shipment_page_shows_its_history_logs_the_access_and_moves_with_a_reason(
    logistics_client, municipality, stripe_gateway
):
    # given: a shipped box
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 1)
    box = Shipment.objects.get(cycle=cycle)
    shipment_move(shipment=box, to="shipped", acting_user=None)
    page = url(municipality, "staff-shipment", shipment_id=box.pk)
    # when
    shown = logistics_client.get(page)
    refused = logistics_client.post(page, {"to": "returned", "reason": "  "})
    moved = logistics_client.post(page, {"to": "returned", "reason": "수취인 부재로 반송"})
    # then
    assert shown.status_code == 200
    assert "경상남도 하동군 하동읍 군청로 23" in shown.content.decode()
    assert "포장 대기 → 발송" in shown.content.decode()
    assert refused.status_code == 400
    assert "반송·분실로 바꿀 때는 사유를 적어 주세요." in refused.content.decode()
    assert moved.status_code == 302
    box.refresh_from_db()
    assert (box.status, box.reason) == ("returned", "수취인 부재로 반송")
    assert ShipmentEvent.objects.filter(shipment=box, to_status="returned").count() == 1
    # the page was shown twice (the refused move shows it again); the redirect after the move shows nothing
    assert PersonalDataAccess.objects.filter(subject_id=str(orders[0].subscriber_id)).count() == 2


def test_a_move_the_box_cannot_make_is_refused_in_korean(logistics_client, municipality, stripe_gateway):
    # given: a pending box; delivered is not a move it can make
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    box = Shipment.objects.get(cycle=cycle)
    # when
    response = logistics_client.post(url(municipality, "staff-shipment", shipment_id=box.pk), {"to": "delivered"})
    # then
    assert response.status_code == 400
    assert "올바르게 선택해 주세요. delivered 이/가 선택가능항목에 없습니다." in response.content.decode()
    box.refresh_from_db()
    assert box.status == "pending"


def test_the_packing_list_groups_by_storage_and_method_coldest_first(logistics_client, municipality, stripe_gateway):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    Shipment.objects.filter(order=orders[2]).update(storage_class=StorageClass.FROZEN)
    # when
    response = logistics_client.get(url(municipality, "staff-packing", cycle_id=cycle.pk))
    # then
    groups = response.context["groups"]
    assert [(g.storage_class, g.method, [b.order_id for b in g.boxes]) for g in groups] == [
        ("frozen", "courier", [orders[2].pk]),
        ("ambient", "courier", [orders[0].pk, orders[1].pk]),
    ]
    assert orders[0].recipient not in response.content.decode()


def test_the_pick_summary_counts_units_per_product_and_merchant(logistics_client, municipality, stripe_gateway):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    items = list(orders[0].items.all())
    # when
    response = logistics_client.get(url(municipality, "staff-picks", cycle_id=cycle.pk))
    # then
    merchants = response.context["merchants"]
    lines = {(line.merchant_id, line.product_id): line.units for m in merchants for line in m.lines}
    assert lines == {(item.merchant_id, item.product_id): 2 * item.quantity for item in items}


def test_slips_start_shows_progress_then_the_download_of_one_pdf(
    logistics_client, municipality, stripe_gateway, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given
    settings.MEDIA_ROOT = tmp_path
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    page = url(municipality, "staff-slips", cycle_id=cycle.pk)
    # when: started (tasks not run yet), the progress polled, then the tasks run
    with django_capture_on_commit_callbacks(execute=False) as queued:
        logistics_client.post(url(municipality, "staff-slips-start", cycle_id=cycle.pk), {"paper": "A5"})
    rendering = logistics_client.get(page + "?fragment=progress", HTTP_HX_REQUEST="true")
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    done = logistics_client.get(page + "?fragment=progress", HTTP_HX_REQUEST="true")
    batch = SlipBatch.objects.get()
    download = logistics_client.get(url(municipality, "staff-slips-download", batch_id=batch.pk))
    # then
    assert 'hx-trigger="every 3s"' in rendering.content.decode()
    assert "2상자 중 0상자 (0%)" in rendering.content.decode()
    assert "hx-get" not in done.content.decode()
    assert "2상자 중 2상자 (100%)" in done.content.decode()
    pdf = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert PersonalDataAccess.objects.filter(purpose="포장 송장 내려받기").count() == 2


def test_an_unfinished_or_foreign_slip_batch_cannot_be_downloaded(
    client, municipality, other_municipality, stripe_gateway
):
    # given: a batch still rendering, and a logistics user of another municipality
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    batch = slip_batch_start(cycle=cycle, acting_user=None)
    client.force_login(staff(municipality))
    # when
    unfinished = client.get(url(municipality, "staff-slips-download", batch_id=batch.pk))
    client.force_login(staff(other_municipality))
    foreign = client.get(url(other_municipality, "staff-slips-download", batch_id=batch.pk))
    # then
    assert (unfinished.status_code, foreign.status_code) == (404, 404)


def test_the_courier_csv_download_has_one_row_per_courier_box_and_logs_the_export(
    logistics_client, municipality, stripe_gateway
):
    # given: two boxes, one going by pickup (not by courier)
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    Shipment.objects.filter(order=orders[1]).update(method=Shipment.Method.LOCAL)
    # when
    response = logistics_client.get(url(municipality, "staff-courier-csv", cycle_id=cycle.pk))
    # then
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[8] for row in rows[1:]] == [str(orders[0].pk)]
    assert rows[1][0] == orders[0].recipient
    assert list(PersonalDataAccess.objects.values_list("subject_id", "purpose")) == [
        (str(orders[0].subscriber_id), "택배 업로드 파일 내려받기")
    ]


def test_a_tracking_upload_with_one_bad_row_applies_nothing_and_lists_the_row(
    logistics_client, municipality, stripe_gateway
):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    raw = _tracking_file([(orders[0].pk, "CJ대한통운", "601234567890"), (orders[1].pk, "한진택배", "12ab")])
    upload = io.BytesIO(raw)
    upload.name = "tracking.csv"
    # when
    response = logistics_client.post(url(municipality, "staff-tracking"), {"file": upload})
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert "3행: 운송장번호 ‘12ab’은(는) 숫자 9~14자리여야 합니다." in html
    assert "아무것도 바꾸지 않았습니다" in html
    assert set(Shipment.objects.filter(cycle=cycle).values_list("status", flat=True)) == {"pending"}
    assert not Message.objects.filter(kind="shipped").exists()


def test_a_valid_tracking_upload_ships_the_boxes_and_sends_the_shipped_notice(
    logistics_client, municipality, stripe_gateway
):
    # given
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    upload = io.BytesIO(_tracking_file([(o.pk, "로젠택배", f"12345678{i}") for i, o in enumerate(orders)]))
    upload.name = "tracking.csv"
    # when
    response = logistics_client.post(url(municipality, "staff-tracking"), {"file": upload})
    # then
    assert response.status_code == 302
    assert said(response) == ["2상자를 발송 처리하고 구독자에게 운송장 번호를 알렸습니다."]
    assert set(Shipment.objects.filter(cycle=cycle).values_list("status", "courier")) == {("shipped", "로젠택배")}
    assert Message.objects.filter(kind="shipped", channel="email").count() == 2
    bodies = " ".join(Message.objects.filter(kind="shipped", channel="email").values_list("body", flat=True))
    assert "https://www.ilogen.com/web/personal/trace/123456780" in bodies
    assert "https://www.ilogen.com/web/personal/trace/123456781" in bodies


@pytest.mark.parametrize("role, status", [("curator", 403), ("finance", 403), ("merchant", 403), ("admin", 200)])
def test_only_admin_and_logistics_open_the_logistics_pages(client, municipality, stripe_gateway, role, status):
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    client.force_login(staff(municipality, role))
    assert client.get(url(municipality, "staff-cycle", cycle_id=cycle.pk)).status_code == status


@pytest.mark.parametrize(
    "name, key",
    [
        ("staff-cycle", "cycle_id"),
        ("staff-packing", "cycle_id"),
        ("staff-picks", "cycle_id"),
        ("staff-slips", "cycle_id"),
        ("staff-courier-csv", "cycle_id"),
        ("staff-shipment", "shipment_id"),
    ],
)
def test_another_municipalitys_cycles_and_boxes_are_404(
    logistics_client, municipality, other_municipality, stripe_gateway, name, key
):
    # given: a cycle and box of another municipality, asked for under this one
    other_cycle, _orders = shipped_cycle(other_municipality, stripe_gateway, 1)
    ids = {"cycle_id": other_cycle.pk, "shipment_id": Shipment.objects.get(cycle=other_cycle).pk}
    # when
    response = logistics_client.get(url(municipality, name, **{key: ids[key]}))
    # then
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_the_staff_home_shows_logistics_the_cycles_with_boxes_to_send(client, municipality, stripe_gateway):
    # given: three boxes: one packed, one shipped, one still pending
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    boxes = list(Shipment.objects.filter(cycle=cycle).order_by("order_id"))
    shipment_move(shipment=boxes[0], to="packed", acting_user=None)
    shipment_move(shipment=boxes[1], to="shipped", acting_user=None)
    home = reverse("municipalities:staff-home", kwargs={"municipality_slug": municipality.slug})
    # when
    client.force_login(staff(municipality, "logistics"))
    logistics = client.get(home).content.decode()
    client.force_login(staff(municipality, "curator"))
    curator = client.get(home).content.decode()
    # then
    assert "포장 대기 1개, 포장 완료 1개" in logistics
    assert url(municipality, "staff-cycle", cycle_id=cycle.pk) in logistics
    assert "보낼 상자" not in curator
