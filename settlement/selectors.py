"""Reads for the settlement pages and the statement PDF. The web page and the PDF take a statement's
totals from `statement_summary` and its lines from `statement_sections`, so the two always show the
same numbers (the stored totals of the close, never re-added in a template)."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from settlement.models import PayoutBatch, PayoutItem, SettlementPeriod, Statement, StatementLine


# --- one statement -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TotalRow:
    label: str
    amount_won: int
    strong: bool = False
    note: str = ""


def statement_summary(statement: Statement) -> list[TotalRow]:
    """The statement's totals in the order both the page and the PDF print them."""
    partner = statement.party_kind == Statement.PartyKind.PARTNER
    rows = [TotalRow(_("쿠폰 사용") if partner else _("판매"), statement.sales_won)]
    if statement.refunds_won:
        rows.append(TotalRow(_("환불"), statement.refunds_won))
    if statement.adjustments_won:
        rows.append(TotalRow(_("이전 기간 조정"), statement.adjustments_won))
    if statement.carried_in_won:
        rows.append(TotalRow(_("이전 기간에서 이월"), statement.carried_in_won))
    rows.append(TotalRow(_("정산 금액"), statement.net_won, strong=True))
    if not partner:
        rows.append(TotalRow(_("└ 면세분"), statement.exempt_won))
        rows.append(TotalRow(_("└ 과세분"), statement.taxable_won))
        rows.append(
            TotalRow(
                _("지자체 수수료(참고)"),
                statement.commission_won,
                note=_(
                    "꾸러미 판매가에서 공급가·카드 수수료·배송비를 뺀 지자체 몫입니다. 정산 금액에서 빼지 않습니다."
                ),
            )
        )
    rows.append(TotalRow(_("지급액"), statement.payable_won, strong=True))
    if statement.carry_out_won:
        rows.append(
            TotalRow(
                _("다음 기간으로 이월"),
                statement.carry_out_won,
                note=_("정산 금액이 마이너스라서 지급하지 않고 다음 기간 정산에서 뺍니다."),
            )
        )
    return rows


@dataclass
class LineSection:
    title: str
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def total_won(self) -> int:
        return sum(line.amount_won for line in self.lines)


def statement_sections(statement: Statement) -> list[LineSection]:
    """The statement's lines in one query, VAT-exempt and taxable goods apart, then coupon uses and the
    balance carried in; each group keeps date order (refunds and adjustments are lines of their own)."""
    sections = {
        "exempt": LineSection(_("면세 상품")),
        "taxable": LineSection(_("과세 상품")),
        "redemption": LineSection(_("관광 쿠폰 사용")),
        "carried": LineSection(_("이월")),
        "other": LineSection(_("기타")),
    }
    lines = statement.lines.select_related("order").order_by("occurred_at", "pk")
    for line in lines:
        if line.kind == StatementLine.Kind.CARRIED:
            key = "carried"
        elif line.tax_type in ("exempt", "taxable"):
            key = line.tax_type
        elif line.coupon_id:
            key = "redemption"
        else:
            key = "other"
        sections[key].lines.append(line)
    return [section for section in sections.values() if section.lines]


def line_source(line: StatementLine) -> str:
    """주문 #12 / 쿠폰 #34: what the line comes from, as the tables and the CSV print it."""
    if line.order_id:
        return _("주문 #%(id)s") % {"id": line.order_id}
    if line.coupon_id:
        return _("쿠폰 #%(id)s") % {"id": line.coupon_id}
    return ""


def merchant_statement_or_404(*, municipality: Municipality, merchant_id: int, statement_id: int) -> Statement:
    """This merchant's statement here; another merchant's or another municipality's is a 404."""
    return get_object_or_404(
        Statement.objects.select_related("period", "municipality"),
        municipality=municipality,
        merchant_id=merchant_id,
        pk=statement_id,
    )


def partner_statement_or_404(*, municipality: Municipality, partner_id: int, statement_id: int) -> Statement:
    return get_object_or_404(
        Statement.objects.select_related("period", "municipality"),
        municipality=municipality,
        partner_id=partner_id,
        pk=statement_id,
    )


# --- periods for staff -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PdfProgress:
    rendered: int
    total: int

    @property
    def done(self) -> bool:
        return self.rendered >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.rendered * 100 // self.total


def period_pdf_progress(*, period: SettlementPeriod) -> PdfProgress:
    """How many of the period's statements have their PDF stored (one query)."""
    counts = Statement.objects.filter(period=period).aggregate(
        total=Count("pk"), rendered=Count("pk", filter=~Q(pdf_sha256=""))
    )
    return PdfProgress(rendered=counts["rendered"], total=counts["total"])


def staff_periods(*, municipality: Municipality) -> QuerySet[SettlementPeriod]:
    """Every period, newest first, with its statement count, payable total and PDF count (one query)."""
    return (
        SettlementPeriod.objects.for_tenant(municipality)
        .annotate(
            statement_count=Count("statements", distinct=True),
            payable_total=Sum("statements__payable_won"),
            pdf_count=Count("statements", filter=~Q(statements__pdf_sha256=""), distinct=True),
        )
        .order_by("-starts_at")
    )


def period_statements(*, period: SettlementPeriod) -> QuerySet[Statement]:
    return Statement.objects.filter(period=period).order_by("number")


def payable_by_party(*, period: SettlementPeriod, limit: int = 30) -> list[dict]:
    """The largest payables of the period, for the chart (name, payable)."""
    return list(
        Statement.objects.filter(period=period)
        .order_by("-net_won", "number")
        .values("party_name", "net_won", "payable_won")[:limit]
    )


def payable_by_month(*, municipality: Municipality, months: int = 12) -> list[dict]:
    """Paid-out totals of the last closed periods, oldest first, for the chart (label, payable, carried)."""
    rows = list(
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(status=SettlementPeriod.Status.CLOSED)
        .annotate(payable=Sum("statements__payable_won"), carried=Sum("statements__carry_out_won"))
        .order_by("-starts_at")
        .values("label", "payable", "carried")[:months]
    )
    return [{**row, "payable": row["payable"] or 0, "carried": row["carried"] or 0} for row in reversed(rows)]


# --- payouts -----------------------------------------------------------------------------------------------
def payout_batches(*, municipality: Municipality) -> QuerySet[PayoutBatch]:
    return (
        PayoutBatch.objects.for_tenant(municipality)
        .select_related("period", "prepared_by", "approved_by", "paid_by")
        .order_by("-period__starts_at")
    )


def payout_items(*, batch: PayoutBatch) -> QuerySet[PayoutItem]:
    return batch.items.select_related("statement").order_by("statement__number")


def statement_payout(*, statement: Statement) -> PayoutItem | None:
    return PayoutItem.objects.filter(statement=statement).select_related("batch").first()
