"""Refunds: never more than was paid, whatever the gateway would accept (localstripe over-refunds)."""

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from accounts.models import User
from subscriptions.gateways.base import GatewayError, PaymentGateway
from subscriptions.lifecycle import prepaid_refund_due_won, prepaid_term_order, subscription_cancel
from subscriptions.models import Order, PaymentAttempt, Refund, Subscription, SubscriptionEvent


class RefundNotAllowed(Exception):
    """The refund was refused before reaching the gateway; the message is for staff."""


def _start(order_id: int, amount_won: int, reason: str, acting_user: User | None) -> tuple[Refund, str]:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status != Order.Status.PAID or order.amount_won == 0:
            raise RefundNotAllowed(_("결제가 완료된 주문만 환불할 수 있습니다."))
        reserved = (
            Refund.objects.filter(order=order)
            .exclude(status=Refund.Status.FAILED)
            .aggregate(total=Sum("amount_won"))["total"]
            or 0
        )
        refundable = order.amount_won - reserved
        if amount_won <= 0 or amount_won > refundable:
            raise RefundNotAllowed(_("환불 가능 금액은 %(amount)s원입니다.") % {"amount": f"{refundable:,}"})
        if not reason.strip():
            raise RefundNotAllowed(_("환불 사유를 입력해 주세요."))
        payment_id = (
            PaymentAttempt.objects.filter(order=order, status=PaymentAttempt.Status.SUCCEEDED)
            .values_list("payment_id", flat=True)
            .first()
        )
        if not payment_id:
            raise RefundNotAllowed(_("결제 정보를 찾을 수 없어 환불할 수 없습니다."))
        number = Refund.objects.filter(order=order).count() + 1
        refund = Refund.objects.create(
            municipality_id=order.municipality_id,
            order=order,
            amount_won=amount_won,
            reason=reason.strip()[:200],
            idempotency_key=f"order-{order.pk}-refund-{number}",
            actor=acting_user,
        )
        return refund, payment_id


def order_refund(
    *, order: Order, amount_won: int, reason: str, acting_user: User | None, gateway: PaymentGateway
) -> Refund:
    """Refund part or all of a paid order. The amount is reserved under the order's lock before the
    gateway is called, so two refunds at once can never exceed what was paid."""
    refund, payment_id = _start(order.pk, amount_won, reason, acting_user)
    try:
        result = gateway.refund(payment_id=payment_id, amount_won=amount_won, idempotency_key=refund.idempotency_key)
    except GatewayError:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        raise
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.SUCCEEDED, refund_id=result.refund_id)
        Order.objects.filter(pk=locked.pk).update(refunded_won=locked.refunded_won + amount_won)
        SubscriptionEvent.objects.create(
            municipality_id=locked.municipality_id,
            subscription_id=locked.subscription_id,
            kind=SubscriptionEvent.Kind.REFUNDED,
            actor=acting_user,
            reason=reason[:300],
            data={"order_id": locked.pk, "amount_won": amount_won},
        )
    refund.refresh_from_db()
    return refund


def subscription_cancel_with_refund(
    *, subscription: Subscription, reason: str, note: str, acting_user: User | None, gateway: PaymentGateway
) -> tuple[Subscription, Refund | None]:
    """Cancel, and refund a prepaid term's unshipped boxes to the card that paid (the refund policy is
    lifecycle.prepaid_refund_due_won). Only the call that actually cancels refunds, so repeating is safe."""
    was_canceled = Subscription.objects.filter(pk=subscription.pk, status=Subscription.Status.CANCELED).exists()
    due = 0 if was_canceled else prepaid_refund_due_won(Subscription.objects.get(pk=subscription.pk))
    canceled = subscription_cancel(subscription=subscription, reason=reason, note=note, acting_user=acting_user)
    if was_canceled or due == 0:
        return canceled, None
    order = prepaid_term_order(canceled)
    refund = order_refund(
        order=order,
        amount_won=due,
        reason=_("선결제 해지: 받지 않은 상자 환불"),
        acting_user=acting_user,
        gateway=gateway,
    )
    return canceled, refund
