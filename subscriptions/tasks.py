"""Celery tasks: thin, ids in, the service inside, safe to run twice (acks_late is global)."""

from celery import shared_task
from django.conf import settings

from municipalities.models import Municipality
from subscriptions import cycles, reminders
from subscriptions.billing import charging, returns
from subscriptions.billing.close import cycle_close, cycles_due
from subscriptions.gateways.base import GatewayRateLimited
from subscriptions.gateways.stripe_gateway import gateway


@shared_task
def cycles_generate_task() -> None:
    for municipality in Municipality.objects.filter(is_active=True):
        cycles.cycles_generate(municipality=municipality)


@shared_task
def cycles_close_due_task() -> None:
    for cycle_id in cycles_due():
        cycle_close_task.delay(cycle_id)


@shared_task
def cycle_close_task(cycle_id: int) -> None:
    cycle_close(cycle_id=cycle_id)
    cycle_charge_task.delay(cycle_id)


@shared_task
def cycle_charge_task(cycle_id: int) -> None:
    """Fan the cycle's due orders out to workers in chunks."""
    order_ids = charging.orders_due_for_charge(cycle_id=cycle_id)
    size = settings.BILLING_CHUNK_SIZE
    for start in range(0, len(order_ids), size):
        orders_charge_task.delay(order_ids[start : start + size])


@shared_task(bind=True, autoretry_for=(GatewayRateLimited,), retry_backoff=5, retry_backoff_max=300, max_retries=20)
def orders_charge_task(self, order_ids: list[int]) -> None:
    payments = gateway()
    for order_id in order_ids:
        charging.order_charge(order_id=order_id, gateway=payments)


@shared_task
def dunning_retry_task() -> None:
    """Failed orders whose retry is due (and pending ones a missed fan-out left behind)."""
    charging.actions_expire(gateway=gateway())
    order_ids = charging.orders_due_for_charge()
    size = settings.BILLING_CHUNK_SIZE
    for start in range(0, len(order_ids), size):
        orders_charge_task.delay(order_ids[start : start + size])


@shared_task
def attempts_reconcile_task() -> None:
    payments = gateway()
    charging.attempts_reconcile(gateway=payments)
    returns.returns_send_pending(gateway=payments)


@shared_task
def payment_return_task(return_id: int) -> None:
    returns.payment_return_send(return_id=return_id, gateway=gateway())


@shared_task
def past_due_cancel_task() -> None:
    charging.past_due_cancel()


@shared_task
def cycle_reminders_send_task() -> None:
    reminders.cycle_reminders_send()
