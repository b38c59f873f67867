"""The settlement ledger, its periods and the statements made when a period closes.

Design note (read before building on it)
----------------------------------------
Ledger. A `Posting` is one source event; its `PostingLine`s sum to exactly 0 won (checked in
`settlement.ledger` before insert, and by a trigger over each INSERT on PostgreSQL). Sign convention:
a positive amount is money coming in for the event (a debit: what the subscriber paid, what a municipal
budget spends), a negative amount is where that money goes (a credit: what a merchant or partner is owed,
what the card company keeps, shipping, the municipality's commission). Accounts (`Account`):
  subscriber_payments  + captured card payments          refunds            − money returned to cards
  shipping_support     + municipal shipping-support budget tourism_budget     + municipal tourism budget
  card_fees            − card company fee                 shipping           − shipping fee of the box
  merchant_payable     − owed to one merchant (merchant)  partner_payable    − owed to one partner (partner)
  commission           − the municipality's margin; on an order it is split over the merchants by supply
                         value (merchant set) so a statement can show the commission on that merchant's goods.
Posting kinds and their source keys (unique per municipality, so an event posts once):
  order_paid  "order-<order id>"    an order paid: + payments (amount_won), + support (shipping_support_won);
              − card fee (card_fee_rate_bp of amount_won, rounded down like bundles.pricing.percent_of),
              − each OrderItem's supply price × quantity × boxes_charged, − shipping_fee_won, − commission
              (the rest: negative when the price does not cover supply + fee + shipping; allowed, visible).
  refund      "refund-<refund id>"  a succeeded refund: − refunds (amount) and every other line of the
              original order posting reversed in proportion (largest remainder), so a full refund reverses it.
  redemption  "coupon-<coupon id>"  a redeemed tourism coupon: + tourism budget, − partner payable
              (offer.reimbursement_won at posting time).
Postings and lines are append-only (model guards here, UPDATE/DELETE triggers on PostgreSQL).

Periods. `SettlementPeriod` per municipality, [starts_at, ends_at): Asia/Seoul months, or weekly delivery
cycles (settlement.period_calendar); OPEN → CLOSING → CLOSED. A posting belongs to the period of its
`occurred_at` while that period is open, otherwise to the first open period after it, with `adjusts`
naming the original posting and a memo
("2026-10 정산 조정: 주문 #123 환불"). Lines carry `period` too (denormalised for the close's GROUP BY).

Statements. Closing a period makes one `Statement` per merchant and per partner that has payable lines in
the period (or a negative balance carried from the previous one). Each payable ledger line becomes one
`StatementLine` (kind sale / refund / adjustment / redemption) with amount = −line amount (positive = owed
to the party); a balance carried from the previous statement is a `carried` line. `net_won` = sum of the
lines; `payable_won` = max(net, 0) is what may be paid out; `carry_out_won` = min(net, 0) moves to the next
period, never paid. Numbers are sequential per municipality without gaps (`StatementCounter`, locked).
Statements and their lines never change after close, except the statement's PDF fields filled in by the
renderer: `Statement.save` accepts only those (a FileField's `.save(name, content)` works), and PostgreSQL
triggers (migration 0004) refuse any other UPDATE or DELETE of statements, their lines and closed periods.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.tenancy import TenantModel


class AppendOnlyError(Exception):
    """A ledger row was about to be changed or deleted: the ledger only grows."""


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only")


class Account(models.TextChoices):
    SUBSCRIBER_PAYMENTS = "subscriber_payments", _("구독자 결제")
    REFUNDS = "refunds", _("환불")
    SHIPPING_SUPPORT = "shipping_support", _("배송비 지원(지자체 예산)")
    TOURISM_BUDGET = "tourism_budget", _("관광 예산")
    CARD_FEES = "card_fees", _("카드 수수료")
    SHIPPING = "shipping", _("배송비")
    MERCHANT_PAYABLE = "merchant_payable", _("소상공인 지급")
    PARTNER_PAYABLE = "partner_payable", _("제휴처 지급")
    COMMISSION = "commission", _("지자체 수수료")


PAYABLE_ACCOUNTS = (Account.MERCHANT_PAYABLE, Account.PARTNER_PAYABLE)


class SettlementPeriod(TenantModel):
    class Status(models.TextChoices):
        OPEN = "open", _("진행 중")
        CLOSING = "closing", _("마감 요청")
        CLOSED = "closed", _("마감")

    TRANSITIONS = {
        Status.OPEN: {Status.CLOSING, Status.CLOSED},
        Status.CLOSING: {Status.OPEN, Status.CLOSED},
        Status.CLOSED: set(),
    }

    label = models.CharField(_("정산 기간"), max_length=20, help_text=_("예: 2026-10"))
    starts_at = models.DateTimeField(_("시작"))
    ends_at = models.DateTimeField(_("종료(미포함)"))
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.OPEN)
    close_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_requested_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("정산 기간")
        verbose_name_plural = _("정산 기간")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "starts_at"], name="settlement_period_unique_start"),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="settlement_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class StatementCounter(TenantModel):
    """One row per municipality, locked by every close so statement numbers never skip or repeat."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality"], name="statement_counter_one_per_municipality")]


class Posting(AppendOnlyModel, TenantModel):
    class Kind(models.TextChoices):
        ORDER_PAID = "order_paid", _("주문 결제")
        REFUND = "refund", _("환불")
        REDEMPTION = "redemption", _("관광 쿠폰 사용")

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="postings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_key = models.CharField(max_length=60)
    occurred_at = models.DateTimeField(_("발생일시"))
    posted_at = models.DateTimeField(_("기장일시"))
    memo = models.CharField(_("적요"), max_length=200, blank=True)
    # Set only when the event lands in a later period than its original (a late event): the original.
    adjusts = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments")
    order = models.ForeignKey("subscriptions.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    refund = models.ForeignKey(
        "subscriptions.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coupon = models.ForeignKey("tourism.Coupon", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("분개")
        verbose_name_plural = _("분개")
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "source_key"], name="posting_unique_source"),
        ]
        indexes = [models.Index(fields=["municipality", "period", "kind"], name="posting_period_kind")]

    def __str__(self) -> str:
        return f"{self.source_key} ({self.period})"


class Entry(models.TextChoices):
    """How a line reads on a statement, decided when it is posted (settlement.ledger): a posting placed in a
    period later than its own (a late event) or reversing an earlier period's order is an adjustment."""

    SALE = "sale", _("판매")
    REFUND = "refund", _("환불")
    ADJUSTMENT = "adjustment", _("조정")
    REDEMPTION = "redemption", _("쿠폰 사용")


class PostingLine(AppendOnlyModel, TenantModel):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lines")
    # Kept on the line (not only on its posting) so a period's statement totals are one GROUP BY over
    # its lines, with no join (bench/settlement_close.py).
    entry = models.CharField(max_length=12, choices=Entry.choices)
    # Indexes only where the ledger is read (by posting, by period's party): every index is paid on each of
    # the many lines written by a close.
    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="+", db_index=False)
    account = models.CharField(max_length=30, choices=Account.choices)
    # Signed won: + debit (money in for the event), − credit (where it goes). See the module docstring.
    amount_won = models.BigIntegerField()
    merchant = models.ForeignKey(
        "bundles.Merchant", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    partner = models.ForeignKey(
        "tourism.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    order = models.ForeignKey(
        "subscriptions.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    product = models.ForeignKey(
        "bundles.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    product_name = models.CharField(max_length=80, blank=True)
    quantity = models.IntegerField(null=True, blank=True)
    unit_supply_price_won = models.PositiveIntegerField(null=True, blank=True)
    tax_type = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(account="merchant_payable") | models.Q(merchant__isnull=False),
                name="posting_line_merchant_payable_has_merchant",
            ),
            models.CheckConstraint(
                condition=~models.Q(account="partner_payable") | models.Q(partner__isnull=False),
                name="posting_line_partner_payable_has_partner",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "account", "merchant"], name="posting_line_period_merchant"),
            models.Index(
                fields=["period", "account", "partner"],
                condition=models.Q(partner__isnull=False),
                name="posting_line_period_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_display()} {self.amount_won:+,}"


class Statement(TenantModel):
    """One party's statement for one closed period, with both parties' details as they were at close."""

    class PartyKind(models.TextChoices):
        MERCHANT = "merchant", _("소상공인")
        PARTNER = "partner", _("관광 제휴처")

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="statements")
    number = models.PositiveIntegerField(_("정산서 번호"))
    party_kind = models.CharField(max_length=10, choices=PartyKind.choices)
    merchant = models.ForeignKey(
        "bundles.Merchant", on_delete=models.PROTECT, null=True, blank=True, related_name="settlement_statements"
    )
    partner = models.ForeignKey(
        "tourism.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="settlement_statements"
    )
    issued_at = models.DateTimeField(_("발행일시"))
    municipality_name = models.CharField(max_length=50)
    municipality_business_number = models.CharField(max_length=12)
    # As printed on the statement: a municipality that moves later does not change an issued statement.
    # Empty on statements issued before these were kept (their PDF prints the current ones).
    municipality_address = models.CharField(max_length=200, blank=True)
    municipality_phone = models.CharField(max_length=20, blank=True)
    party_name = models.CharField(_("상호"), max_length=80)
    party_representative = models.CharField(_("대표자"), max_length=40, blank=True)
    party_business_number = models.CharField(_("사업자등록번호"), max_length=12)
    bank_code = models.CharField(max_length=3, blank=True)
    account_number = models.CharField(max_length=30, blank=True)
    account_holder = models.CharField(max_length=40, blank=True)
    # Totals, in won owed to the party (a refund is negative). net = sales + refunds + adjustments + carried_in.
    sales_won = models.BigIntegerField(_("판매·사용"), default=0)
    refunds_won = models.BigIntegerField(_("환불"), default=0)
    adjustments_won = models.BigIntegerField(_("조정"), default=0)
    carried_in_won = models.BigIntegerField(_("이월"), default=0)
    exempt_won = models.BigIntegerField(_("면세분"), default=0)
    taxable_won = models.BigIntegerField(_("과세분"), default=0)
    commission_won = models.BigIntegerField(_("지자체 수수료(참고)"), default=0)
    net_won = models.BigIntegerField(_("정산 금액"), default=0)
    payable_won = models.BigIntegerField(_("지급액"), default=0)
    carry_out_won = models.BigIntegerField(_("다음 기간 이월"), default=0)
    line_count = models.PositiveIntegerField(default=0)
    # Filled by the PDF renderer after close; the only fields that change on a statement.
    pdf = models.FileField(upload_to="settlement/statements/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("정산서")
        verbose_name_plural = _("정산서")
        ordering = ["-period__starts_at", "number"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "number"], name="statement_unique_number"),
            models.UniqueConstraint(
                fields=["municipality", "period", "merchant"],
                condition=models.Q(merchant__isnull=False),
                name="statement_one_per_merchant",
            ),
            models.UniqueConstraint(
                fields=["municipality", "period", "partner"],
                condition=models.Q(partner__isnull=False),
                name="statement_one_per_partner",
            ),
            models.CheckConstraint(
                condition=(models.Q(party_kind="merchant", merchant__isnull=False, partner__isnull=True))
                | (models.Q(party_kind="partner", partner__isnull=False, merchant__isnull=True)),
                name="statement_one_party",
            ),
            models.CheckConstraint(
                condition=models.Q(payable_won__gte=0, carry_out_won__lte=0), name="statement_never_pays_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"No.{self.number} {self.party_name} ({self.period})"

    def save(self, *args, **kwargs) -> None:
        """Statements are written by the close (settlement.statements) and never change afterwards, except
        their PDF fields. A save of an existing statement may change only those (PostgreSQL also refuses
        anything else, with a trigger)."""
        if self._state.adding or self.pk is None:
            raise AppendOnlyError("statements are issued only by period_close")
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            stored = Statement.objects.get(pk=self.pk)
            changed = {
                f.attname
                for f in self._meta.concrete_fields
                if getattr(stored, f.attname) != getattr(self, f.attname) and f.attname not in STATEMENT_PDF_FIELDS
            }
            if changed:
                raise AppendOnlyError(f"statement {self.pk}: {sorted(changed)} cannot change after close")
            kwargs["update_fields"] = sorted(STATEMENT_PDF_FIELDS)
        elif set(update_fields) - STATEMENT_PDF_FIELDS:
            raise AppendOnlyError(f"statement {self.pk}: only {sorted(STATEMENT_PDF_FIELDS)} may change after close")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"statement {self.pk} is part of a closed period")


STATEMENT_PDF_FIELDS = frozenset({"pdf", "pdf_sha256", "pdf_rendered_at"})


class StatementLine(AppendOnlyModel, TenantModel):
    class Kind(models.TextChoices):
        SALE = "sale", _("판매")
        REFUND = "refund", _("환불")
        ADJUSTMENT = "adjustment", _("조정")
        REDEMPTION = "redemption", _("쿠폰 사용")
        CARRIED = "carried", _("이월")

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("일시"))
    # Read only through the statement: no index of their own (each is paid on every line a close writes).
    posting_line = models.ForeignKey(
        PostingLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    order = models.ForeignKey(
        "subscriptions.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    coupon = models.ForeignKey(
        "tourism.Coupon", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    bundle_name = models.CharField(_("꾸러미"), max_length=80, blank=True)
    product_name = models.CharField(_("상품"), max_length=80, blank=True)
    quantity = models.IntegerField(_("수량"), null=True, blank=True)
    unit_supply_price_won = models.PositiveIntegerField(_("공급 단가"), null=True, blank=True)
    tax_type = models.CharField(_("과세 구분"), max_length=10, blank=True)
    amount_won = models.BigIntegerField(_("금액"))
    memo = models.CharField(_("적요"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("정산서 항목")
        verbose_name_plural = _("정산서 항목")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_won:+,}"


class PayoutBatch(TenantModel):
    """One period's payouts, maker/checker: prepared by one finance user, approved by another, exported
    for the municipality's bank transfer and marked paid with the bank's transfer reference. Only
    statements with a positive payable are in it; a negative balance is carried, never paid."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("승인 대기")
        APPROVED = "approved", _("승인됨")
        PAID = "paid", _("지급 완료")

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="payout_batches")
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    total_won = models.BigIntegerField(_("지급 합계"), default=0)
    item_count = models.PositiveIntegerField(_("지급 건수"), default=0)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("작성일시"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("승인일시"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("이체 파일 생성일시"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(_("지급일시"), null=True, blank=True)
    transfer_reference = models.CharField(_("이체 참조번호"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("지급 묶음")
        verbose_name_plural = _("지급 묶음")
        ordering = ["-period__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "period"], name="payout_batch_one_per_period"),
            # Maker/checker at the database too: whoever prepared a batch never approves it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("prepared_by")),
                name="payout_batch_checker_is_not_maker",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | ~models.Q(transfer_reference=""),
                name="payout_batch_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_status_display()})"


class PayoutItem(TenantModel):
    """One statement's payout, with the bank details the transfer goes to (the statement's, as at close)."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="items")
    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="payout_item")
    party_name = models.CharField(_("상호"), max_length=80)
    bank_code = models.CharField(_("은행코드"), max_length=3)
    account_number = models.CharField(_("계좌번호"), max_length=30)
    account_holder = models.CharField(_("예금주"), max_length=40)
    amount_won = models.BigIntegerField(_("금액"))
    memo = models.CharField(_("적요"), max_length=40)

    class Meta:
        verbose_name = _("지급 항목")
        verbose_name_plural = _("지급 항목")
        ordering = ["statement__number"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_won__gt=0), name="payout_item_positive")]

    def __str__(self) -> str:
        return f"{self.party_name} {self.amount_won:,}"
