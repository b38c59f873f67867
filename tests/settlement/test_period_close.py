from datetime import date

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from settlement.ledger import ledger_post_pending
from settlement.models import Account, Posting, PostingLine, SettlementPeriod, Statement, StatementLine
from settlement.period_calendar import period_for
from settlement.periods import (
    PeriodCloseError,
    period_close,
    period_close_request,
    period_preview,
    periods_due_for_close,
)
from settlement.reconciliation import period_reconcile
from subscriptions.billing.refunds import order_refund
from subscriptions.models import Order
from subscriptions.promotions import support_campaign_create
from tests.municipalities.factories import MembershipFactory
from tests.settlement.helpers import (
    AFTER_DECEMBER,
    AFTER_NOVEMBER,
    BEFORE,
    IN_NOVEMBER,
    bundle_of,
    close_and_charge,
    paid_orders,
    subscribe,
    two_merchant_bundle,
)
from tests.subscriptions.helpers import DECLINING, seoul
from tests.tourism.factories import OfferFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.services import coupon_redeem

pytestmark = pytest.mark.django_db


def _finance(municipality):
    return MembershipFactory(municipality=municipality, role="finance").user


def _november(municipality) -> SettlementPeriod:
    return period_for(municipality, seoul(2026, 11, 10))


def _statement_data(period: SettlementPeriod) -> list:
    statements = list(Statement.objects.filter(period=period).order_by("number").values())
    lines = list(StatementLine.objects.filter(statement__period=period).order_by("pk").values())
    return [statements, lines]


def _assert_statements_add_up(period: SettlementPeriod) -> None:
    for statement in Statement.objects.filter(period=period):
        lines = statement.lines.all()
        assert statement.net_won == sum(line.amount_won for line in lines)
        assert statement.net_won == (
            statement.sales_won + statement.refunds_won + statement.adjustments_won + statement.carried_in_won
        )
        assert statement.payable_won == max(statement.net_won, 0)
        assert statement.carry_out_won == min(statement.net_won, 0)
        assert statement.line_count == len(lines)


def test_a_month_of_orders_refunds_support_and_coupons_reconciles_to_zero(municipality, stripe_gateway):
    # given a month: two bundles sharing a merchant, a prepaid term, shipping support that runs out,
    # a declined card, a partial and a full refund, and a coupon redeemed at a partner
    with time_machine.travel(BEFORE, tick=False):
        support_campaign_create(
            municipality=municipality,
            acting_user=None,
            name="배송비 지원",
            budget_won=5_000,
            per_box_cap_won=3_000,
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 30),
        )
    tea_and_jam = two_merchant_bundle(municipality)
    tea = tea_and_jam.items.order_by("-product__supply_price_won").first().product.merchant
    rice = bundle_of(
        municipality, [(9_000, 3, "exempt"), (7_500, 1, "exempt")], price_won=45_000, merchants=[tea, None]
    )
    subscriptions = [subscribe(municipality, stripe_gateway, tea_and_jam) for _ in range(3)]
    subscriptions.append(subscribe(municipality, stripe_gateway, rice, term=3))
    subscriptions.append(subscribe(municipality, stripe_gateway, tea_and_jam, number=DECLINING))
    orders = close_and_charge(stripe_gateway, subscriptions)
    paid = [order for order in orders if order.status == Order.Status.PAID]
    assert len(paid) == 4
    assert sum(order.shipping_support_won for order in paid) == 5_000
    offer = OfferFactory(partner__municipality=municipality, reimbursement_won=4_000)
    with time_machine.travel(IN_NOVEMBER, tick=False):
        order_refund(order=paid[0], amount_won=5_001, reason="일부 파손", acting_user=None, gateway=stripe_gateway)
        order_refund(
            order=paid[1], amount_won=paid[1].amount_won, reason="반품", acting_user=None, gateway=stripe_gateway
        )
        coupon = issued_coupon(offer)
        coupon_redeem(coupon=coupon, partner=offer.partner, acting_user=partner_user(offer.partner))
    # when
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        result = period_close(period=_november(municipality), acting_user=_finance(municipality))
    # then
    november = SettlementPeriod.objects.get(pk=result.period_id)
    assert november.status == SettlementPeriod.Status.CLOSED
    assert result.postings == 4 + 2 + 1
    report = period_reconcile(period=november)
    assert report.difference_won == 0
    assert report.orders == []
    assert report.balanced
    assert report.captured_won == sum(order.amount_won for order in paid)
    assert report.refunded_won == 5_001 + paid[1].amount_won
    # the budget paid 3,000 + 2,000; the full refund gives back its box's 2,000 and the partial refund of
    # 5,001 won of a 39,000 won charge gives back 5,001 × 3,000 / 39,000 = 384.7 → 385 won
    assert (paid[0].shipping_support_won, paid[1].shipping_support_won) == (3_000, 2_000)
    assert report.shipping_support_won == 5_000 - 2_000 - 385
    assert report.tourism_budget_won == 4_000
    assert report.partner_payable_won == 4_000
    # one statement per merchant (three) and per partner (one), numbered 1..4 without gaps
    statements = list(Statement.objects.filter(period=november).order_by("number"))
    assert [s.number for s in statements] == [1, 2, 3, 4]
    assert sorted(s.party_kind for s in statements) == ["merchant", "merchant", "merchant", "partner"]
    _assert_statements_add_up(november)
    # the shared merchant is owed its goods in both bundles: 2 boxes of tea kept (one refunded in full,
    # one reduced by a share of 5,001 won) + three boxes of rice (prepaid term) at 9,000 × 3
    tea_statement = Statement.objects.get(period=november, merchant=tea)
    assert tea_statement.sales_won == 3 * 24_000 + 3 * 3 * 9_000
    # 24,000 × 5,001 / 39,000 = 3,077.4 → 3,077
    assert _tea_share_of(paid[0], 5_001) == 3_077
    assert tea_statement.refunds_won == -(24_000 + 3_077)
    assert tea_statement.exempt_won == tea_statement.net_won and tea_statement.taxable_won == 0
    assert tea_statement.party_business_number == tea.business_registration_number
    assert tea_statement.municipality_business_number == municipality.business_registration_number
    jam_statement = Statement.objects.get(period=november, merchant__name=_jam(tea_and_jam).name)
    assert jam_statement.taxable_won == jam_statement.net_won and jam_statement.exempt_won == 0
    partner_statement = Statement.objects.get(period=november, partner=offer.partner)
    assert partner_statement.net_won == 4_000
    assert partner_statement.lines.get().kind == StatementLine.Kind.REDEMPTION
    assert set(StatementLine.objects.filter(statement=tea_statement).values_list("kind", flat=True)) == {
        "sale",
        "refund",
    }
    # the ledger's payables are exactly what the statements owe
    assert sum(s.net_won for s in statements) == report.merchant_payable_won + report.partner_payable_won


def _tea_share_of(order: Order, refund_won: int) -> int:
    line = PostingLine.objects.get(
        posting__refund__order=order,
        posting__refund__amount_won=refund_won,
        account=Account.MERCHANT_PAYABLE,
        unit_supply_price_won=12_000,
    )
    return line.amount_won  # a refund's merchant line is a debit: what the merchant gives back


def _jam(bundle):
    return bundle.items.get(product__supply_price_won=5_000).product.merchant


def test_a_refund_after_close_is_an_adjustment_in_the_next_period_and_the_closed_statement_stays(
    municipality, stripe_gateway
):
    # given a closed November with two orders
    first, _second = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    finance = _finance(municipality)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        period_close(period=_november(municipality), acting_user=finance)
    november = _november(municipality)
    before = _statement_data(november)
    # when the first order is refunded in full in December
    with time_machine.travel(seoul(2026, 12, 10, 11, 0), tick=False):
        order_refund(order=first, amount_won=first.amount_won, reason="반품", acting_user=None, gateway=stripe_gateway)
        ledger_post_pending(municipality=municipality)
    # then it is posted into December, naming the November payment
    refund = Posting.objects.get(kind=Posting.Kind.REFUND)
    assert refund.period.label == "2026-12"
    assert refund.adjusts == Posting.objects.get(order=first, kind=Posting.Kind.ORDER_PAID)
    assert refund.memo == f"2026-11 정산 조정: 주문 #{first.pk} 환불"
    assert _statement_data(november) == before
    assert not PostingLine.objects.filter(period=november, posting=refund).exists()
    # when December closes: both merchants owe the refund back and have no December sales
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        period_close(period=refund.period, acting_user=finance)
    # then the adjustment is its own line, the negative balance is carried, never paid
    december = Statement.objects.filter(period=refund.period)
    assert december.count() == 2
    _assert_statements_add_up(refund.period)
    for statement in december:
        line = statement.lines.get()
        assert line.kind == StatementLine.Kind.ADJUSTMENT
        assert line.memo == f"2026-11 정산 조정: 주문 #{first.pk} 환불"
        assert statement.payable_won == 0
        assert statement.carry_out_won == statement.net_won < 0
    assert [s.number for s in Statement.objects.order_by("number")] == [1, 2, 3, 4]
    assert _statement_data(november) == before
    # and January carries the balance forward as a line
    january = period_for(municipality, seoul(2027, 1, 15))
    with time_machine.travel(seoul(2027, 2, 5, 9, 0), tick=False):
        period_close(period=january, acting_user=finance)
    for previous in december:
        carried = Statement.objects.get(period=january, merchant=previous.merchant)
        assert carried.carried_in_won == previous.carry_out_won
        assert carried.lines.get().kind == StatementLine.Kind.CARRIED
        assert carried.payable_won == 0 and carried.carry_out_won == previous.carry_out_won


def test_a_coupon_entered_late_for_a_closed_month_lands_in_the_open_month(municipality, stripe_gateway):
    # given November closed, and a coupon used on 30 November but entered on 6 December
    offer = OfferFactory(partner__municipality=municipality, reimbursement_won=4_000)
    with time_machine.travel(seoul(2026, 11, 29, 10, 0), tick=False):
        coupon = issued_coupon(offer)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        period_close(period=_november(municipality), acting_user=_finance(municipality))
    with time_machine.travel(seoul(2026, 12, 6, 10, 0), tick=False):
        coupon_redeem(
            coupon=coupon,
            partner=offer.partner,
            acting_user=partner_user(offer.partner),
            used_at=seoul(2026, 11, 30, 15, 0),
        )
        # when
        ledger_post_pending(municipality=municipality)
    # then
    posting = Posting.objects.get(coupon=coupon)
    assert posting.period.label == "2026-12"
    assert posting.memo.startswith("2026-11 정산 조정: ")
    assert Statement.objects.filter(period__label="2026-11").count() == 0


def test_only_finance_closes_and_staff_may_ask(municipality, stripe_gateway, staff_admin):
    # given
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    november = _november(municipality)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        # when an administrator closes
        with pytest.raises(PeriodCloseError, match="재무·정산 담당자"):
            period_close(period=november, acting_user=staff_admin)
        # then nothing was posted or stated
        assert Posting.objects.count() == 0 and Statement.objects.count() == 0
        # when the administrator asks and finance confirms
        requested = period_close_request(period=november, acting_user=staff_admin)
        assert requested.status == SettlementPeriod.Status.CLOSING
        result = period_close(period=november, acting_user=_finance(municipality))
        again = period_close(period=november, acting_user=_finance(municipality))
    # then
    november.refresh_from_db()
    assert november.status == SettlementPeriod.Status.CLOSED
    assert november.close_requested_by == staff_admin
    assert (result.statements, again.already_closed, Statement.objects.count()) == (2, True, 2)


def test_a_period_closes_only_after_it_ends_and_after_the_one_before(municipality, stripe_gateway):
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    finance = _finance(municipality)
    november = _november(municipality)
    december = period_for(municipality, seoul(2026, 12, 10))
    with time_machine.travel(seoul(2026, 11, 30, 23, 0), tick=False), pytest.raises(PeriodCloseError):
        period_close(period=november, acting_user=finance)
    with time_machine.travel(AFTER_DECEMBER, tick=False):
        with pytest.raises(PeriodCloseError, match="2026-11 정산을 먼저"):
            period_close(period=december, acting_user=finance)
        assert Statement.objects.count() == 0 and Posting.objects.count() == 0
        assert [p.label for p in periods_due_for_close(municipality=municipality)] == ["2026-11", "2026-12"]


def test_the_preview_shows_what_the_close_would_post_and_pay(municipality, stripe_gateway):
    # given
    orders = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    november = _november(municipality)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        # when
        preview = period_preview(period=november)
        # then nothing is posted, and the numbers are those the close then states
        assert Posting.objects.count() == 0
        assert preview.pending_by_kind == {"order_paid": 2}
        period_close(period=november, acting_user=_finance(municipality))
    statements = {s.merchant_id: s.net_won for s in Statement.objects.filter(period=november)}
    assert {p.party_id: p.total_won for p in preview.parties} == statements
    assert preview.payable_won == 2 * 29_000
    assert (
        preview.commission_won
        == -PostingLine.objects.filter(account=Account.COMMISSION).aggregate(total=Sum("amount_won"))["total"]
    )
    assert len(orders) == 2


def test_the_close_takes_a_fixed_number_of_queries(
    municipality, other_municipality, stripe_gateway, django_assert_max_num_queries
):
    # given one order of two merchants with a refund here; eight orders of eight merchants over four bundles
    # with three refunds there
    small_orders = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    bundles = [two_merchant_bundle(other_municipality) for _ in range(4)]
    subscriptions = [subscribe(other_municipality, stripe_gateway, bundle) for bundle in bundles for _ in range(2)]
    orders = close_and_charge(stripe_gateway, subscriptions)
    with time_machine.travel(IN_NOVEMBER, tick=False):
        for order in orders[:3] + small_orders:
            order_refund(order=order, amount_won=2_000, reason="지연", acting_user=None, gateway=stripe_gateway)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        with CaptureQueriesContext(connection) as small:
            period_close(period=_november(municipality), acting_user=None)
        # when / then the bigger close takes no more queries than the small one
        with django_assert_max_num_queries(len(small.captured_queries)):
            result = period_close(period=_november(other_municipality), acting_user=None)
    # then
    assert result.statements == 8
    assert StatementLine.objects.filter(statement__period_id=result.period_id).count() == 16 + 6


def test_a_municipality_settling_per_cycle_closes_each_weekly_cycle(municipality, stripe_gateway):
    # given a municipality that settles per delivery cycle, and a box charged on Monday 16 November
    municipality.settlement_period = municipality.SettlementPeriod.PER_CYCLE
    municipality.save(update_fields=["settlement_period"])
    [order] = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    # when the cycle's week has ended
    with time_machine.travel(seoul(2026, 11, 23, 0, 30), tick=False):
        ledger_post_pending(municipality=municipality)
        period = Posting.objects.get(order=order).period
        due_at_once = periods_due_for_close(municipality=municipality)
    with time_machine.travel(seoul(2026, 11, 27, 3, 0), tick=False):
        due_on_friday = periods_due_for_close(municipality=municipality)
        result = period_close(period=period, acting_user=_finance(municipality))
    # then the period is the week from the cycle's Monday cutoff, closed automatically from the Friday after
    assert (period.label, period.starts_at, period.ends_at) == (
        "2026-11-16 회차",
        seoul(2026, 11, 16),
        seoul(2026, 11, 23),
    )
    assert due_at_once == []
    assert [p.pk for p in due_on_friday] == [period.pk]
    assert result.statements == 2
