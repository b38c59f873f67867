"""Gateway webhooks: verified, stored once by event id, applied idempotently in any order."""

from django.db import IntegrityError, transaction

from subscriptions import clock
from subscriptions.billing.charging import attempt_record_outcome
from subscriptions.gateways.base import ChargeResult, PaymentGateway
from subscriptions.models import GatewayEvent, PaymentAttempt

OUTCOMES = {
    "payment_intent.succeeded": ChargeResult.Status.SUCCEEDED,
    "payment_intent.payment_failed": ChargeResult.Status.FAILED,
    "payment_intent.requires_action": ChargeResult.Status.REQUIRES_ACTION,
}


def _attempt_for(payment_id: str, reference: str) -> PaymentAttempt | None:
    """The attempt an event is about: by the gateway's payment id, or — when the event arrives before the
    synchronous answer was recorded — by our idempotency key kept in the payment's metadata."""
    if payment_id:
        attempt = PaymentAttempt.objects.filter(payment_id=payment_id).first()
        if attempt is not None:
            return attempt
    return PaymentAttempt.objects.filter(idempotency_key=reference).first() if reference else None


def webhook_receive(*, payload: bytes, signature: str, gateway: PaymentGateway) -> bool:
    """Verify and apply one delivery. Returns False for a duplicate (already stored). Raises
    GatewayError for a bad or stale signature (the view answers 400)."""
    event = gateway.webhook_parse(payload=payload, signature=signature)
    try:
        with transaction.atomic():
            stored = GatewayEvent.objects.create(
                gateway=gateway.name,
                event_id=event.event_id,
                type=event.type,
                payment_id=event.payment_id,
                payload=event.data,
            )
    except IntegrityError:
        return False
    outcome = OUTCOMES.get(event.type)
    attempt = _attempt_for(event.payment_id, (event.data.get("metadata") or {}).get("ref", ""))
    if outcome and attempt is not None:
        error = event.data.get("last_payment_error") or {}
        result = ChargeResult(
            outcome,
            payment_id=event.payment_id,
            decline_code=(error.get("decline_code") or error.get("code") or "") if outcome == "failed" else "",
            message=error.get("message") or "",
        )
        attempt_record_outcome(attempt_id=attempt.pk, result=result)
    GatewayEvent.objects.filter(pk=stored.pk).update(processed_at=clock.now())
    return True
