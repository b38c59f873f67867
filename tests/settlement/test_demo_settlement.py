import pytest
import time_machine

from demo.seed.settlement import LATE_REFUND_REASON, seed_settlement
from settlement.models import PayoutBatch, Posting, SettlementPeriod, Statement, StatementLine
from settlement.pdf import statement_pdf_verify
from tests.municipalities.factories import MembershipFactory
from tests.settlement.helpers import paid_orders, two_merchant_bundle
from tests.subscriptions.helpers import seoul

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (SettlementPeriod, Posting, Statement, StatementLine, PayoutBatch)
    }


def test_the_demo_closes_past_months_pays_one_batch_leaves_one_for_approval_and_carries_an_adjustment(
    municipality, other_municipality, stripe_gateway
):
    # given: November orders in two municipalities, each with one finance person
    for tenant in (municipality, other_municipality):
        paid_orders(tenant, stripe_gateway, two_merchant_bundle(tenant), 2)
        MembershipFactory(municipality=tenant, role="finance")
    first, second = sorted((municipality, other_municipality), key=lambda m: m.slug)
    # when: the demo step runs twice in December
    with time_machine.travel(seoul(2026, 12, 10, 9, 0), tick=False):
        lines = seed_settlement()
        counts = _counts()
        seed_settlement()
    assert _counts() == counts
    assert any("2026-11" in line for line in lines)
    # then: November is closed with a statement and a stored PDF for every merchant
    for tenant in (first, second):
        november = SettlementPeriod.objects.get(municipality=tenant, label="2026-11")
        assert november.status == "closed"
        statements = Statement.objects.filter(period=november)
        assert statements.count() == 2
        assert all(statement_pdf_verify(statement) for statement in statements)
    # one batch approved and paid, the other awaiting approval, by two different finance people
    paid = PayoutBatch.objects.get(municipality=first)
    assert (paid.status, paid.transfer_reference) == ("paid", "KB-DEMO-0001")
    assert paid.approved_by != paid.prepared_by and paid.exported_at is not None
    assert PayoutBatch.objects.get(municipality=second).status == "prepared"
    # and a late refund of a closed month sits in the open month as an adjustment naming its order
    for tenant in (first, second):
        adjustment = Posting.objects.get(municipality=tenant, refund__reason=LATE_REFUND_REASON)
        assert adjustment.period.label == "2026-12" and adjustment.period.status == "open"
        assert adjustment.adjusts.period.label == "2026-11"
        assert f"주문 #{adjustment.refund.order_id}" in adjustment.memo
