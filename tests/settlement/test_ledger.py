import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from settlement.ledger import ledger_post_pending
from settlement.models import Account, AppendOnlyError, Posting, PostingLine
from subscriptions.billing.refunds import order_refund
from tests.settlement.helpers import AFTER_NOVEMBER, IN_NOVEMBER, paid_orders, two_merchant_bundle

pytestmark = pytest.mark.django_db


def _lines(posting: Posting) -> list[tuple[str, int, int | None]]:
    return sorted((line.account, line.amount_won, line.merchant_id) for line in posting.lines.all())


def test_a_paid_order_splits_into_fee_merchants_shipping_and_commission(municipality, stripe_gateway):
    # given one paid box: 39,000 + 3,000 shipping; supply 12,000 × 2 (tea) and 5,000 × 1 (jam); card fee 3.30 %
    bundle = two_merchant_bundle(municipality)
    [order] = paid_orders(municipality, stripe_gateway, bundle, 1)
    tea, jam = sorted(order.items.all(), key=lambda item: -item.supply_price_won)
    # when
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        posted = ledger_post_pending(municipality=municipality)
    # then
    assert posted == 1
    posting = Posting.objects.get(order=order)
    assert posting.kind == Posting.Kind.ORDER_PAID
    assert posting.period.label == "2026-11"
    # commission 42,000 − 1,386 − 3,000 − 29,000 = 8,614, split 24,000 : 5,000 by largest remainder
    assert _lines(posting) == sorted(
        [
            (Account.SUBSCRIBER_PAYMENTS, 42_000, None),
            (Account.CARD_FEES, -1_386, None),
            (Account.SHIPPING, -3_000, None),
            (Account.MERCHANT_PAYABLE, -24_000, tea.merchant_id),
            (Account.MERCHANT_PAYABLE, -5_000, jam.merchant_id),
            (Account.COMMISSION, -7_129, tea.merchant_id),
            (Account.COMMISSION, -1_485, jam.merchant_id),
        ]
    )
    tea_line = posting.lines.get(account=Account.MERCHANT_PAYABLE, merchant_id=tea.merchant_id)
    assert (tea_line.quantity, tea_line.unit_supply_price_won, tea_line.tax_type) == (2, 12_000, "exempt")


def test_posting_twice_posts_once(municipality, stripe_gateway):
    # given
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        first = ledger_post_pending(municipality=municipality)
        lines = PostingLine.objects.count()
        # when
        second = ledger_post_pending(municipality=municipality)
    # then
    assert (first, second) == (2, 0)
    assert Posting.objects.count() == 2
    assert PostingLine.objects.count() == lines


def test_refunds_reverse_in_proportion_and_a_full_refund_reverses_exactly(municipality, stripe_gateway):
    # given two paid orders; one refunded in full, the other in three odd parts that add up to everything
    first, second = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 2)
    with time_machine.travel(IN_NOVEMBER, tick=False):
        order_refund(order=first, amount_won=42_000, reason="상품 파손", acting_user=None, gateway=stripe_gateway)
        ledger_post_pending(municipality=municipality)
        order_refund(order=second, amount_won=10_001, reason="일부 누락", acting_user=None, gateway=stripe_gateway)
        ledger_post_pending(municipality=municipality)
        order_refund(order=second, amount_won=7, reason="일부 누락", acting_user=None, gateway=stripe_gateway)
        order_refund(order=second, amount_won=31_992, reason="일부 누락", acting_user=None, gateway=stripe_gateway)
        # when
        ledger_post_pending(municipality=municipality)
    # then every line of both orders nets to zero, account by account and merchant by merchant
    for order in (first, second):
        totals = (
            PostingLine.objects.filter(order=order)
            .exclude(account__in=[Account.SUBSCRIBER_PAYMENTS, Account.REFUNDS])
            .values("account", "merchant_id", "product_id")
            .annotate(total=Sum("amount_won"))
        )
        assert {row["total"] for row in totals} == {0}
    full = Posting.objects.get(refund__order=first)
    original = Posting.objects.get(order=first, kind=Posting.Kind.ORDER_PAID)
    assert sorted(-line.amount_won for line in full.lines.exclude(account=Account.REFUNDS)) == sorted(
        line.amount_won for line in original.lines.exclude(account=Account.SUBSCRIBER_PAYMENTS)
    )
    assert full.memo == f"주문 #{first.pk} 환불"
    assert full.adjusts is None  # same period as the sale: a refund, not an adjustment
    # the partial refund of 10,001 won takes 10,001/42,000 of the tea merchant's 24,000: 5,714.86 → 5,715 or 5,714
    partial = Posting.objects.filter(refund__order=second).order_by("pk").first()
    tea = partial.lines.filter(account=Account.MERCHANT_PAYABLE).order_by("amount_won").last()
    assert tea.amount_won in (5_714, 5_715)


def test_every_posting_balances(municipality, stripe_gateway):
    # given paid orders and refunds of odd amounts
    orders = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality, price_won=38_999), 3)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        order_refund(order=orders[0], amount_won=1_234, reason="지연", acting_user=None, gateway=stripe_gateway)
        order_refund(order=orders[1], amount_won=41_999, reason="지연", acting_user=None, gateway=stripe_gateway)
        # when
        ledger_post_pending(municipality=municipality)
    # then
    sums = PostingLine.objects.values("posting_id").annotate(total=Sum("amount_won"))
    assert len(sums) == 5
    assert {row["total"] for row in sums} == {0}


def test_ledger_rows_refuse_changes_in_the_model(municipality, stripe_gateway):
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
    posting = Posting.objects.get()
    line = posting.lines.first()
    line.amount_won += 1
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()
    assert PostingLine.objects.get(pk=line.pk).amount_won == line.amount_won - 1


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE settlement_postingline SET amount_won = amount_won + 1 WHERE id = %(line)s",
        "DELETE FROM settlement_postingline WHERE id = %(line)s",
        "UPDATE settlement_posting SET memo = 'changed' WHERE id = %(posting)s",
        "DELETE FROM settlement_posting WHERE id = %(posting)s",
    ],
)
def test_the_database_refuses_to_update_or_delete_a_ledger_entry(municipality, stripe_gateway, sql):
    # given
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
    posting = Posting.objects.get()
    line = posting.lines.order_by("pk").first()
    before = list(PostingLine.objects.order_by("pk").values_list("amount_won", flat=True))
    # when
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, {"line": line.pk, "posting": posting.pk})
    # then
    assert list(PostingLine.objects.order_by("pk").values_list("amount_won", flat=True)) == before
    assert Posting.objects.get().memo == posting.memo


def test_the_database_refuses_an_unbalanced_posting(municipality, stripe_gateway):
    # given a posting written around the service, with lines that do not sum to 0
    paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    with time_machine.travel(AFTER_NOVEMBER, tick=False):
        ledger_post_pending(municipality=municipality)
    posting = Posting.objects.get()
    # when
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        PostingLine.objects.create(
            municipality=municipality, posting=posting, period=posting.period, account=Account.COMMISSION, amount_won=-1
        )
    # then
    assert posting.lines.count() == 7


def test_posting_takes_a_fixed_number_of_queries(
    municipality, other_municipality, stripe_gateway, django_assert_max_num_queries
):
    # given one paid order with one refund in one municipality, five of each in another
    small = paid_orders(municipality, stripe_gateway, two_merchant_bundle(municipality), 1)
    big = paid_orders(other_municipality, stripe_gateway, two_merchant_bundle(other_municipality), 5)
    with time_machine.travel(IN_NOVEMBER, tick=False):
        for order in small + big:
            order_refund(order=order, amount_won=1_000, reason="지연", acting_user=None, gateway=stripe_gateway)
    with time_machine.travel(AFTER_NOVEMBER, tick=False), CaptureQueriesContext(connection) as small_run:
        assert ledger_post_pending(municipality=municipality) == 2
    # when / then the larger run takes no more queries than the run of one event of each kind
    with (
        time_machine.travel(AFTER_NOVEMBER, tick=False),
        django_assert_max_num_queries(len(small_run.captured_queries)),
    ):
        assert ledger_post_pending(municipality=other_municipality) == 10
