"""How a subscriber's subscription reads on their pages: upcoming boxes, history, plain-Korean notes."""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _

from bundles.models import Cadence
from core.money import format_won
from municipalities.models import Municipality
from subscriptions import clock, cycles, selectors
from subscriptions.forms import (
    card_is_usable,
    percent_text,
)
from subscriptions.models import DeliveryCycle, Subscription, SubscriptionEvent
from subscriptions.views.checkout import CycleText, day_text, local_today, moment_text

Status = Subscription.Status
Kind = SubscriptionEvent.Kind


STATUS_BADGE = {
    Status.ACTIVE: "bg-light-success",
    Status.PAUSED: "bg-light-warning",
    Status.PAST_DUE: "bg-light-danger",
    Status.CANCELED: "bg-light-gray",
}

HISTORY_LIMIT = 50


# --- Reading a subscription for its pages ------------------------------------------------------------------
@dataclass(frozen=True)
class Box:
    """One upcoming delivery of a subscription."""

    when: CycleText
    skipped: bool
    paused: bool


@dataclass(frozen=True)
class HistoryLine:
    when: str
    title: str
    detail: str
    who: str


class OpenCycles:
    """The next open cycle of each cadence, asked once per request whatever the number of subscriptions."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        self._next: dict[str, DeliveryCycle] = {}

    def next(self, cadence: str) -> DeliveryCycle:
        if cadence not in self._next:
            self._next[cadence] = cycles.next_open_cycle(municipality=self.municipality, cadence=cadence)
        return self._next[cadence]

    def after(self, cycle: DeliveryCycle) -> DeliveryCycle:
        return cycles.next_open_cycle(municipality=self.municipality, cadence=cycle.cadence, after=cycle.cutoff_at)


def boxes_ahead(sub: Subscription, *, open_cycles: OpenCycles, today: date, count: int) -> list[Box]:
    """The next `count` deliveries whose cutoff has not passed, with their skip and pause state."""
    if sub.status == Status.CANCELED:
        return []
    cycle = open_cycles.next(sub.cadence)
    first = sub.first_cycle
    if first.cadence == sub.cadence and first.cutoff_at > cycle.cutoff_at:
        cycle = first
    skipped = {skip.cycle_id for skip in sub.skips.all()}
    boxes: list[Box] = []
    while True:
        paused = sub.status == Status.PAUSED and (sub.paused_until is None or cycle.ship_date <= sub.paused_until)
        when = CycleText.of(cycle, municipality=open_cycles.municipality, today=today)
        boxes.append(Box(when=when, skipped=cycle.pk in skipped, paused=paused))
        if len(boxes) == count:
            return boxes
        cycle = open_cycles.after(cycle)


def cycle_past_cutoff(sub: Subscription, *, municipality: Municipality, cadence: str) -> DeliveryCycle | None:
    """This cycle of `cadence` when its cutoff has passed but its box has not shipped yet, and it is one of
    this subscription's boxes; a change made now misses it."""
    today = local_today(municipality)
    cycle = (
        DeliveryCycle.objects.for_tenant(municipality)
        .filter(cadence=cadence, cutoff_at__lte=clock.now(), ship_date__gte=today)
        .order_by("-cutoff_at")
        .first()
    )
    if cycle is None or sub.first_cycle.ship_date > cycle.ship_date:
        return None
    return cycle


def cutoff_note(sub: Subscription, *, municipality: Municipality, cadence: str) -> str:
    cycle = cycle_past_cutoff(sub, municipality=municipality, cadence=cadence)
    if cycle is None:
        return ""
    when = CycleText.of(cycle, municipality=municipality, today=local_today(municipality))
    return _("이번 회차(%(ship)s 발송)는 변경 마감(%(cutoff)s)이 지나 다음 회차부터 적용됩니다.") % {
        "ship": when.ship,
        "cutoff": when.cutoff,
    }


def from_text(sub: Subscription, municipality: Municipality) -> str:
    """'12월 10일(목)': the first delivery a change made now applies to."""
    cycle = cycles.next_open_cycle(municipality=municipality, cadence=sub.cadence)
    return day_text(cycle.ship_date, today=local_today(municipality))


def effect_text(sub: Subscription, municipality: Municipality, lead: str, *, cadence_before: str | None = None) -> str:
    """'<lead> 12월 10일(목) 배송분부터 적용됩니다.' plus the cutoff note when this cycle is already closed."""
    parts = [lead, _("%(ship)s 배송분부터 적용됩니다.") % {"ship": from_text(sub, municipality)}]
    note = cutoff_note(sub, municipality=municipality, cadence=cadence_before or sub.cadence)
    return " ".join([*parts, note] if note else parts)


def term_text(sub: Subscription) -> str:
    if sub.term_boxes == 1:
        return _("회차마다 결제")
    return _("%(term)d회분 선결제 (%(percent)s%% 할인) · 남은 선결제 상자 %(left)d개") % {
        "term": sub.term_boxes,
        "percent": percent_text(sub.term_discount_bp),
        "left": sub.prepaid_boxes_remaining,
    }


def promo_text(sub: Subscription) -> str:
    if sub.promo_code_id is None:
        return ""
    if sub.promo_boxes_remaining is None:
        return _("%(code)s · 매 회차 할인") % {"code": sub.promo_code.code}
    return _("%(code)s · 남은 할인 %(left)d회") % {"code": sub.promo_code.code, "left": sub.promo_boxes_remaining}


def pause_text(sub: Subscription, today: date) -> str:
    if sub.status != Status.PAUSED:
        return ""
    if sub.paused_until is None:
        return _("다시 시작할 때까지 일시정지")
    return _("%(until)s까지 일시정지") % {"until": day_text(sub.paused_until, today=today)}


def history_lines(sub: Subscription, *, request: HttpRequest) -> list[HistoryLine]:
    municipality = request.municipality
    today = local_today(municipality)
    events = list(selectors.subscription_events(subscription=sub)[:HISTORY_LIMIT])
    bundle_ids = {
        event.data.get(side, {}).get("bundle_id")
        for event in events
        if event.kind == Kind.PLAN_CHANGED
        for side in ("from", "to")
    }
    bundle_names = selectors.bundle_names(municipality=municipality, bundle_ids=bundle_ids - {None})
    reasons = dict(Subscription.CancelReason.choices)
    lines = []
    for event in events:
        ship = day_text(event.effective_cycle.ship_date, today=today) if event.effective_cycle else ""
        from_ship = _("%(ship)s 배송분부터") % {"ship": ship} if ship else ""
        data = event.data or {}
        detail = from_ship
        if event.kind == Kind.CREATED:
            term = data.get("term_boxes", 1)
            paid = _("회차마다 결제") if term == 1 else _("%(term)d회분 선결제") % {"term": term}
            detail = " · ".join(part for part in (from_ship, paid) if part)
        elif event.kind in (Kind.SKIPPED, Kind.UNSKIPPED):
            detail = _("%(ship)s 배송분") % {"ship": ship} if ship else ""
        elif event.kind == Kind.PAUSED:
            until = data.get("until")
            how_long = (
                _("%(until)s까지") % {"until": day_text(date.fromisoformat(until), today=today)}
                if until
                else _("다시 시작할 때까지")
            )
            detail = " · ".join(part for part in (how_long, from_ship) if part)
        elif event.kind == Kind.PLAN_CHANGED:
            before, after = data.get("from", {}), data.get("to", {})
            change = f"{plan_words(before, bundle_names)} → {plan_words(after, bundle_names)}"
            detail = " · ".join(part for part in (change, from_ship) if part)
        elif event.kind == Kind.CARD_CHANGED:
            detail = _("끝자리 %(last4)s 카드로") % {"last4": data.get("last4", "")}
        elif event.kind == Kind.CANCELED:
            parts = [str(reasons.get(data.get("reason"), "")), event.reason, from_ship]
            if data.get("refund_due_won"):
                parts.append(_("환불 예정 %(amount)s") % {"amount": format_won(data["refund_due_won"])})
            detail = " · ".join(part for part in parts if part)
        if event.actor_id is None:
            who = _("자동 처리")
        elif event.actor_id == request.user.pk:
            who = _("본인")
        else:
            who = _("담당자")
        lines.append(
            HistoryLine(
                when=moment_text(event.created_at, municipality=municipality, today=today),
                title=event.get_kind_display(),
                detail=detail,
                who=who,
            )
        )
    return lines


def plan_words(plan: dict, bundle_names: dict[int, str]) -> str:
    cadence = Cadence(plan["cadence"]).label if plan.get("cadence") in Cadence.values else ""
    return " ".join(str(part) for part in (bundle_names.get(plan.get("bundle_id"), ""), cadence) if part)


def card_text(sub: Subscription, today: date) -> str:
    card = sub.payment_method
    text = str(card)
    return text if card_is_usable(card, today) else _("%(card)s · 유효기간이 지났습니다") % {"card": text}


def summary(sub: Subscription, *, open_cycles: OpenCycles, today: date, boxes: int) -> dict:
    upcoming = boxes_ahead(sub, open_cycles=open_cycles, today=today, count=boxes)
    return {
        "sub": sub,
        "badge": STATUS_BADGE[Status(sub.status)],
        "boxes": upcoming,
        "next_box": upcoming[0] if upcoming else None,
        "pause_text": pause_text(sub, today),
    }
