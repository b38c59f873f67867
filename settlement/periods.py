"""Closing a settlement period: post everything up to its end, then issue its statements, all or nothing.

Staff (any staff role) may ask for a close (`period_close_request`); only finance staff close
(`period_close`), or the scheduled task with no acting user. A closed period never changes: later events
go into the next open period (settlement.ledger). `period_preview` shows what a close would post and pay.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import Merchant
from municipalities.models import STAFF_ROLES, Membership, Municipality, Role
from settlement.ledger import ledger_lock, ledger_post_pending, pending_postings
from settlement.models import PAYABLE_ACCOUNTS, Account, PostingLine, SettlementPeriod
from settlement.period_calendar import period_bounds, period_for
from settlement.statements import previous_period, statements_build
from subscriptions import clock
from tourism.models import Partner


class PeriodCloseError(Exception):
    """The close was refused; the message is for staff and nothing changed."""


class TransitionNotAllowed(PeriodCloseError):
    pass


@dataclass(frozen=True)
class CloseResult:
    period_id: int
    postings: int
    statements: int
    already_closed: bool


def _has_role(user: User, municipality_id: int, roles) -> bool:
    return Membership.objects.filter(municipality_id=municipality_id, user=user, role__in=list(roles)).exists()


def _check_transition(period: SettlementPeriod, to: str) -> None:
    if to not in SettlementPeriod.TRANSITIONS[SettlementPeriod.Status(period.status)]:
        raise TransitionNotAllowed(
            _("%(period)s 정산은 '%(status)s' 상태라서 바꿀 수 없습니다.")
            % {"period": period.label, "status": period.get_status_display()}
        )


@transaction.atomic
def period_close_request(*, period: SettlementPeriod, acting_user: User) -> SettlementPeriod:
    """Ask finance to close an ended period. Repeating the request is a no-op."""
    locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    if not _has_role(acting_user, locked.municipality_id, STAFF_ROLES):
        raise PeriodCloseError(_("정산 마감을 요청할 권한이 없습니다."))
    if locked.status == SettlementPeriod.Status.CLOSING:
        return locked
    _check_transition(locked, SettlementPeriod.Status.CLOSING)
    if clock.now() < locked.ends_at:
        raise PeriodCloseError(_("정산 기간이 끝난 뒤에 마감할 수 있습니다."))
    locked.status = SettlementPeriod.Status.CLOSING
    locked.close_requested_by, locked.close_requested_at = acting_user, clock.now()
    locked.save(update_fields=["status", "close_requested_by", "close_requested_at"])
    return locked


@transaction.atomic
def period_close_withdraw(*, period: SettlementPeriod, acting_user: User) -> SettlementPeriod:
    """Take back a close request (finance, or the person who asked)."""
    locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.status == SettlementPeriod.Status.OPEN:
        return locked
    allowed = locked.close_requested_by_id == acting_user.pk or _has_role(
        acting_user, locked.municipality_id, {Role.FINANCE}
    )
    if not allowed:
        raise PeriodCloseError(_("정산 마감 요청을 취소할 권한이 없습니다."))
    _check_transition(locked, SettlementPeriod.Status.OPEN)
    locked.status, locked.close_requested_by, locked.close_requested_at = SettlementPeriod.Status.OPEN, None, None
    locked.save(update_fields=["status", "close_requested_by", "close_requested_at"])
    return locked


@transaction.atomic
def period_close(*, period: SettlementPeriod, acting_user: User | None) -> CloseResult:
    """Close an ended period: post every event before its end, then issue one statement per merchant and
    per partner, and mark it closed, in one transaction. Only finance staff may close (acting_user None
    is the scheduled task). The municipality's settlement row is locked first (posting and statement
    numbers), then the period row; a closed period returns at once, so repeating the call is safe."""
    municipality = Municipality.objects.get(pk=period.municipality_id)
    if acting_user is not None and not _has_role(acting_user, municipality.pk, {Role.FINANCE}):
        raise PeriodCloseError(_("정산 마감은 재무·정산 담당자만 확정할 수 있습니다."))
    ledger_lock(municipality)
    locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    if locked.status == SettlementPeriod.Status.CLOSED:
        return CloseResult(locked.pk, 0, locked.statements.count(), already_closed=True)
    now = clock.now()
    if now < locked.ends_at:
        raise PeriodCloseError(_("정산 기간이 끝난 뒤에 마감할 수 있습니다."))
    postings = ledger_post_pending(municipality=municipality, until=locked.ends_at)
    earlier_open = (
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(starts_at__lt=locked.starts_at)
        .exclude(status=SettlementPeriod.Status.CLOSED)
        .order_by("starts_at")
        .first()
    )
    if earlier_open is not None:
        raise PeriodCloseError(_("%(earlier)s 정산을 먼저 마감해 주세요.") % {"earlier": earlier_open.label})
    locked.municipality = municipality
    statements = statements_build(period=locked, previous=previous_period(locked), issued_at=now)
    SettlementPeriod.objects.filter(pk=locked.pk).update(
        status=SettlementPeriod.Status.CLOSED, closed_by=acting_user, closed_at=now
    )
    return CloseResult(locked.pk, postings, statements, already_closed=False)


# --- when periods are due -------------------------------------------------------------------------------
def close_due_at(period: SettlementPeriod) -> datetime:
    """A period closes automatically SETTLEMENT_CLOSE_DAY − 1 days after it ends (default 5: a month closes
    on the 5th of the next month at 00:00, a weekly cycle's period on the Friday after): a few days for late
    captures and refunds to arrive first."""
    day = settings.SETTLEMENT_CLOSE_DAY
    return period.ends_at + timedelta(days=max(day, 1) - 1)


def periods_due_for_close(*, municipality: Municipality, now: datetime | None = None) -> list[SettlementPeriod]:
    """This municipality's ended, unclosed periods whose close day has come, oldest first. The period
    before the current one is made if missing, so a period without any event still gets closed."""
    now = now or clock.now()
    period_for(municipality, period_bounds(municipality, now)[0] - timedelta(seconds=1))
    candidates = (
        SettlementPeriod.objects.for_tenant(municipality)
        .filter(ends_at__lte=now)
        .exclude(status=SettlementPeriod.Status.CLOSED)
        .order_by("starts_at")
    )
    return [period for period in candidates if close_due_at(period) <= now]


# --- preview --------------------------------------------------------------------------------------------
@dataclass
class PartyPreview:
    party_kind: str  # "merchant" or "partner"
    party_id: int
    name: str
    posted_won: int = 0  # already in the ledger for this period, owed to the party
    pending_won: int = 0  # would be posted into this period by the close
    lines: int = 0

    @property
    def total_won(self) -> int:
        return self.posted_won + self.pending_won


@dataclass
class PeriodPreview:
    period: SettlementPeriod
    pending_by_kind: dict[str, int]  # posting kind → how many events the close would post
    parties: list[PartyPreview]
    commission_won: int

    @property
    def payable_won(self) -> int:
        return sum(max(party.total_won, 0) for party in self.parties)


def period_preview(*, period: SettlementPeriod) -> PeriodPreview:
    """What closing `period` now would post and state (before balances carried from earlier periods).
    Posts nothing; it may make the period rows the pending events belong to."""
    municipality = Municipality.objects.get(pk=period.municipality_id)
    parties: dict[tuple[str, int], PartyPreview] = {}
    commission = 0

    def party(kind: str, party_id: int) -> PartyPreview:
        return parties.setdefault((kind, party_id), PartyPreview(kind, party_id, ""))

    posted = (
        PostingLine.objects.filter(period=period)
        .filter(Q(account__in=PAYABLE_ACCOUNTS) | Q(account=Account.COMMISSION))
        .values("account", "merchant_id", "partner_id")
        .annotate(total=Sum("amount_won"), count=Count("pk"))
    )
    for row in posted:
        if row["account"] == Account.COMMISSION:
            commission -= row["total"]
        elif row["account"] == Account.MERCHANT_PAYABLE:
            entry = party("merchant", row["merchant_id"])
            entry.posted_won -= row["total"]
            entry.lines += row["count"]
        else:
            entry = party("partner", row["partner_id"])
            entry.posted_won -= row["total"]
            entry.lines += row["count"]
    pending_by_kind: dict[str, int] = defaultdict(int)
    if period.status != SettlementPeriod.Status.CLOSED:
        for plan in pending_postings(municipality=municipality, until=period.ends_at):
            if plan.period.pk != period.pk:
                continue
            pending_by_kind[plan.kind] += 1
            for line in plan.lines:
                if line.account == Account.COMMISSION:
                    commission -= line.amount_won
                elif line.account == Account.MERCHANT_PAYABLE:
                    entry = party("merchant", line.merchant_id)
                    entry.pending_won -= line.amount_won
                    entry.lines += 1
                elif line.account == Account.PARTNER_PAYABLE:
                    entry = party("partner", line.partner_id)
                    entry.pending_won -= line.amount_won
                    entry.lines += 1
    names = {
        ("merchant", pk): name
        for pk, name in Merchant.objects.filter(
            pk__in=[pid for kind, pid in parties if kind == "merchant"]
        ).values_list("pk", "name")
    }
    names.update(
        {
            ("partner", pk): name
            for pk, name in Partner.objects.filter(
                pk__in=[pid for kind, pid in parties if kind == "partner"]
            ).values_list("pk", "name")
        }
    )
    for key, entry in parties.items():
        entry.name = names.get(key, "")
    ordered = sorted(parties.values(), key=lambda p: (p.party_kind, p.name, p.party_id))
    return PeriodPreview(
        period=period, pending_by_kind=dict(pending_by_kind), parties=ordered, commission_won=commission
    )
