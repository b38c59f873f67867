"""Paying out a closed period, maker/checker: one finance user prepares the batch (every statement with a
positive payable; a negative balance is carried to the next period, never paid), a different finance user
approves it, then the transfer file for the municipality's bank is exported and the batch is marked paid
with the bank's transfer reference. Each step is one transaction on the locked batch, records who and
when, and repeating it is harmless (it returns the batch as it is)."""

import csv
import io

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from accounts.models import User
from municipalities.models import Membership, Role
from settlement.models import PayoutBatch, PayoutItem, SettlementPeriod, Statement
from subscriptions import clock

CSV_HEADER = ["은행코드", "계좌번호", "예금주", "금액", "적요"]


class PayoutError(Exception):
    """The payout step was refused; the message is for staff and nothing changed."""


def _require_finance(user: User, municipality_id: int) -> None:
    if not Membership.objects.filter(municipality_id=municipality_id, user=user, role=Role.FINANCE).exists():
        raise PayoutError(_("지급은 재무·정산 담당자만 처리할 수 있습니다."))


def payout_memo(period: SettlementPeriod) -> str:
    """적요 printed on the receiving account: short, as banks show only a few characters, and Korean
    whatever language the staff member works in (it is stored on the payout and sent to a Korean bank)."""
    return "꾸러미{label}정산".format(label=period.label.replace("-", "")[2:])


_BANK_FIELDS = ("bank_code", "account_number", "account_holder")


def payout_rows(*, period: SettlementPeriod) -> list[dict]:
    """What each party with a positive payable is to be paid and where to: the bank account on its
    statement, or (when the statement has none, as for a party who added it after the close) the one on
    its record now. `account_missing` marks a party with neither."""
    party_fields = [f"{kind}__{name}" for kind in ("merchant", "partner") for name in _BANK_FIELDS]
    rows = []
    for row in (
        Statement.objects.filter(period=period, payable_won__gt=0)
        .order_by("number")
        .values("pk", "number", "party_kind", "party_name", "payable_won", *_BANK_FIELDS, *party_fields)
    ):
        if not all(row[name] for name in _BANK_FIELDS):
            for name in _BANK_FIELDS:
                row[name] = row[f"{row['party_kind']}__{name}"] or ""
        row["account_missing"] = not all(row[name] for name in _BANK_FIELDS)
        rows.append(row)
    return rows


@transaction.atomic
def payout_batch_prepare(*, period: SettlementPeriod, acting_user: User) -> PayoutBatch:
    """Make the period's payout batch (finance only; the period must be closed). A batch already made is
    returned as it is."""
    _require_finance(acting_user, period.municipality_id)
    locked = SettlementPeriod.objects.select_for_update().get(pk=period.pk)
    existing = PayoutBatch.objects.filter(municipality_id=locked.municipality_id, period=locked).first()
    if existing is not None:
        return existing
    if locked.status != SettlementPeriod.Status.CLOSED:
        raise PayoutError(_("마감된 정산 기간만 지급을 준비할 수 있습니다."))
    rows = payout_rows(period=locked)
    missing = [row["party_name"] for row in rows if row["account_missing"]]
    if missing:
        raise PayoutError(
            _("지급 계좌가 없는 곳이 있습니다: %(names)s. 소상공인·제휴처 정보에 계좌를 등록한 뒤 다시 준비해 주세요.")
            % {"names": ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")}
        )
    now = clock.now()
    batch = PayoutBatch.objects.create(
        municipality_id=locked.municipality_id, period=locked, prepared_by=acting_user, prepared_at=now
    )
    memo = payout_memo(locked)
    PayoutItem.objects.bulk_create(
        [
            PayoutItem(
                municipality_id=locked.municipality_id,
                batch=batch,
                statement_id=row["pk"],
                party_name=row["party_name"],
                bank_code=row["bank_code"],
                account_number=row["account_number"],
                account_holder=row["account_holder"],
                amount_won=row["payable_won"],
                memo=memo,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    totals = batch.items.aggregate(total=Sum("amount_won"), count=Count("pk"))
    batch.total_won, batch.item_count = totals["total"] or 0, totals["count"]
    batch.save(update_fields=["total_won", "item_count"])
    return batch


def _locked(batch: PayoutBatch) -> PayoutBatch:
    return PayoutBatch.objects.select_for_update().select_related("period").get(pk=batch.pk)


@transaction.atomic
def payout_batch_approve(*, batch: PayoutBatch, acting_user: User) -> PayoutBatch:
    """Approve a prepared batch: finance only, and never the person who prepared it."""
    _require_finance(acting_user, batch.municipality_id)
    locked = _locked(batch)
    if locked.prepared_by_id == acting_user.pk:
        raise PayoutError(_("지급 묶음을 준비한 사람은 승인할 수 없습니다. 다른 재무·정산 담당자가 승인해 주세요."))
    if locked.status != PayoutBatch.Status.PREPARED:
        return locked
    locked.status, locked.approved_by, locked.approved_at = PayoutBatch.Status.APPROVED, acting_user, clock.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "approved_by", "approved_at"])
    except IntegrityError as error:  # the database's own maker/checker check
        raise PayoutError(_("지급 묶음을 준비한 사람은 승인할 수 없습니다.")) from error
    return locked


@transaction.atomic
def payout_batch_export(*, batch: PayoutBatch, acting_user: User) -> bytes:
    """The bank-transfer file of an approved batch: CSV in UTF-8 with a BOM (Excel opens it in Korean),
    columns 은행코드, 계좌번호, 예금주, 금액, 적요. Each export is recorded (the latest who and when)."""
    _require_finance(acting_user, batch.municipality_id)
    locked = _locked(batch)
    if locked.status == PayoutBatch.Status.PREPARED:
        raise PayoutError(_("승인된 지급 묶음만 이체 파일을 만들 수 있습니다."))
    locked.exported_by, locked.exported_at = acting_user, clock.now()
    locked.save(update_fields=["exported_by", "exported_at"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in locked.items.order_by("statement__number").values_list(
        "bank_code", "account_number", "account_holder", "amount_won", "memo"
    ):
        writer.writerow(item)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@transaction.atomic
def payout_batch_mark_paid(*, batch: PayoutBatch, acting_user: User, transfer_reference: str) -> PayoutBatch:
    """Record the bank transfer of an approved, exported batch. Repeating with the same reference is a
    no-op; a different reference for a paid batch is refused."""
    _require_finance(acting_user, batch.municipality_id)
    reference = (transfer_reference or "").strip()
    if not reference:
        raise PayoutError(_("은행 이체 참조번호를 입력해 주세요."))
    if len(reference) > PayoutBatch._meta.get_field("transfer_reference").max_length:
        raise PayoutError(_("이체 참조번호가 너무 깁니다."))
    locked = _locked(batch)
    if locked.status == PayoutBatch.Status.PAID:
        if locked.transfer_reference == reference:
            return locked
        raise PayoutError(_("이미 지급 완료로 기록된 묶음입니다."))
    if locked.status != PayoutBatch.Status.APPROVED:
        raise PayoutError(_("승인된 지급 묶음만 지급 완료로 기록할 수 있습니다."))
    if locked.exported_at is None:
        raise PayoutError(_("이체 파일을 먼저 내려받아 은행에 이체해 주세요."))
    locked.status, locked.paid_by, locked.paid_at = PayoutBatch.Status.PAID, acting_user, clock.now()
    locked.transfer_reference = reference
    locked.save(update_fields=["status", "paid_by", "paid_at", "transfer_reference"])
    return locked
