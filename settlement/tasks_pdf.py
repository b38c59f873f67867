"""Celery tasks that render statement PDFs (imported by SettlementConfig.ready() so workers know them)."""

from celery import shared_task

from settlement import pdf
from settlement.models import SettlementPeriod, Statement


@shared_task
def statements_pdf_render_task(statement_ids: list[int]) -> int:
    """Render one chunk of a closed period's statements; a statement already rendered is skipped."""
    return pdf.statements_pdf_render(statement_ids=statement_ids)


@shared_task
def statements_pdf_pending_task() -> None:
    """Beat: queue the PDFs still missing in closed periods (after a scheduled close, or a lost task)."""
    period_ids = (
        Statement.objects.filter(pdf_sha256="", period__status=SettlementPeriod.Status.CLOSED)
        .values_list("period_id", flat=True)
        .distinct()
    )
    for period in SettlementPeriod.objects.filter(pk__in=list(period_ids)):
        pdf.period_pdfs_start(period=period)
