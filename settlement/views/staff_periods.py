"""Staff pages of settlement periods (admin and finance): the periods with their status and a chart of
payables per month; one period's page: the preview of what its close will post and pay, the close asked
for by staff and confirmed by finance, the PDF rendering progress (htmx polling), the statements with a
chart per party, and the reconciliation report that must show 0 won."""

from django.contrib import messages
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from municipalities.models import Role
from municipalities.permissions import roles_required
from municipalities.tenancy import get_for_tenant_or_404
from settlement import pdf, selectors
from settlement.models import PayoutBatch, SettlementPeriod, Statement
from settlement.periods import (
    PeriodCloseError,
    period_close,
    period_close_request,
    period_close_withdraw,
    period_preview,
)
from settlement.reconciliation import period_reconcile
from settlement.tables import StatementTable
from settlement.views._common import statement_context, statement_csv_response, statement_pdf_response
from subscriptions import clock

SETTLEMENT_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
settlement_required = roles_required(SETTLEMENT_ROLES)
POLL_SECONDS = 3


def period_or_404(request: HttpRequest, period_id: int) -> SettlementPeriod:
    return get_for_tenant_or_404(SettlementPeriod.objects.all(), municipality=request.municipality, pk=period_id)


def period_url(request: HttpRequest, period: SettlementPeriod) -> str:
    return reverse(
        "settlement:staff-period", kwargs={"municipality_slug": request.municipality.slug, "period_id": period.pk}
    )


@settlement_required
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    periods = list(selectors.staff_periods(municipality=request.municipality)[:36])
    months = selectors.payable_by_month(municipality=request.municipality)
    return render(
        request,
        "settlement/staff/period_list.html",
        {
            "periods": periods,
            "now": clock.now(),
            "chart": {
                "labels": [row["label"] for row in months],
                "datasets": [
                    {"label": _("지급액"), "values": [row["payable"] for row in months]},
                    {"label": _("다음 기간 이월"), "values": [row["carried"] for row in months]},
                ],
            },
        },
    )


def _progress_context(request: HttpRequest, period: SettlementPeriod) -> dict:
    progress = selectors.period_pdf_progress(period=period)
    return {"period": period, "progress": progress, "active": not progress.done, "poll_seconds": POLL_SECONDS}


@settlement_required
@require_GET
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = period_or_404(request, period_id)
    if request.headers.get("HX-Request") and request.GET.get("fragment") == "progress":
        # htmx polling while the PDFs render: only the progress block, which stops polling when done.
        return render(request, "settlement/staff/partials/_pdf_progress.html", _progress_context(request, period))
    context = {"period": period, "is_finance": Role.FINANCE in request.roles, "ended": clock.now() >= period.ends_at}
    if period.status != SettlementPeriod.Status.CLOSED:
        context["preview"] = period_preview(period=period)
        return render(request, "settlement/staff/period_open.html", context)
    table = StatementTable(
        selectors.period_statements(period=period).select_related("period"),
        municipality_slug=request.municipality.slug,
        detail_url_name="settlement:staff-statement",
        pdf_url_name="settlement:staff-statement-pdf",
        show_party=True,
    )
    if request.GET.get("export") == "csv":
        return table_csv_response(table, _("%(label)s_정산서.csv") % {"label": period.label})
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    parties = selectors.payable_by_party(period=period)
    totals = Statement.objects.filter(period=period).aggregate(
        payable=Coalesce(Sum("payable_won"), 0), carried=Coalesce(Sum("carry_out_won"), 0)
    )
    context.update(
        _progress_context(request, period),
        table=table,
        payout=PayoutBatch.objects.filter(period=period).first(),
        reconciliation=period_reconcile(period=period),
        chart={
            "labels": [row["party_name"] for row in parties],
            "datasets": [{"label": _("정산 금액"), "values": [row["net_won"] for row in parties]}],
            "horizontal": True,
        },
        payable_total=totals["payable"],
        carried_total=totals["carried"],
    )
    return render(request, "settlement/staff/period_closed.html", context)


@settlement_required
@require_POST
def period_request_close(request: HttpRequest, period_id: int) -> HttpResponse:
    period = period_or_404(request, period_id)
    try:
        period_close_request(period=period, acting_user=request.user)
    except PeriodCloseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("마감을 요청했습니다. 재무·정산 담당자가 확정하면 정산서가 발행됩니다."))
    return redirect(period_url(request, period))


@settlement_required
@require_POST
def period_withdraw_close(request: HttpRequest, period_id: int) -> HttpResponse:
    period = period_or_404(request, period_id)
    try:
        period_close_withdraw(period=period, acting_user=request.user)
    except PeriodCloseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("마감 요청을 취소했습니다."))
    return redirect(period_url(request, period))


@roles_required({Role.FINANCE})
@require_POST
def period_confirm_close(request: HttpRequest, period_id: int) -> HttpResponse:
    """Finance confirms the close: post, issue statements, then start rendering their PDFs."""
    period = period_or_404(request, period_id)
    if period.status != SettlementPeriod.Status.CLOSING:
        messages.error(request, _("마감 요청이 있는 정산 기간만 확정할 수 있습니다."))
        return redirect(period_url(request, period))
    try:
        result = period_close(period=period, acting_user=request.user)
    except PeriodCloseError as error:
        messages.error(request, str(error))
        return redirect(period_url(request, period))
    pdf.period_pdfs_start(period=period)
    messages.success(
        request,
        _("%(label)s 정산을 마감했습니다. 정산서 %(n)s건의 PDF를 만들고 있습니다.")
        % {"label": period.label, "n": result.statements},
    )
    return redirect(period_url(request, period))


@settlement_required
@require_POST
def period_render_pdfs(request: HttpRequest, period_id: int) -> HttpResponse:
    """Queue the PDFs still missing (after a lost task); the ones already stored are never re-rendered."""
    period = period_or_404(request, period_id)
    if period.status == SettlementPeriod.Status.CLOSED:
        queued = pdf.period_pdfs_start(period=period)
        messages.success(request, _("PDF %(n)s건을 다시 만들기 시작했습니다.") % {"n": queued})
    return redirect(period_url(request, period))


@settlement_required
@require_GET
def reconciliation(request: HttpRequest, period_id: int) -> HttpResponse:
    period = period_or_404(request, period_id)
    return render(
        request,
        "settlement/staff/reconciliation.html",
        {"period": period, "report": period_reconcile(period=period)},
    )


def _staff_statement(request: HttpRequest, statement_id: int) -> Statement:
    return get_for_tenant_or_404(
        Statement.objects.select_related("period", "municipality"), municipality=request.municipality, pk=statement_id
    )


@settlement_required
@require_GET
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = _staff_statement(request, statement_id)
    if request.GET.get("export") == "csv":
        return statement_csv_response(statement)
    return render(request, "settlement/staff/statement.html", statement_context(statement))


@settlement_required
@require_GET
def statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    return statement_pdf_response(_staff_statement(request, statement_id))
