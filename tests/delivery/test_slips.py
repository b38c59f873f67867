import hashlib
import io
import subprocess

import pytest
import time_machine
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from pypdf import PdfReader

from bundles.models import StorageClass
from delivery.models import Shipment, SlipBatch, SlipChunk
from delivery.slips import slip_batch_start, slip_boxes, slips_pdf
from subscriptions.models import Order
from tests.delivery.helpers import distinct_addresses, shipped_cycle, tasks_run_inline


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "slips.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S607


def _ids(cycle) -> list[int]:
    return list(Shipment.objects.filter(cycle=cycle).order_by("order_id").values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_slips_have_one_page_per_box_with_its_recipient_and_address_in_an_embedded_hangul_font(
    municipality, stripe_gateway, tmp_path
):
    # given: three boxes going to three addresses, one of them chilled
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 3)
    distinct_addresses(orders)
    Shipment.objects.filter(order=orders[1]).update(storage_class=StorageClass.CHILLED)
    # when
    pdf = slips_pdf(municipality=municipality, shipment_ids=_ids(cycle))
    # then
    pages = _pages_text(pdf)
    assert len(pages) == 3
    for number, (page, order) in enumerate(zip(pages, Order.objects.filter(cycle=cycle).order_by("pk"), strict=True)):
        flat = " ".join(page.split())
        assert order.recipient in flat
        assert f"경상남도 하동군 악양면 평사리길 {number + 1}" in flat
        assert f"{number + 1}호" in flat
        assert "문 앞에 놓아 주세요" in flat
        assert f"주문 #{order.pk}" in flat
        assert f"상자 {number + 1} / 3" in flat
    assert "냉장 보관 상자" in pages[1]
    assert "보관 상자" not in pages[0]
    fonts = _fonts(pdf, tmp_path)
    assert "Pretendard-GOV" in fonts
    # Every font line says "emb yes": the Hangul glyphs travel with the file.
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all(" yes " in line for line in font_lines)


@pytest.mark.django_db
def test_the_qr_code_on_a_slip_opens_the_boxs_status_page(municipality, stripe_gateway, tmp_path, settings):
    # given
    settings.SITE_URL = "https://kkureomi.example.kr"
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 1)
    shipment = Shipment.objects.get(cycle=cycle)
    pdf = slips_pdf(municipality=municipality, shipment_ids=[shipment.pk])
    (tmp_path / "one.pdf").write_bytes(pdf)
    # when: the page is printed (rasterised) and the code scanned
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "one.pdf"), str(tmp_path / "page")], check=True)  # noqa: S607
    image = Image.open(next(tmp_path.glob("page*.png")))
    decoded = [result.text for result in zxingcpp.read_barcodes(image)]
    # then
    assert decoded == [f"https://kkureomi.example.kr/hadong/my/shipments/{shipment.pk}/"]


@pytest.mark.django_db
def test_slip_boxes_costs_the_same_queries_for_two_boxes_or_six(municipality, stripe_gateway):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 6)
    ids = _ids(cycle)
    # when
    with CaptureQueriesContext(connection) as two:
        assert len(slip_boxes(municipality=municipality, shipment_ids=ids[:2])) == 2
    with CaptureQueriesContext(connection) as six:
        assert len(slip_boxes(municipality=municipality, shipment_ids=ids)) == 6
    # then
    assert len(two) == len(six)


@pytest.mark.django_db
def test_another_municipalitys_boxes_never_get_a_slip(municipality, other_municipality, stripe_gateway):
    # given
    other_cycle, _orders = shipped_cycle(other_municipality, stripe_gateway, 1)
    # when
    boxes = slip_boxes(municipality=municipality, shipment_ids=_ids(other_cycle))
    # then
    assert boxes == []


@pytest.mark.django_db
def test_a_batch_in_several_chunks_gives_the_same_pages_as_one_chunk(
    municipality, stripe_gateway, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given: five boxes
    settings.MEDIA_ROOT = tmp_path
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 5)
    distinct_addresses(orders)
    # when: rendered in chunks of two (three tasks, then the merge) and in one chunk
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        parallel = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=2)
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        single = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=10)
    # then
    parallel.refresh_from_db()
    single.refresh_from_db()
    assert (parallel.status, parallel.total, parallel.done, parallel.chunks_total) == ("done", 5, 5, 3)
    assert (single.status, single.chunks_total) == ("done", 1)
    assert parallel.progress_percent == 100
    parallel_pdf = (tmp_path / parallel.file).read_bytes()
    single_pdf = (tmp_path / single.file).read_bytes()
    assert _pages_text(parallel_pdf) == _pages_text(single_pdf)
    assert len(_pages_text(parallel_pdf)) == 5
    assert parallel.checksum == hashlib.sha256(parallel_pdf).hexdigest()
    # the chunk files are gone once merged; only the two merged files remain
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf")) == sorted(
        [parallel.file, single.file]
    )
    assert parallel.file.startswith(f"private/delivery-slips/{municipality.pk}/slips-cycle-{cycle.pk}-batch-")


@pytest.mark.django_db
def test_a_chunk_run_twice_is_counted_once(municipality, stripe_gateway, settings, tmp_path):
    # given: a batch of two chunks, its tasks not yet run
    from delivery.slips import slip_chunk_render

    settings.MEDIA_ROOT = tmp_path
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 3)
    batch = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=2)
    first = SlipChunk.objects.get(batch=batch, index=0)
    # when
    slip_chunk_render(chunk_id=first.pk)
    slip_chunk_render(chunk_id=first.pk)
    # then: progress shows one chunk of two boxes, and the batch still renders
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.chunks_done, batch.progress_percent) == ("rendering", 2, 1, 66)


@pytest.mark.django_db
def test_starting_again_while_rendering_returns_the_running_batch(municipality, stripe_gateway):
    # given
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 2)
    running = slip_batch_start(cycle=cycle, acting_user=None)
    # when
    again = slip_batch_start(cycle=cycle, acting_user=None)
    # then
    assert again.pk == running.pk
    assert SlipBatch.objects.count() == 1


@pytest.mark.django_db
def test_a_box_with_tourism_coupons_carries_their_cards_with_code_and_a_qr_to_redeem(
    municipality, stripe_gateway, tmp_path, settings
):
    from delivery.preparation import cycle_shipments_prepare
    from tests.delivery.helpers import CHARGE_TIME, paid_orders
    from tests.tourism.factories import OfferFactory, PartnerFactory
    from tourism.codes import format_code
    from tourism.models import Coupon, OfferAttachment

    # given: a paid box whose bundle comes with a partner's offer, prepared (shipment and coupon)
    settings.SITE_URL = "https://kkureomi.example.kr"
    orders = paid_orders(municipality, stripe_gateway, 1)
    offer = OfferFactory(partner=PartnerFactory(municipality=municipality, name="최참판댁"), title="입장권 1매")
    OfferAttachment.objects.create(municipality=municipality, offer=offer, bundle=orders[0].bundle)
    with time_machine.travel(CHARGE_TIME, tick=False):
        cycle_shipments_prepare(cycle_id=orders[0].cycle_id)
    shipment = Shipment.objects.get(order=orders[0])
    coupon = Coupon.objects.get(shipment_id=shipment.pk)
    # when
    pdf = slips_pdf(municipality=municipality, shipment_ids=[shipment.pk])
    (tmp_path / "one.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(tmp_path / "one.pdf"), str(tmp_path / "page")], check=True)  # noqa: S607
    decoded = {result.text for result in zxingcpp.read_barcodes(Image.open(next(tmp_path.glob("page*.png"))))}
    # then: one page with the card, and both codes scan
    [page] = _pages_text(pdf)
    flat = " ".join(page.split())
    assert "입장권 1매" in flat and "최참판댁" in flat and format_code(coupon.code) in flat
    assert decoded == {
        f"https://kkureomi.example.kr/hadong/my/shipments/{shipment.pk}/",
        f"https://kkureomi.example.kr/hadong/partner/c/{coupon.code}/",
    }


@pytest.mark.django_db
def test_rendering_a_chunk_costs_the_same_queries_for_two_boxes_or_five(
    municipality, stripe_gateway, settings, tmp_path
):
    from delivery.slips import slip_batch_fail, slip_chunk_render

    # given: seven boxes; a batch in chunks of two, and (after it failed) one in chunks of five
    settings.MEDIA_ROOT = tmp_path
    cycle, _orders = shipped_cycle(municipality, stripe_gateway, 7)
    small = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=2)
    with CaptureQueriesContext(connection) as two:
        slip_chunk_render(chunk_id=SlipChunk.objects.get(batch=small, index=0).pk)
    slip_batch_fail(batch_id=small.pk, error="stopped for the test")
    large = slip_batch_start(cycle=cycle, acting_user=None, chunk_size=5)
    # when
    with CaptureQueriesContext(connection) as five:
        slip_chunk_render(chunk_id=SlipChunk.objects.get(batch=large, index=0).pk)
    # then
    assert large.pk != small.pk
    assert SlipBatch.objects.get(pk=large.pk).done == 5
    assert len(five) == len(two)
