"""Staff pages of payouts (admin sees, finance acts): the batches, one batch with its items, and the
maker/checker steps — prepare, approve (someone else), the bank-transfer CSV, paid with the reference."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from municipalities.models import Role
from municipalities.permissions import roles_required
from municipalities.tenancy import get_for_tenant_or_404
from settlement import selectors
from settlement.models import PayoutBatch
from settlement.payouts import (
    PayoutError,
    payout_batch_approve,
    payout_batch_export,
    payout_batch_mark_paid,
    payout_batch_prepare,
)
from settlement.tables import PayoutItemTable
from settlement.views._common import attachment
from settlement.views.staff_periods import period_or_404, period_url, settlement_required

finance_required = roles_required({Role.FINANCE})


def _batch_or_404(request: HttpRequest, batch_id: int) -> PayoutBatch:
    return get_for_tenant_or_404(
        PayoutBatch.objects.select_related("period", "prepared_by", "approved_by", "exported_by", "paid_by"),
        municipality=request.municipality,
        pk=batch_id,
    )


def _batch_url(request: HttpRequest, batch: PayoutBatch) -> str:
    return reverse(
        "settlement:staff-payout", kwargs={"municipality_slug": request.municipality.slug, "batch_id": batch.pk}
    )


@settlement_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "settlement/staff/payout_list.html",
        {"batches": selectors.payout_batches(municipality=request.municipality)},
    )


@settlement_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    table = PayoutItemTable(selectors.payout_items(batch=batch))
    RequestConfig(request, paginate={"per_page": 100}).configure(table)
    is_finance = Role.FINANCE in request.roles
    return render(
        request,
        "settlement/staff/payout_detail.html",
        {
            "batch": batch,
            "table": table,
            "is_finance": is_finance,
            "can_approve": is_finance
            and batch.status == PayoutBatch.Status.PREPARED
            and batch.prepared_by_id != request.user.pk,
        },
    )


@finance_required
@require_POST
def batch_prepare(request: HttpRequest, period_id: int) -> HttpResponse:
    period = period_or_404(request, period_id)
    try:
        batch = payout_batch_prepare(period=period, acting_user=request.user)
    except PayoutError as error:
        messages.error(request, str(error))
        return redirect(period_url(request, period))
    messages.success(request, _("지급 묶음을 준비했습니다. 다른 재무·정산 담당자가 승인해야 합니다."))
    return redirect(_batch_url(request, batch))


@finance_required
@require_POST
def batch_approve(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        payout_batch_approve(batch=batch, acting_user=request.user)
    except PayoutError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("지급 묶음을 승인했습니다. 이체 파일을 내려받아 은행에 이체해 주세요."))
    return redirect(_batch_url(request, batch))


@finance_required
@require_POST
def batch_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        data = payout_batch_export(batch=batch, acting_user=request.user)
    except PayoutError as error:
        messages.error(request, str(error))
        return redirect(_batch_url(request, batch))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    return attachment(response, _("지급_이체_%(label)s.csv") % {"label": batch.period.label})


@finance_required
@require_POST
def batch_mark_paid(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    try:
        payout_batch_mark_paid(
            batch=batch, acting_user=request.user, transfer_reference=request.POST.get("transfer_reference", "")
        )
    except PayoutError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("지급 완료로 기록했습니다."))
    return redirect(_batch_url(request, batch))
