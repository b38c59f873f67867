"""Celery tasks of settlement: thin, ids in, the service inside, safe to run twice."""

from celery import shared_task

from municipalities.models import Municipality
from settlement import pdf
from settlement.ledger import ledger_post_pending
from settlement.models import SettlementPeriod
from settlement.pdf import period_pdfs_start
from settlement.periods import period_close, periods_due_for_close


@shared_task
def ledger_post_pending_task() -> None:
    """Hourly: post every municipality's new events (payments, refunds, redemptions) into the ledger."""
    for municipality_id in Municipality.objects.filter(is_active=True).values_list("pk", flat=True):
        ledger_post_pending_municipality_task.delay(municipality_id)


@shared_task
def ledger_post_pending_municipality_task(municipality_id: int) -> None:
    ledger_post_pending(municipality=Municipality.objects.get(pk=municipality_id))


@shared_task
def periods_close_due_task() -> None:
    """Daily: close every municipality's ended periods whose close day (SETTLEMENT_CLOSE_DAY) has come."""
    for municipality in Municipality.objects.filter(is_active=True):
        ledger_post_pending(municipality=municipality)
        period_ids = [period.pk for period in periods_due_for_close(municipality=municipality)]
        if period_ids:
            periods_close_in_order_task.delay(period_ids)


@shared_task
def periods_close_in_order_task(period_ids: list[int]) -> None:
    """Close the given periods oldest first (a period closes only after the ones before it), then render
    their statements' PDFs in parallel tasks."""
    for period in SettlementPeriod.objects.filter(pk__in=period_ids).order_by("starts_at"):
        period_close(period=period, acting_user=None)
        pdf.period_pdfs_start(period=period)
        period_pdfs_start(period=period)
