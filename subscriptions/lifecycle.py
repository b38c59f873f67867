"""The life of a subscription: every state change and self-service change, in one place.

Each service locks the subscription row, checks the move against Subscription.TRANSITIONS, records a
SubscriptionEvent (who, when, why, from which cycle) and returns early when the change is already made.

Cutoff rule: a change takes effect from the next cycle whose cutoff has not passed at the moment it is
made (`cycles.next_open_cycle`); a change after a cycle's cutoff therefore lands on the following cycle.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import Bundle, Plan
from core.transitions import TransitionNotAllowed
from subscriptions import clock, cycles
from subscriptions.models import (
    Address,
    DeliveryCycle,
    Order,
    PaymentMethod,
    SkippedCycle,
    Subscription,
    SubscriptionEvent,
)

Status = Subscription.Status
Kind = SubscriptionEvent.Kind


class ChangeNotAllowed(Exception):
    """A self-service change that the rules refuse; the message explains it to the subscriber."""


def _lock(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("municipality").get(pk=subscription.pk)


def _next_cycle(sub: Subscription) -> DeliveryCycle:
    return cycles.next_open_cycle(municipality=sub.municipality, cadence=sub.cadence)


def _event(
    sub: Subscription,
    kind: str,
    actor: User | None,
    *,
    from_status: str = "",
    reason: str = "",
    cycle: DeliveryCycle | None = None,
    data: dict | None = None,
) -> SubscriptionEvent:
    return SubscriptionEvent.objects.create(
        municipality_id=sub.municipality_id,
        subscription=sub,
        kind=kind,
        from_status=from_status,
        to_status=sub.status,
        actor=actor,
        reason=reason[:300],
        effective_cycle=cycle,
        data=data or {},
    )


def _move(sub: Subscription, to: str) -> str:
    """Change the status after checking TRANSITIONS; returns the previous status."""
    if to not in Subscription.TRANSITIONS[Status(sub.status)]:
        raise TransitionNotAllowed(
            _("'%(from)s' 상태의 구독은 '%(to)s'(으)로 바꿀 수 없습니다.")
            % {"from": sub.get_status_display(), "to": Status(to).label}
        )
    previous, sub.status = sub.status, to
    return previous


def _require_live(sub: Subscription) -> None:
    if sub.status == Status.CANCELED:
        raise ChangeNotAllowed(_("해지된 구독은 바꿀 수 없습니다. 다시 구독하기를 먼저 해 주세요."))


@transaction.atomic
def subscription_skip(
    *, subscription: Subscription, acting_user: User, cycle: DeliveryCycle | None = None
) -> SkippedCycle:
    """Skip one box: by default the next one whose cutoff has not passed. Skipping twice is a no-op."""
    sub = _lock(subscription)
    _require_live(sub)
    cycle = cycle or _next_cycle(sub)
    if cycle.cutoff_at <= clock.now() or cycle.cadence != sub.cadence or cycle.municipality_id != sub.municipality_id:
        raise ChangeNotAllowed(_("변경 마감이 지난 회차는 건너뛸 수 없습니다."))
    skip, created = SkippedCycle.objects.get_or_create(
        municipality_id=sub.municipality_id, subscription=sub, cycle=cycle
    )
    if created:
        _event(sub, Kind.SKIPPED, acting_user, from_status=sub.status, cycle=cycle)
    return skip


@transaction.atomic
def subscription_unskip(*, subscription: Subscription, cycle: DeliveryCycle, acting_user: User) -> None:
    sub = _lock(subscription)
    if cycle.cutoff_at <= clock.now():
        raise ChangeNotAllowed(_("변경 마감이 지나 건너뛰기를 취소할 수 없습니다."))
    deleted, _rows = SkippedCycle.objects.filter(subscription=sub, cycle=cycle).delete()
    if deleted:
        _event(sub, Kind.UNSKIPPED, acting_user, from_status=sub.status, cycle=cycle)


@transaction.atomic
def subscription_pause(
    *, subscription: Subscription, until: date | None, acting_user: User, reason: str = ""
) -> Subscription:
    """Pause deliveries through `until` (None: until resumed). Repeating the same pause is a no-op."""
    sub = _lock(subscription)
    if sub.status == Status.PAUSED and sub.paused_until == until:
        return sub
    if until is not None and until <= clock.today(sub.municipality.timezone):
        raise ChangeNotAllowed(_("일시정지 종료일은 오늘 이후여야 합니다."))
    previous = sub.status if sub.status == Status.PAUSED else _move(sub, Status.PAUSED)
    sub.paused_until = until
    sub.save(update_fields=["status", "paused_until", "updated_at"])
    _event(
        sub,
        Kind.PAUSED,
        acting_user,
        from_status=previous,
        reason=reason,
        cycle=_next_cycle(sub),
        data={"until": until.isoformat() if until else None},
    )
    return sub


@transaction.atomic
def subscription_resume(*, subscription: Subscription, acting_user: User) -> Subscription:
    sub = _lock(subscription)
    if sub.status == Status.ACTIVE:
        return sub
    if sub.status != Status.PAUSED:
        raise TransitionNotAllowed(_("일시정지된 구독만 다시 시작할 수 있습니다."))
    previous = _move(sub, Status.ACTIVE)
    sub.paused_until = None
    sub.save(update_fields=["status", "paused_until", "updated_at"])
    _event(sub, Kind.RESUMED, acting_user, from_status=previous, cycle=_next_cycle(sub))
    return sub


@transaction.atomic
def subscription_change_plan(*, subscription: Subscription, plan: Plan, acting_user: User) -> Subscription:
    """Change bundle and/or cadence from the next open cycle of the new cadence."""
    sub = _lock(subscription)
    _require_live(sub)
    if plan.pk == sub.plan_id:
        return sub
    if (
        plan.municipality_id != sub.municipality_id
        or not plan.is_active
        or plan.bundle.status != Bundle.Status.PUBLISHED
    ):
        raise ChangeNotAllowed(_("선택할 수 없는 꾸러미 또는 배송 주기입니다."))
    if sub.term_boxes > 1 and sub.prepaid_boxes_remaining > 0:
        raise ChangeNotAllowed(_("선결제한 회차가 남아 있는 동안에는 꾸러미나 주기를 바꿀 수 없습니다."))
    old = {"plan_id": sub.plan_id, "bundle_id": sub.bundle_id, "cadence": sub.cadence}
    sub.plan, sub.bundle, sub.cadence = plan, plan.bundle, plan.cadence
    if sub.term_boxes > 1:
        sub.term_discount_bp = plan.discount_bp(sub.term_boxes)
    sub.save(update_fields=["plan", "bundle", "cadence", "term_discount_bp", "updated_at"])
    _event(
        sub,
        Kind.PLAN_CHANGED,
        acting_user,
        from_status=sub.status,
        cycle=_next_cycle(sub),
        data={"from": old, "to": {"plan_id": plan.pk, "bundle_id": plan.bundle_id, "cadence": plan.cadence}},
    )
    return sub


@transaction.atomic
def subscription_change_address(*, subscription: Subscription, address: Address, acting_user: User) -> Subscription:
    sub = _lock(subscription)
    _require_live(sub)
    if address.subscriber_id != sub.subscriber_id:
        raise ChangeNotAllowed(_("선택할 수 없는 배송지입니다."))
    if address.pk == sub.address_id:
        return sub
    sub.address = address
    sub.save(update_fields=["address", "updated_at"])
    _event(
        sub,
        Kind.ADDRESS_CHANGED,
        acting_user,
        from_status=sub.status,
        cycle=_next_cycle(sub),
        data={"address_id": address.pk},
    )
    return sub


@transaction.atomic
def subscription_change_card(
    *, subscription: Subscription, payment_method: PaymentMethod, acting_user: User
) -> Subscription:
    sub = _lock(subscription)
    if payment_method.subscriber_id != sub.subscriber_id:
        raise ChangeNotAllowed(_("선택할 수 없는 카드입니다."))
    if payment_method.pk == sub.payment_method_id:
        return sub
    sub.payment_method = payment_method
    previous = sub.status
    if sub.status == Status.PAST_DUE:
        # The card was why deliveries stopped; with a new one the subscription continues from the next cycle.
        _move(sub, Status.ACTIVE)
    sub.save(update_fields=["payment_method", "status", "updated_at"])
    _event(sub, Kind.CARD_CHANGED, acting_user, from_status=previous, data={"last4": payment_method.last4})
    return sub


def prepaid_term_order(sub: Subscription) -> Order | None:
    """The paid order that charged the current prepaid term, if any."""
    return (
        Order.objects.filter(subscription=sub, status=Order.Status.PAID, boxes_charged__gt=1)
        .order_by("-paid_at", "-pk")
        .first()
    )


def prepaid_refund_due_won(sub: Subscription) -> int:
    """Refund policy for a cancelled prepaid term: the unshipped boxes at what was actually paid per box
    (the term's charge ÷ its boxes, rounded down), never more than is still refundable."""
    if sub.term_boxes == 1 or sub.prepaid_boxes_remaining == 0:
        return 0
    order = prepaid_term_order(sub)
    if order is None:
        return 0
    due = order.amount_won * sub.prepaid_boxes_remaining // order.boxes_charged
    return min(due, order.amount_won - order.refunded_won)


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, reason: str, note: str = "", acting_user: User) -> Subscription:
    """Cancel from the next open cycle, with a reason. A prepaid term's unshipped boxes become a refund
    due (recorded on the event, paid by the billing engine's refund service)."""
    sub = _lock(subscription)
    if sub.status == Status.CANCELED:
        return sub
    if reason not in Subscription.CancelReason.values:
        raise ChangeNotAllowed(_("해지 사유를 선택해 주세요."))
    previous = _move(sub, Status.CANCELED)
    refund_due = prepaid_refund_due_won(sub)
    sub.canceled_at, sub.cancel_reason, sub.cancel_note = clock.now(), reason, note[:300]
    sub.paused_until = None
    sub.save(update_fields=["status", "canceled_at", "cancel_reason", "cancel_note", "paused_until", "updated_at"])
    _event(
        sub,
        Kind.CANCELED,
        acting_user,
        from_status=previous,
        reason=note,
        cycle=_next_cycle(sub),
        data={"reason": reason, "refund_due_won": refund_due, "unshipped_boxes": sub.prepaid_boxes_remaining},
    )
    return sub


@transaction.atomic
def subscription_reactivate(*, subscription: Subscription, acting_user: User) -> Subscription:
    sub = _lock(subscription)
    if sub.status == Status.ACTIVE:
        return sub
    if sub.status != Status.CANCELED:
        raise TransitionNotAllowed(_("해지된 구독만 다시 구독할 수 있습니다."))
    plan = Plan.objects.select_related("bundle").get(pk=sub.plan_id)
    if not plan.is_active or plan.bundle.status != Bundle.Status.PUBLISHED:
        raise ChangeNotAllowed(_("이 꾸러미는 판매가 끝나 다시 구독할 수 없습니다. 다른 꾸러미를 골라 주세요."))
    previous = _move(sub, Status.ACTIVE)
    sub.canceled_at, sub.cancel_reason, sub.cancel_note = None, "", ""
    sub.prepaid_boxes_remaining = 0
    sub.save(
        update_fields=["status", "canceled_at", "cancel_reason", "cancel_note", "prepaid_boxes_remaining", "updated_at"]
    )
    _event(sub, Kind.REACTIVATED, acting_user, from_status=previous, cycle=_next_cycle(sub))
    return sub


@transaction.atomic
def prepaid_term_paid(*, subscription: Subscription) -> Subscription:
    """Called by the billing engine when a prepaid term's charge succeeds: N boxes are now paid."""
    sub = _lock(subscription)
    sub.prepaid_boxes_remaining = sub.term_boxes if sub.term_boxes > 1 else 0
    sub.save(update_fields=["prepaid_boxes_remaining", "updated_at"])
    return sub


@transaction.atomic
def prepaid_box_shipped(*, subscription: Subscription) -> Subscription:
    """One prepaid box has shipped; when none remain the next box starts a new (renewed) term."""
    sub = _lock(subscription)
    if sub.prepaid_boxes_remaining > 0:
        sub.prepaid_boxes_remaining -= 1
        sub.save(update_fields=["prepaid_boxes_remaining", "updated_at"])
    return sub
