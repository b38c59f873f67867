import csv
import io

import pytest
import time_machine
from django.db import IntegrityError, transaction

from settlement.ledger import ledger_post_pending
from settlement.models import PayoutBatch, PayoutItem, Posting, Statement
from settlement.payouts import (
    CSV_HEADER,
    PayoutError,
    payout_batch_approve,
    payout_batch_export,
    payout_batch_mark_paid,
    payout_batch_prepare,
)
from settlement.period_calendar import period_for
from settlement.periods import period_close
from subscriptions.billing.refunds import order_refund
from tests.settlement.helpers import AFTER_DECEMBER, paid_orders, two_merchant_bundle
from tests.settlement.pdf_helpers import closed_november, finance_user
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_maker_checker_the_preparer_cannot_approve(municipality, stripe_gateway):
    period, _orders, maker = closed_november(municipality, stripe_gateway)
    checker = finance_user(municipality)
    batch = payout_batch_prepare(period=period, acting_user=maker)
    assert batch.status == PayoutBatch.Status.PREPARED
    with pytest.raises(PayoutError, match="준비한 사람은 승인할 수 없습니다"):
        payout_batch_approve(batch=batch, acting_user=maker)
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == (PayoutBatch.Status.PREPARED, None)
    # the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(approved_by=maker, status="approved")
    approved = payout_batch_approve(batch=batch, acting_user=checker)
    assert (approved.status, approved.approved_by) == (PayoutBatch.Status.APPROVED, checker)
    assert approved.approved_at is not None
    # approving again is a no-op
    assert payout_batch_approve(batch=batch, acting_user=checker).approved_at == approved.approved_at


def test_only_finance_prepares_approves_exports_and_pays(municipality, stripe_gateway, staff_admin):
    period, _orders, maker = closed_november(municipality, stripe_gateway)
    with pytest.raises(PayoutError, match="재무·정산 담당자"):
        payout_batch_prepare(period=period, acting_user=staff_admin)
    assert not PayoutBatch.objects.exists()
    batch = payout_batch_prepare(period=period, acting_user=maker)
    for step in (payout_batch_approve, payout_batch_export):
        with pytest.raises(PayoutError):
            step(batch=batch, acting_user=staff_admin)
    with pytest.raises(PayoutError):
        payout_batch_mark_paid(batch=batch, acting_user=staff_admin, transfer_reference="X")


def test_prepare_takes_every_positive_statement_once_and_repeats_safely(municipality, stripe_gateway):
    period, _orders, maker = closed_november(municipality, stripe_gateway)
    batch = payout_batch_prepare(period=period, acting_user=maker)
    statements = Statement.objects.filter(period=period, payable_won__gt=0)
    assert batch.item_count == statements.count() == 2
    assert batch.total_won == sum(s.payable_won for s in statements)
    assert payout_batch_prepare(period=period, acting_user=finance_user(municipality)).pk == batch.pk
    assert PayoutItem.objects.count() == 2


def test_export_csv_has_a_bom_the_bank_columns_and_leaves_negative_balances_out(municipality, stripe_gateway):
    # November: one paid order for two merchants, closed; December: the order refunded in full (an
    # adjustment: both merchants owe it back, so their December balances are negative)
    period, orders, maker = closed_november(municipality, stripe_gateway, orders=1)
    checker = finance_user(municipality)
    with time_machine.travel(seoul(2026, 12, 10, 11, 0), tick=False):
        order_refund(
            order=orders[0], amount_won=orders[0].amount_won, reason="반품", acting_user=None, gateway=stripe_gateway
        )
        ledger_post_pending(municipality=municipality)
    december = Posting.objects.get(kind=Posting.Kind.REFUND).period
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        period_close(period=december, acting_user=maker)
    negatives = Statement.objects.filter(period=december)
    assert negatives.count() == 2 and all(s.net_won < 0 and s.payable_won == 0 for s in negatives)
    # November's batch pays both; December's has nothing to pay
    batch = payout_batch_prepare(period=period, acting_user=maker)
    with pytest.raises(PayoutError, match="승인된"):
        payout_batch_export(batch=batch, acting_user=maker)
    payout_batch_approve(batch=batch, acting_user=checker)
    rows = _rows(payout_batch_export(batch=batch, acting_user=checker))
    assert rows[0] == CSV_HEADER == ["은행코드", "계좌번호", "예금주", "금액", "적요"]
    paid = Statement.objects.filter(period=period).order_by("number")
    assert rows[1:] == [
        [s.bank_code, s.account_number, s.account_holder, str(s.payable_won), "꾸러미2611정산"] for s in paid
    ]
    empty = payout_batch_prepare(period=december, acting_user=maker)
    assert (empty.item_count, empty.total_won) == (0, 0)
    payout_batch_approve(batch=empty, acting_user=checker)
    assert _rows(payout_batch_export(batch=empty, acting_user=checker)) == [CSV_HEADER]
    assert not PayoutItem.objects.filter(statement__in=negatives).exists()


def test_marking_paid_needs_approval_export_and_a_reference_and_repeats_safely(municipality, stripe_gateway):
    period, _orders, maker = closed_november(municipality, stripe_gateway, orders=1)
    checker = finance_user(municipality)
    batch = payout_batch_prepare(period=period, acting_user=maker)
    with pytest.raises(PayoutError, match="승인된"):
        payout_batch_mark_paid(batch=batch, acting_user=checker, transfer_reference="KB-1")
    payout_batch_approve(batch=batch, acting_user=checker)
    with pytest.raises(PayoutError, match="이체 파일"):
        payout_batch_mark_paid(batch=batch, acting_user=checker, transfer_reference="KB-1")
    payout_batch_export(batch=batch, acting_user=maker)
    with pytest.raises(PayoutError, match="참조번호"):
        payout_batch_mark_paid(batch=batch, acting_user=maker, transfer_reference="  ")
    paid = payout_batch_mark_paid(batch=batch, acting_user=maker, transfer_reference=" KB-20261210-01 ")
    assert (paid.status, paid.transfer_reference, paid.paid_by) == ("paid", "KB-20261210-01", maker)
    again = payout_batch_mark_paid(batch=batch, acting_user=checker, transfer_reference="KB-20261210-01")
    assert (again.paid_at, again.paid_by) == (paid.paid_at, maker)
    with pytest.raises(PayoutError, match="이미 지급"):
        payout_batch_mark_paid(batch=batch, acting_user=checker, transfer_reference="OTHER")


def test_an_open_period_cannot_be_paid_and_a_missing_account_is_named(municipality, stripe_gateway):
    bundle = two_merchant_bundle(municipality)
    paid_orders(municipality, stripe_gateway, bundle, 1)
    maker = finance_user(municipality)
    november = period_for(municipality, seoul(2026, 11, 10))
    with pytest.raises(PayoutError, match="마감된"):
        payout_batch_prepare(period=november, acting_user=maker)
    merchant = bundle.items.first().product.merchant
    type(merchant).objects.filter(pk=merchant.pk).update(bank_code="", account_number="", account_holder="")
    with time_machine.travel(seoul(2026, 12, 5, 9, 0), tick=False):
        period_close(period=november, acting_user=maker)
    with pytest.raises(PayoutError, match=merchant.name):
        payout_batch_prepare(period=november, acting_user=maker)
    assert not PayoutBatch.objects.exists()
