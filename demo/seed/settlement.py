"""Settlement for the demo, after every other step: the past months of each municipality are closed
(statements for every merchant and tourism partner, with their PDFs), one payout batch is approved and
paid (하동) and one waits for approval (남해), and a damaged box of a closed month is refunded now, so the
open month carries an adjustment naming the original order. Safe to repeat: every step looks first."""

from django.utils.translation import gettext as _

from accounts.models import User
from demo.seed.tenants import demo_user
from municipalities.models import Membership, Municipality, Role
from municipalities.services import membership_grant
from settlement import pdf
from settlement.ledger import ledger_post_pending
from settlement.models import PayoutBatch, Posting, SettlementPeriod, Statement
from settlement.payouts import payout_batch_approve, payout_batch_export, payout_batch_mark_paid, payout_batch_prepare
from settlement.periods import period_close, period_close_request
from subscriptions import clock
from subscriptions.billing.refunds import order_refund
from subscriptions.gateways.stripe_gateway import StripeGateway
from subscriptions.models import Order

# A second finance person per municipality: payouts need a checker other than the maker.
CHECKERS = {
    "hadong": ("오세린", "010-4471-9904"),
    "namhae": ("배준호", "010-7704-3307"),
}
# The first municipality's latest batch is paid (하동); the others' wait for their checker (남해).
PAID_REFERENCE = "KB-DEMO-0001"
LATE_REFUND_REASON = "마감 뒤 접수된 상자 파손"
LATE_REFUND_WON = 5_000


def _finance_pair(municipality: Municipality) -> tuple[User, User]:
    name, phone = CHECKERS.get(municipality.slug, ("정산 검토자", "010-0000-0000"))
    checker = demo_user(f"finance2@{municipality.slug}.demo", name, phone)
    membership_grant(municipality=municipality, user=checker, role=Role.FINANCE)
    maker = (
        User.objects.filter(memberships__municipality=municipality, memberships__role=Role.FINANCE)
        .exclude(pk=checker.pk)
        .order_by("pk")
        .first()
    )
    return maker or checker, checker


def _close_ended_periods(municipality: Municipality, maker: User, checker: User) -> list[SettlementPeriod]:
    now = clock.now()
    ended = (
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(ends_at__lte=now)
        .exclude(status=SettlementPeriod.Status.CLOSED)
        .order_by("starts_at")
    )
    for period in ended:
        period_close_request(period=period, acting_user=maker)
        period_close(period=period, acting_user=checker)
    return list(
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(status=SettlementPeriod.Status.CLOSED)
        .order_by("starts_at")
    )


def _render_pdfs(municipality: Municipality, progress) -> int:
    ids = list(
        Statement.objects.for_tenant(municipality).filter(pdf_sha256="").order_by("number").values_list("pk", flat=True)
    )
    for done, statement_id in enumerate(ids, start=1):
        pdf.statement_pdf_store(statement_id=statement_id)
        if progress:
            progress(f"{municipality.slug} PDF", done, len(ids))
    return len(ids)


def _payouts(period: SettlementPeriod, maker: User, checker: User, *, pay: bool) -> PayoutBatch:
    batch = payout_batch_prepare(period=period, acting_user=maker)
    if pay and batch.status != PayoutBatch.Status.PAID:
        batch = payout_batch_approve(batch=batch, acting_user=checker)
        if batch.exported_at is None:
            payout_batch_export(batch=batch, acting_user=checker)
        batch = payout_batch_mark_paid(batch=batch, acting_user=maker, transfer_reference=PAID_REFERENCE)
    return batch


def _late_refund(municipality: Municipality, period: SettlementPeriod, gateway) -> Posting | None:
    """Refund part of a box paid in the closed `period`, now: it is posted into the open month as an
    adjustment naming the original payment."""
    existing = Posting.objects.for_tenant(municipality).filter(
        kind=Posting.Kind.REFUND, adjusts__isnull=False, refund__reason=LATE_REFUND_REASON
    )
    if existing.exists():
        return existing.first()
    staff = User.objects.filter(memberships__municipality=municipality, memberships__role=Role.FINANCE).first()
    order = (
        Order.objects.for_tenant(municipality)
        .filter(
            status=Order.Status.PAID,
            amount_won__gte=LATE_REFUND_WON * 2,
            paid_at__gte=period.starts_at,
            paid_at__lt=period.ends_at,
            refunds__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    if order is None:
        return None
    order_refund(order=order, amount_won=LATE_REFUND_WON, reason=LATE_REFUND_REASON, acting_user=staff, gateway=gateway)
    ledger_post_pending(municipality=municipality)
    return existing.first()


def seed_settlement(progress=None) -> list[str]:
    gateway = StripeGateway()
    lines = ["\n정산 / settlement"]
    paid_one = False
    for municipality in Municipality.objects.filter(is_active=True).order_by("slug"):
        if not Membership.objects.filter(municipality=municipality, role=Role.FINANCE).exists():
            continue
        maker, checker = _finance_pair(municipality)
        ledger_post_pending(municipality=municipality)
        closed = _close_ended_periods(municipality, maker, checker)
        _render_pdfs(municipality, progress)
        if not closed:
            continue
        latest = closed[-1]
        batch = _payouts(latest, maker, checker, pay=not paid_one)
        paid_one = True
        adjustment = _late_refund(municipality, latest, gateway)
        statements = Statement.objects.for_tenant(municipality).count()
        lines.append(
            _("  %(name)s: 마감 %(periods)s, 정산서 %(statements)s건, %(label)s 지급 묶음 %(status)s%(adjustment)s")
            % {
                "name": municipality.name,
                "periods": ", ".join(period.label for period in closed),
                "statements": statements,
                "label": latest.label,
                "status": batch.get_status_display(),
                "adjustment": _(", 다음 기간 조정 1건 (주문 #%(id)s 환불)") % {"id": adjustment.refund.order_id}
                if adjustment
                else "",
            }
        )
    return lines
