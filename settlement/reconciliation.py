"""Reconciliation of one period: what the gateway captured and refunded (as subscriptions recorded it)
against where the ledger says the money went. It must balance to exactly 0 won:

    captured − refunded = merchant payables + partner payables + commission + card fees + shipping
                          − shipping support − tourism budget

(the budgets pay part of the right-hand side, so they come off it). The left side is read from
PaymentAttempt (succeeded) and Refund (succeeded), not from the ledger; per order, the ledger's payment and
refund lines must equal the gateway's amounts. An event counts in the period its posting is in; one not
posted yet counts in the period its time falls in, so an event the ledger missed shows as a difference.
Six queries, whatever the number of orders.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, Sum

from settlement.models import Account, Posting, PostingLine, SettlementPeriod
from subscriptions.models import Order, PaymentAttempt, PaymentReturn, Refund


@dataclass(frozen=True)
class OrderDifference:
    order_id: int
    ledger_won: int  # payments − refunds on the order's ledger lines in the period
    gateway_won: int  # captured − refunded for the same events, from the payment records

    @property
    def difference_won(self) -> int:
        return self.ledger_won - self.gateway_won


@dataclass
class Reconciliation:
    period: SettlementPeriod
    captured_won: int
    refunded_won: int
    accounts: dict[str, int]  # ledger balance per account in the period (+ debit, − credit)
    orders: list[OrderDifference] = field(default_factory=list)  # only orders that differ

    def account(self, account: str) -> int:
        return self.accounts.get(account, 0)

    @property
    def merchant_payable_won(self) -> int:
        return -self.account(Account.MERCHANT_PAYABLE)

    @property
    def partner_payable_won(self) -> int:
        return -self.account(Account.PARTNER_PAYABLE)

    @property
    def commission_won(self) -> int:
        return -self.account(Account.COMMISSION)

    @property
    def card_fees_won(self) -> int:
        return -self.account(Account.CARD_FEES)

    @property
    def shipping_won(self) -> int:
        return -self.account(Account.SHIPPING)

    @property
    def shipping_support_won(self) -> int:
        return self.account(Account.SHIPPING_SUPPORT)

    @property
    def tourism_budget_won(self) -> int:
        return self.account(Account.TOURISM_BUDGET)

    @property
    def net_captured_won(self) -> int:
        return self.captured_won - self.refunded_won

    @property
    def allocated_won(self) -> int:
        return (
            self.merchant_payable_won
            + self.partner_payable_won
            + self.commission_won
            + self.card_fees_won
            + self.shipping_won
            - self.shipping_support_won
            - self.tourism_budget_won
        )

    @property
    def difference_won(self) -> int:
        """Must be 0: captured − refunded − what the ledger allocated."""
        return self.net_captured_won - self.allocated_won

    @property
    def balanced(self) -> bool:
        return self.difference_won == 0 and not self.orders


def period_reconcile(*, period: SettlementPeriod) -> Reconciliation:
    in_range = {"gte": period.starts_at, "lt": period.ends_at}
    accounts = dict(
        PostingLine.objects.filter(period=period)
        .values("account")
        .annotate(total=Sum("amount_won"))
        .values_list("account", "total")
    )
    ledger_by_order = dict(
        PostingLine.objects.filter(
            period=period, account__in=[Account.SUBSCRIBER_PAYMENTS, Account.REFUNDS], order_id__isnull=False
        )
        .values("order_id")
        .annotate(total=Sum("amount_won"))
        .values_list("order_id", "total")
    )
    paid_posted = Posting.objects.filter(period=period, kind=Posting.Kind.ORDER_PAID).values("order_id")
    paid_unposted = (
        Order.objects.filter(municipality_id=period.municipality_id, status=Order.Status.PAID, boxes_charged__gt=0)
        .filter(paid_at__gte=in_range["gte"], paid_at__lt=in_range["lt"])
        .filter(~Exists(Posting.objects.filter(order_id=OuterRef("pk"), kind=Posting.Kind.ORDER_PAID)))
        .values("pk")
    )
    captured = dict(
        PaymentAttempt.objects.filter(status=PaymentAttempt.Status.SUCCEEDED)
        # A payment given back whole because another attempt had paid the order (subscriptions'
        # PaymentReturn) was never the order's money; one not yet given back still shows as a difference.
        .exclude(returns__status=PaymentReturn.Status.SUCCEEDED)
        .filter(Q(order_id__in=paid_posted) | Q(order_id__in=paid_unposted))
        .values("order_id")
        .annotate(total=Sum("amount_won"))
        .values_list("order_id", "total")
    )
    refund_posted = Posting.objects.filter(period=period, kind=Posting.Kind.REFUND).values("refund_id")
    refunded = dict(
        Refund.objects.filter(municipality_id=period.municipality_id, status=Refund.Status.SUCCEEDED)
        .filter(
            Q(pk__in=refund_posted)
            | (
                Q(created_at__gte=in_range["gte"], created_at__lt=in_range["lt"])
                & ~Exists(Posting.objects.filter(refund_id=OuterRef("pk")))
            )
        )
        .values("order_id")
        .annotate(total=Sum("amount_won"))
        .values_list("order_id", "total")
    )
    differences = []
    for order_id in sorted(set(ledger_by_order) | set(captured) | set(refunded)):
        gateway = captured.get(order_id, 0) - refunded.get(order_id, 0)
        ledger = ledger_by_order.get(order_id, 0)
        if ledger != gateway:
            differences.append(OrderDifference(order_id=order_id, ledger_won=ledger, gateway_won=gateway))
    return Reconciliation(
        period=period,
        captured_won=sum(captured.values()),
        refunded_won=sum(refunded.values()),
        accounts=accounts,
        orders=differences,
    )
