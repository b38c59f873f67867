import csv
import io

import pytest
import time_machine
from django.urls import reverse

from core.money import format_won
from settlement.models import PayoutBatch, SettlementPeriod, Statement
from tests.delivery.helpers import tasks_run_inline
from tests.municipalities.factories import MembershipFactory
from tests.settlement.helpers import AFTER_NOVEMBER, paid_orders, two_merchant_bundle
from tests.settlement.pdf_helpers import closed_november, finance_user, november

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"settlement:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def test_settlement_pages_are_for_admin_and_finance_only(client, municipality, stripe_gateway, staff_admin):
    period, _orders, finance = closed_november(municipality, stripe_gateway)
    statement = Statement.objects.filter(period=period).first()
    pages = [
        url("staff-periods", municipality),
        url("staff-period", municipality, period_id=period.pk),
        url("staff-reconciliation", municipality, period_id=period.pk),
        url("staff-statement", municipality, statement_id=statement.pk),
        url("staff-payouts", municipality),
    ]
    for role in ("curator", "logistics", "merchant"):
        client.force_login(MembershipFactory(municipality=municipality, role=role).user)
        assert {client.get(page).status_code for page in pages} == {403}
    for user in (staff_admin, finance):
        client.force_login(user)
        assert {client.get(page).status_code for page in pages} == {200}
    # admin may look but only finance acts
    client.force_login(staff_admin)
    assert client.post(url("staff-payout-prepare", municipality, period_id=period.pk)).status_code == 403
    assert not PayoutBatch.objects.exists()


def test_another_tenants_period_and_statement_are_404(client, municipality, other_municipality, stripe_gateway):
    period, _orders, _finance = closed_november(municipality, stripe_gateway)
    statement = Statement.objects.filter(period=period).first()
    client.force_login(MembershipFactory(municipality=other_municipality, role="finance").user)
    assert client.get(url("staff-period", other_municipality, period_id=period.pk)).status_code == 404
    assert client.get(url("staff-statement", other_municipality, statement_id=statement.pk)).status_code == 404
    assert client.get(url("staff-statement-pdf", other_municipality, statement_id=statement.pk)).status_code == 404


def test_staff_ask_finance_confirms_and_the_pdf_progress_is_shown(
    client, municipality, stripe_gateway, staff_admin, django_capture_on_commit_callbacks
):
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    period = november(municipality)
    finance = finance_user(municipality)
    page = url("staff-period", municipality, period_id=period.pk)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        client.force_login(staff_admin)
        preview = client.get(page).content.decode()
        assert "미리보기" in preview and "주문 결제 2건" in preview
        client.post(url("staff-period-request-close", municipality, period_id=period.pk))
        assert SettlementPeriod.objects.get(pk=period.pk).status == "closing"
        # admin cannot confirm
        assert client.post(url("staff-period-close", municipality, period_id=period.pk)).status_code == 403
        client.force_login(finance)
        # the close is confirmed; its PDF tasks are queued after commit (not run yet: no worker)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(url("staff-period-close", municipality, period_id=period.pk))
        assert SettlementPeriod.objects.get(pk=period.pk).status == "closed"
        total = Statement.objects.filter(period=period).count()
        progress = client.get(page + "?fragment=progress", HTTP_HX_REQUEST="true").content.decode()
        assert f"{total}건 중 0건 (0%)" in progress and "hx-trigger" in progress
        with tasks_run_inline():
            for callback in callbacks:
                callback()
        progress = client.get(page + "?fragment=progress", HTTP_HX_REQUEST="true").content.decode()
        assert f"{total}건 중 {total}건 (100%)" in progress and "hx-trigger" not in progress
        full = client.get(page).content.decode()
        for statement in Statement.objects.filter(period=period):
            assert statement.party_name in full
        assert "차이 0원" in full


def test_the_reconciliation_report_shows_zero_won(client, municipality, stripe_gateway):
    period, _orders, finance = closed_november(municipality, stripe_gateway)
    client.force_login(finance)
    body = client.get(url("staff-reconciliation", municipality, period_id=period.pk)).content.decode()
    assert 'data-testid="reconciliation-difference">0원<' in body
    assert "차이가 없습니다" in body


def test_payout_pages_walk_maker_checker_to_paid(client, municipality, stripe_gateway):
    period, _orders, maker = closed_november(municipality, stripe_gateway)
    checker = finance_user(municipality)
    client.force_login(maker)
    response = client.post(url("staff-payout-prepare", municipality, period_id=period.pk))
    batch = PayoutBatch.objects.get()
    assert response.url == url("staff-payout", municipality, batch_id=batch.pk)
    detail = client.get(response.url).content.decode()
    assert "준비한 사람은 승인할 수 없습니다" in detail and format_won(batch.total_won) in detail
    client.post(url("staff-payout-approve", municipality, batch_id=batch.pk))
    assert PayoutBatch.objects.get().status == "prepared"
    client.force_login(checker)
    client.post(url("staff-payout-approve", municipality, batch_id=batch.pk))
    assert PayoutBatch.objects.get().status == "approved"
    export = client.post(url("staff-payout-export", municipality, batch_id=batch.pk))
    assert export.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["은행코드", "계좌번호", "예금주", "금액", "적요"] and len(rows) == 1 + batch.item_count
    client.post(url("staff-payout-paid", municipality, batch_id=batch.pk), {"transfer_reference": "NH-777"})
    batch.refresh_from_db()
    assert (batch.status, batch.transfer_reference, batch.paid_by) == ("paid", "NH-777", checker)
    assert "NH-777" in client.get(url("staff-payouts", municipality)).content.decode()


def test_a_difference_is_listed_by_order(client, municipality, stripe_gateway):
    from subscriptions.models import PaymentAttempt

    period, orders, finance = closed_november(municipality, stripe_gateway)
    # the payment record of one order says 1,000 won more was captured than the ledger posted
    attempt = PaymentAttempt.objects.get(order=orders[1], status="succeeded")
    PaymentAttempt.objects.filter(pk=attempt.pk).update(amount_won=attempt.amount_won + 1_000)
    client.force_login(finance)
    body = client.get(url("staff-reconciliation", municipality, period_id=period.pk)).content.decode()
    assert 'data-testid="reconciliation-difference">1,000원<' in body
    assert f"주문 #{orders[1].pk}" in body and f"주문 #{orders[0].pk}" not in body
    assert "차이가 있습니다" in body
