"""Giving back a payment that arrived for an order that no longer wanted it (see models.PaymentReturn).

The return is opened in the same transaction that records the stray success, so it cannot be forgotten,
and sent to the gateway after commit by a task; a sweep (returns_send_pending) resends any still pending.
The return row is locked while the gateway is called, so two workers never both send it, and the gateway
call carries the key `attempt-<id>-return`, which real Stripe honours if a worker dies after the call.
"""

from datetime import datetime

from django.db import transaction

from subscriptions import clock
from subscriptions.gateways.base import GatewayError, PaymentGateway
from subscriptions.models import Order, PaymentAttempt, PaymentReturn, SubscriptionEvent


def payment_return_open(*, attempt: PaymentAttempt, order: Order, now: datetime) -> PaymentReturn | None:
    """Record that `attempt`'s payment must be given back, once; call inside the outcome's transaction."""
    if attempt.amount_won <= 0:
        return None
    payment_return, created = PaymentReturn.objects.get_or_create(
        municipality_id=attempt.municipality_id,
        attempt=attempt,
        defaults={"amount_won": attempt.amount_won, "created_at": now},
    )
    if created:
        SubscriptionEvent.objects.create(
            municipality_id=order.municipality_id,
            subscription_id=order.subscription_id,
            kind=SubscriptionEvent.Kind.REFUNDED,
            reason="주문이 이미 취소되었거나 결제되어 늦게 들어온 결제를 자동 환불",
            data={"order_id": order.pk, "attempt_id": attempt.pk, "amount_won": attempt.amount_won},
            created_at=now,
        )
        # Imported here: tasks import the billing modules.
        from subscriptions.tasks import payment_return_task

        transaction.on_commit(lambda: payment_return_task.delay(payment_return.pk))
    return payment_return


def payment_return_send(*, return_id: int, gateway: PaymentGateway, now: datetime | None = None) -> PaymentReturn:
    """Send one return to the gateway unless it has been sent; a failure is recorded and retried later."""
    now = now or clock.now()
    with transaction.atomic():
        payment_return = PaymentReturn.objects.select_for_update().select_related("attempt").get(pk=return_id)
        if payment_return.status == PaymentReturn.Status.SUCCEEDED:
            return payment_return
        try:
            result = gateway.refund(
                payment_id=payment_return.attempt.payment_id,
                amount_won=payment_return.amount_won,
                idempotency_key=payment_return.idempotency_key,
            )
        except GatewayError as error:
            payment_return.status, payment_return.error = PaymentReturn.Status.FAILED, str(error)[:300]
            payment_return.save(update_fields=["status", "error"])
            return payment_return
        payment_return.status, payment_return.refund_id = PaymentReturn.Status.SUCCEEDED, result.refund_id
        payment_return.error, payment_return.finished_at = "", now
        payment_return.save(update_fields=["status", "refund_id", "error", "finished_at"])
        return payment_return


def returns_send_pending(*, gateway: PaymentGateway, now: datetime | None = None) -> int:
    """Send every return not yet given back (a task lost, or the gateway was down); returns how many."""
    ids = list(
        PaymentReturn.objects.exclude(status=PaymentReturn.Status.SUCCEEDED).order_by("pk").values_list("pk", flat=True)
    )
    for return_id in ids:
        payment_return_send(return_id=return_id, gateway=gateway, now=now)
    return len(ids)
