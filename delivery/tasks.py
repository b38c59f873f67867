"""Celery tasks of delivery: thin, ids in, the service inside, safe to run twice (acks_late is global)."""

from celery import shared_task

from delivery import preparation, slips


@shared_task
def shipments_prepare_due_task() -> None:
    """Beat: every closed cycle with paid orders not yet boxed gets its shipments, coupons, pick lists."""
    for cycle_id in preparation.cycles_awaiting_shipments():
        cycle_shipments_prepare_task.delay(cycle_id)


@shared_task
def cycle_shipments_prepare_task(cycle_id: int) -> None:
    preparation.cycle_shipments_prepare(cycle_id=cycle_id)


@shared_task
def slip_chunk_render_task(chunk_id: int) -> None:
    try:
        slips.slip_chunk_render(chunk_id=chunk_id)
    except Exception as error:
        # The page shows the batch failed (and why) instead of waiting forever; staff start a new one.
        from delivery.models import SlipChunk

        batch_id = SlipChunk.objects.filter(pk=chunk_id).values_list("batch_id", flat=True).first()
        if batch_id is not None:
            slips.slip_batch_fail(batch_id=batch_id, error=f"{type(error).__name__}: {error}")
        raise


@shared_task
def slip_batch_merge_task(batch_id: int) -> None:
    try:
        slips.slip_batch_merge(batch_id=batch_id)
    except Exception as error:
        slips.slip_batch_fail(batch_id=batch_id, error=f"{type(error).__name__}: {error}")
        raise
