"""Charging an order off-session, so that no order is ever charged twice.

Each attempt: (1) in one transaction the order row is locked, an attempt row with its idempotency key
`order-<id>-attempt-<n>` is written and the order moves to CHARGING; (2) the gateway is called;
(3) in a second transaction the outcome is recorded. A second worker that reaches (1) for the same
order finds it CHARGING (or the partial unique index on in-flight attempts refuses a second attempt)
and stops. If a worker dies between (2) and (3), the attempt stays in flight until reconciliation asks
the gateway what happened (`attempts_reconcile`) — it never charges again to find out. This matters
because localstripe ignores idempotency keys: the database, not the key, is what prevents a double charge.

Outcomes may come back twice (the synchronous answer and the webhook) and in any order; recording is
idempotent and never moves an order backwards (a late failure never un-pays a paid order).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from subscriptions import clock
from subscriptions.billing import notices, ratelimit, returns
from subscriptions.billing.contents import order_items_copy
from subscriptions.gateways.base import ChargeResult, GatewayError, GatewayRateLimited, PaymentGateway
from subscriptions.gateways.stripe_gateway import HARD_DECLINES
from subscriptions.models import (
    Order,
    PaymentAttempt,
    PaymentMethod,
    ShippingSupportCampaign,
    ShippingSupportDraw,
    Subscriber,
    Subscription,
    SubscriptionEvent,
)
from tourism.services import coupons_issue_welcome

IN_FLIGHT = (PaymentAttempt.Status.STARTED, PaymentAttempt.Status.UNKNOWN)
# The decline code of an attempt closed because the gateway had no payment under its key (yet).
NOT_FOUND_BY_RECONCILIATION = "not_sent"
# An order waiting for 3-D Secure is never charged again: its payment exists and may still be completed by
# the subscriber; only when the deadline passes does it become FAILED (actions_expire) and follow dunning.
CHARGEABLE = (Order.Status.PENDING, Order.Status.FAILED)


def _attempt_start(order_id: int, *, now: datetime) -> PaymentAttempt | None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        card_id = Subscription.objects.filter(pk=order.subscription_id).values_list("payment_method_id", flat=True)[0]
        if order.status not in CHARGEABLE:
            return None
        if order.status == Order.Status.FAILED and (order.next_retry_at is None or order.next_retry_at > now):
            return None
        number = order.attempts_count + 1
        try:
            with transaction.atomic():
                attempt = PaymentAttempt.objects.create(
                    municipality_id=order.municipality_id,
                    order=order,
                    number=number,
                    idempotency_key=f"order-{order.pk}-attempt-{number}",
                    amount_won=order.amount_won,
                    payment_method_id=card_id,
                )
        except IntegrityError:
            return None  # another attempt is in flight (unique index): reconciliation will settle it
        Order.objects.filter(pk=order.pk).update(status=Order.Status.CHARGING, attempts_count=number)
        return attempt


def order_charge(*, order_id: int, gateway: PaymentGateway, now: datetime | None = None) -> Order:
    """Charge one order if it is due for a charge; safe to call any number of times, from any worker."""
    now = now or clock.now()
    attempt = _attempt_start(order_id, now=now)
    if attempt is None:
        return Order.objects.get(pk=order_id)
    subscription = Subscription.objects.select_related("subscriber").get(pk=attempt.order.subscription_id)
    card = PaymentMethod.objects.get(pk=attempt.payment_method_id)
    ratelimit.acquire(gateway.name)
    try:
        result = gateway.charge(
            customer_id=subscription.subscriber.gateway_customer_id,
            method_id=card.gateway_method_id,
            amount_won=attempt.amount_won,
            idempotency_key=attempt.idempotency_key,
            reference=attempt.idempotency_key,
        )
    except GatewayRateLimited:
        # Not processed by the gateway: close this attempt as not sent and let the task retry later.
        _attempt_not_sent(attempt.pk, code="rate_limited")
        raise
    except GatewayError as error:
        # Timeout or network failure: the charge may or may not exist. Reconciliation will ask.
        PaymentAttempt.objects.filter(pk=attempt.pk).update(
            status=PaymentAttempt.Status.UNKNOWN, message=str(error)[:300]
        )
        return Order.objects.get(pk=order_id)
    return attempt_record_outcome(attempt_id=attempt.pk, result=result, now=now)


def _attempt_not_sent(attempt_id: int, *, code: str) -> None:
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.status not in IN_FLIGHT:
            return
        PaymentAttempt.objects.filter(pk=attempt.pk).update(
            status=PaymentAttempt.Status.FAILED, decline_code=code, finished_at=clock.now()
        )
        Order.objects.filter(pk=attempt.order_id, status=Order.Status.CHARGING).update(status=Order.Status.PENDING)


@transaction.atomic
def attempt_record_outcome(*, attempt_id: int, result: ChargeResult, now: datetime | None = None) -> Order:
    """Record what the gateway said about an attempt and move the order accordingly. Idempotent: a
    repeated or late outcome changes nothing that is already settled."""
    now = now or clock.now()
    attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
    order = Order.objects.select_for_update().select_related("municipality").get(pk=attempt.order_id)
    new_status = {
        ChargeResult.Status.SUCCEEDED: PaymentAttempt.Status.SUCCEEDED,
        ChargeResult.Status.REQUIRES_ACTION: PaymentAttempt.Status.REQUIRES_ACTION,
        ChargeResult.Status.FAILED: PaymentAttempt.Status.FAILED,
    }[result.status]
    # "not sent" is reconciliation's inference from a search that may lag behind (Stripe's search is
    # eventually consistent); the gateway's own word about the payment overrides it.
    settled = attempt.status == PaymentAttempt.Status.SUCCEEDED or (
        attempt.status == PaymentAttempt.Status.FAILED and attempt.decline_code != NOT_FOUND_BY_RECONCILIATION
    )
    if settled or (attempt.status == new_status):
        return order
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        status=new_status,
        payment_id=result.payment_id or attempt.payment_id,
        decline_code=result.decline_code[:60],
        message=result.message[:300],
        finished_at=now,
    )
    if order.status in (Order.Status.PAID, Order.Status.CANCELED):
        if new_status == PaymentAttempt.Status.SUCCEEDED:
            # Money taken for an order that is cancelled, or that another attempt already paid: give it back.
            returns.payment_return_open(attempt=attempt, order=order, now=now)
        return order
    if new_status == PaymentAttempt.Status.SUCCEEDED:
        # Money was taken, whichever attempt took it: the order is paid (a newer attempt in flight then finds
        # the order PAID and records its own outcome without touching the order).
        _order_paid(order, now)
    elif order.attempts_count != attempt.number:
        return order  # a failure or 3-D Secure request of an older attempt: the newer attempt owns the order
    elif new_status == PaymentAttempt.Status.REQUIRES_ACTION:
        order.status = Order.Status.REQUIRES_ACTION
        order.action_deadline = now + timedelta(hours=settings.PAYMENT_ACTION_HOURS)
        order.save(update_fields=["status", "action_deadline"])
        notices.payment_action_required(order)
    else:
        _order_failed(order, code=result.decline_code, message=result.message, now=now)
    return order


def _order_paid(order: Order, now: datetime) -> None:
    order.status, order.paid_at = Order.Status.PAID, now
    order.next_retry_at = order.action_deadline = None
    order.failure_code = order.failure_message = ""
    order.save(
        update_fields=["status", "paid_at", "next_retry_at", "action_deadline", "failure_code", "failure_message"]
    )
    order_items_copy(order)  # from now on the box is packed, picked and settled from its own items
    sub = Subscription.objects.select_for_update().get(pk=order.subscription_id)
    fields = []
    if order.boxes_charged > 1:
        # A prepaid term was paid: this order's box is one of them, the rest ship from later cycles.
        sub.prepaid_boxes_remaining = order.boxes_charged - 1
        fields.append("prepaid_boxes_remaining")
    if sub.status == Subscription.Status.PAST_DUE:
        sub.status = Subscription.Status.ACTIVE
        fields.append("status")
        SubscriptionEvent.objects.create(
            municipality_id=sub.municipality_id,
            subscription=sub,
            kind=SubscriptionEvent.Kind.REACTIVATED,
            from_status=Subscription.Status.PAST_DUE,
            to_status=sub.status,
            reason="결제 회복",
            data={"order_id": order.pk},
        )
    if fields:
        sub.save(update_fields=[*fields, "updated_at"])
    # The bundle's welcome tourism coupons come with the first payment, not with the sign-up, so nobody can
    # subscribe, take the coupons and leave before paying; tourism issues them once per subscription.
    coupons_issue_welcome(
        municipality=order.municipality,
        subscription_id=sub.pk,
        bundle_id=order.bundle_id,
        holder_id=Subscriber.objects.filter(pk=order.subscriber_id).values_list("user_id", flat=True)[0],
        now=now,
    )
    notices.payment_succeeded(order)


def dunning_next_retry(order: Order, now: datetime) -> datetime | None:
    """When to retry a failed charge: the municipality's schedule counted from the first failure
    (default +1, +3, +5 days); None when every retry has been used."""
    schedule = order.municipality.dunning_schedule_days
    retries_done = order.attempts_count - 1
    if retries_done >= len(schedule):
        return None
    first = PaymentAttempt.objects.filter(order=order).order_by("number").values_list("created_at", flat=True).first()
    return (first or now) + timedelta(days=schedule[retries_done])


def _order_failed(order: Order, *, code: str, message: str, now: datetime) -> None:
    order.failure_code, order.failure_message = code[:60], message[:300]
    retry_at = None if code in HARD_DECLINES else dunning_next_retry(order, now)
    if retry_at is None:
        order.status, order.canceled_at, order.next_retry_at = Order.Status.CANCELED, now, None
        order.save(update_fields=["status", "canceled_at", "next_retry_at", "failure_code", "failure_message"])
        _shipping_support_release(order)
        _subscription_past_due(order, now)
        notices.payment_failed_final(order)
    else:
        order.status, order.next_retry_at = Order.Status.FAILED, retry_at
        order.save(update_fields=["status", "next_retry_at", "failure_code", "failure_message"])
        notices.payment_failed_will_retry(order)


def _shipping_support_release(order: Order) -> None:
    """A cancelled box never ships: the shipping support reserved for it at cycle close goes back to its
    campaign's budget for other boxes. The order keeps its snapshot (what it would have cost)."""
    draw = (
        ShippingSupportDraw.objects.select_for_update()
        .filter(municipality_id=order.municipality_id, subscription_id=order.subscription_id, cycle_id=order.cycle_id)
        .first()
    )
    if draw is None:
        return
    ShippingSupportCampaign.objects.filter(pk=draw.campaign_id).update(spent_won=F("spent_won") - draw.amount_won)
    draw.delete()


def _subscription_past_due(order: Order, now: datetime) -> None:
    sub = Subscription.objects.select_for_update().get(pk=order.subscription_id)
    if sub.status not in (Subscription.Status.ACTIVE, Subscription.Status.PAUSED):
        return
    previous, sub.status = sub.status, Subscription.Status.PAST_DUE
    sub.save(update_fields=["status", "updated_at"])
    SubscriptionEvent.objects.create(
        municipality_id=sub.municipality_id,
        subscription=sub,
        kind=SubscriptionEvent.Kind.PAST_DUE,
        from_status=previous,
        to_status=sub.status,
        reason=order.failure_code,
        data={"order_id": order.pk},
    )


def attempts_reconcile(
    *, gateway: PaymentGateway, older_than: timedelta = timedelta(minutes=10), now: datetime | None = None
) -> int:
    """Settle attempts whose outcome was never recorded by asking the gateway for the charge made with
    their key. Found → record it; not found → the call never reached the gateway: close the attempt so
    the order can be charged again with a new attempt. Returns how many attempts were settled."""
    now = now or clock.now()
    stale = PaymentAttempt.objects.filter(status__in=IN_FLIGHT, created_at__lte=now - older_than).select_related(
        "order__subscriber"
    )
    settled = 0
    for attempt in stale:
        found = gateway.charge_find(
            reference=attempt.idempotency_key, customer_id=attempt.order.subscriber.gateway_customer_id
        )
        if found is None:
            _attempt_not_sent(attempt.pk, code=NOT_FOUND_BY_RECONCILIATION)
        else:
            attempt_record_outcome(attempt_id=attempt.pk, result=found, now=now)
        settled += 1
    return settled


def orders_due_for_charge(*, cycle_id: int | None = None, now: datetime | None = None) -> list[int]:
    """Order ids to charge now (every municipality, or one cycle): pending orders whose cycle's charge
    time has come, and failed orders whose dunning retry is due."""
    now = now or clock.now()
    orders = Order.objects.filter(amount_won__gt=0)
    if cycle_id is not None:
        orders = orders.filter(cycle_id=cycle_id)
    due = Q(status=Order.Status.PENDING, cycle__charge_at__lte=now) | Q(
        status=Order.Status.FAILED, next_retry_at__lte=now
    )
    return list(orders.filter(due).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def order_retry_now(*, order: Order, now: datetime | None = None) -> Order:
    """The subscriber fixed their card: bring the failed order's next retry forward to now."""
    now = now or clock.now()
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if locked.status != Order.Status.FAILED:
        return locked
    Order.objects.filter(pk=locked.pk).update(next_retry_at=now)
    locked.next_retry_at = now
    return locked


def actions_expire(*, gateway: PaymentGateway, now: datetime | None = None) -> int:
    """3-D Secure not completed by its deadline: the waiting payment is cancelled at the gateway (so a late
    authentication cannot take money after a retry has charged again) and counts as a failed attempt that
    follows dunning. A payment completed at the last moment is recorded as paid instead."""
    now = now or clock.now()
    expired = 0
    for order_id in Order.objects.filter(status=Order.Status.REQUIRES_ACTION, action_deadline__lte=now).values_list(
        "pk", flat=True
    ):
        attempt = PaymentAttempt.objects.filter(order_id=order_id).order_by("-number").first()
        state = gateway.charge_cancel(payment_id=attempt.payment_id) if attempt and attempt.payment_id else None
        if state is not None and state.status == ChargeResult.Status.SUCCEEDED:
            attempt_record_outcome(attempt_id=attempt.pk, result=state, now=now)
            continue
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("municipality").get(pk=order_id)
            if order.status != Order.Status.REQUIRES_ACTION:
                continue
            if attempt is not None:
                PaymentAttempt.objects.filter(pk=attempt.pk, status=PaymentAttempt.Status.REQUIRES_ACTION).update(
                    status=PaymentAttempt.Status.FAILED, decline_code="authentication_required", finished_at=now
                )
            _order_failed(order, code="authentication_required", message="", now=now)
            expired += 1
    return expired


def past_due_cancel(*, now: datetime | None = None) -> int:
    """Cancel subscriptions that stayed past due longer than their municipality's policy allows."""
    from subscriptions.lifecycle import subscription_cancel  # lifecycle imports nothing from billing

    now = now or clock.now()
    cancelled = 0
    overdue = (
        SubscriptionEvent.objects.filter(
            kind=SubscriptionEvent.Kind.PAST_DUE, subscription__status=Subscription.Status.PAST_DUE
        )
        .select_related("subscription__municipality")
        .order_by("subscription_id", "-created_at")
    )
    seen: set[int] = set()
    for event in overdue:
        if event.subscription_id in seen:
            continue
        seen.add(event.subscription_id)
        sub = event.subscription
        if event.created_at + timedelta(days=sub.municipality.past_due_cancel_days) <= now:
            subscription_cancel(
                subscription=sub, reason=Subscription.CancelReason.OTHER, note="결제 연체로 자동 해지", acting_user=None
            )
            cancelled += 1
    return cancelled


def order_payment_refresh(*, order_id: int, gateway: PaymentGateway) -> Order:
    """After the subscriber completed (or abandoned) 3-D Secure on our page, ask the gateway how the
    payment stands and record it — the webhook may bring the same news later; both are idempotent."""
    attempt = (
        PaymentAttempt.objects.filter(order_id=order_id, status=PaymentAttempt.Status.REQUIRES_ACTION)
        .exclude(payment_id="")
        .order_by("-number")
        .first()
    )
    if attempt is None:
        return Order.objects.get(pk=order_id)
    return attempt_record_outcome(attempt_id=attempt.pk, result=gateway.charge_lookup(payment_id=attempt.payment_id))
