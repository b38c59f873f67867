import hashlib
import io
import subprocess

import pytest
import time_machine
from django.core.files.storage import default_storage
from pypdf import PdfReader

from core.money import format_won
from settlement import pdf, selectors
from settlement.ledger import ledger_post_pending
from settlement.models import Posting, Statement
from settlement.periods import period_close
from subscriptions.billing.refunds import order_refund
from tests.delivery.helpers import tasks_run_inline
from tests.settlement.helpers import AFTER_DECEMBER
from tests.settlement.pdf_helpers import closed_november, merchant_statement
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _stored(statement: Statement) -> bytes:
    with default_storage.open(statement.pdf.name, "rb") as handle:
        return handle.read()


def test_the_pdf_prints_the_totals_both_parties_and_every_line(municipality, stripe_gateway):
    period, orders, _finance = closed_november(municipality, stripe_gateway)
    statement = merchant_statement(period)
    data = pdf.statement_pdf_bytes(statement)
    text = _text(data)
    assert data.startswith(b"%PDF-")
    for row in selectors.statement_summary(statement):
        assert format_won(row.amount_won) in text
    assert statement.party_name in text and statement.party_business_number in text
    assert statement.municipality_business_number in text
    assert f"No.{statement.number}" in text
    for order in orders:
        assert f"주문 #{order.pk}" in text
    assert "1 / 1" in text  # the page counter


def test_the_pdf_embeds_a_hangul_font(municipality, stripe_gateway, tmp_path):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    file = tmp_path / "statement.pdf"
    file.write_bytes(pdf.statement_pdf_bytes(merchant_statement(period)))
    fonts = subprocess.run(["pdffonts", str(file)], capture_output=True, text=True, check=True).stdout  # noqa: S607
    rows = [line for line in fonts.splitlines() if "Pretendard" in line]
    assert rows, fonts
    # name type encoding emb sub uni …: every Pretendard face is embedded as a subset
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in rows), fonts


def test_close_renders_every_pdf_in_chunks_with_checksums_and_progress(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    assert selectors.period_pdf_progress(period=period).rendered == 0
    total = Statement.objects.filter(period=period).count()
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        assert pdf.period_pdfs_start(period=period) == total
    progress = selectors.period_pdf_progress(period=period)
    assert (progress.rendered, progress.total, progress.done) == (total, total, True)
    for statement in Statement.objects.filter(period=period):
        assert statement.pdf_sha256 == hashlib.sha256(_stored(statement)).hexdigest()
        assert pdf.statement_pdf_verify(statement)
    # running again renders nothing more
    with tasks_run_inline(), django_capture_on_commit_callbacks(execute=True):
        assert pdf.period_pdfs_start(period=period) == 0


def test_the_closed_statement_pdf_is_byte_identical_after_a_later_adjustment(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    period, orders, finance = closed_november(municipality, stripe_gateway)
    statement = merchant_statement(period)
    pdf.statement_pdf_store(statement_id=statement.pk)
    statement.refresh_from_db()
    before, checksum = _stored(statement), statement.pdf_sha256
    # a refund in December lands in December as an adjustment naming the November order
    with time_machine.travel(seoul(2026, 12, 10, 11, 0), tick=False):
        order_refund(
            order=orders[0], amount_won=orders[0].amount_won, reason="반품", acting_user=None, gateway=stripe_gateway
        )
        ledger_post_pending(municipality=municipality)
    december = Posting.objects.get(kind=Posting.Kind.REFUND).period
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        period_close(period=december, acting_user=finance)
    later = Statement.objects.get(period=december, merchant=statement.merchant)
    pdf.statement_pdf_store(statement_id=later.pk)
    later.refresh_from_db()
    assert f"주문 #{orders[0].pk}" in _text(_stored(later))
    assert "조정" in _text(_stored(later))
    # the November statement, its stored file and a fresh render are all unchanged, to the byte
    statement.refresh_from_db()
    assert statement.pdf_sha256 == checksum
    assert _stored(statement) == before
    assert pdf.statement_pdf_bytes(statement) == before
    assert pdf.statement_pdf_store(statement_id=statement.pk) is False


def test_a_statement_keeps_the_municipality_details_it_was_issued_with(municipality, stripe_gateway):
    # given: a November statement, printed
    from municipalities.models import Municipality

    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    statement = merchant_statement(period)
    before = pdf.statement_pdf_bytes(statement)
    assert municipality.address in _text(before) and municipality.contact_phone in _text(before)
    # when: the municipality moves and changes its number
    Municipality.objects.filter(pk=municipality.pk).update(
        address="경상남도 하동군 새 청사로 1", contact_phone="055-000-0000"
    )
    # then: the statement prints what it was issued with, to the byte
    statement = Statement.objects.select_related("period", "municipality").get(pk=statement.pk)
    assert pdf.statement_pdf_bytes(statement) == before


def test_a_scheduled_close_renders_its_pdfs_and_the_sweep_finds_missing_ones(
    municipality, stripe_gateway, django_capture_on_commit_callbacks
):
    from settlement.tasks import periods_close_in_order_task
    from settlement.tasks_pdf import statements_pdf_pending_task
    from tests.settlement.helpers import AFTER_NOVEMBER, paid_orders, two_merchant_bundle
    from tests.settlement.pdf_helpers import november

    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    period = november(municipality)
    with time_machine.travel(AFTER_NOVEMBER, tick=False), tasks_run_inline():
        with django_capture_on_commit_callbacks(execute=True):
            periods_close_in_order_task([period.pk])
        assert selectors.period_pdf_progress(period=period).done
        # a PDF lost on the way (its fields cleared as if its task never ran) is found by the sweep
        lost = merchant_statement(period)
        Statement.objects.filter(pk=lost.pk).update(pdf="", pdf_sha256="", pdf_rendered_at=None)
        assert not selectors.period_pdf_progress(period=period).done
        with django_capture_on_commit_callbacks(execute=True):
            statements_pdf_pending_task()
    lost.refresh_from_db()
    assert lost.pdf_sha256 and pdf.statement_pdf_verify(lost)
