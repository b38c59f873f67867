"""Staff billing pages: delivery cycles and their billing run, failed payments and recovered revenue, one
order with its attempts and refunds.

Every page is for staff roles of the request's municipality (others get 404, merchants and partners 403)
and fetches by id only within that municipality, so another tenant's id is a 404. Changes are POST only
and go through the billing services: refunds need admin or finance, ship-date moves admin or logistics,
closing a cycle early admin. A refused change (RefundNotAllowed, GatewayError, ShipDateNotAllowed,
CycleNotDue) is shown in Korean on the form and changes nothing.

The reads below are written so that a page costs the same number of queries for 2 rows or 2,000: counts
and sums are conditional aggregates, tables read only select_related parents.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from core import privacy
from core.money import format_won
from municipalities.models import Role
from municipalities.permissions import can_view_personal_data, roles_required, staff_required
from municipalities.services import personal_data_access_record
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions import clock
from subscriptions.billing.close import CycleNotDue, cycle_close
from subscriptions.billing.contents import order_contents
from subscriptions.billing.decline_messages import decline_message
from subscriptions.billing.refunds import RefundNotAllowed, order_refund
from subscriptions.billing.reports import (
    CYCLES_EACH_WAY,
    cycle_summary,
    cycles_with_counts,
    failed_orders,
    failed_summary,
    failures_and_recoveries_by_week,
    municipality_zone,
    recovered_revenue,
)
from subscriptions.billing_filters import CycleFilter, CycleOrderFilter, FailedPaymentFilter
from subscriptions.billing_forms import RefundForm, ShipDateForm
from subscriptions.billing_tables import (
    ORDER_STATUS_BADGES,
    CycleOrderTable,
    CycleTable,
    FailedPaymentTable,
    dunning_next_step,
    short_moment,
)
from subscriptions.cycles import ShipDateNotAllowed, cycle_move_ship_date
from subscriptions.gateways.base import GatewayError
from subscriptions.gateways.stripe_gateway import gateway
from subscriptions.models import DeliveryCycle, Order, PaymentAttempt, Refund
from subscriptions.tasks import cycle_charge_task
from subscriptions.views.checkout import CycleText, local_today

REFUND_ROLES = frozenset({Role.ADMIN, Role.FINANCE})
SHIP_DATE_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS})
CLOSE_ROLES = frozenset({Role.ADMIN})

RECOVERY_DAYS = 30
POLL_SECONDS = 5

Status = Order.Status


def _has_role(request: HttpRequest, allowed: frozenset[str]) -> bool:
    return bool(frozenset(request.roles) & allowed)


def _cycle(request: HttpRequest, cycle_id: int) -> DeliveryCycle:
    return get_for_tenant_or_404(
        DeliveryCycle.objects.select_related("municipality"), municipality=request.municipality, pk=cycle_id
    )


def _order(request: HttpRequest, order_id: int) -> Order:
    return get_for_tenant_or_404(
        Order.objects.select_related("cycle", "subscriber__user", "municipality").prefetch_related(
            Prefetch("attempts", queryset=PaymentAttempt.objects.order_by("number").prefetch_related("returns")),
            Prefetch("refunds", queryset=Refund.objects.select_related("actor").order_by("created_at", "pk")),
        ),
        municipality=request.municipality,
        pk=order_id,
    )


# --- Cycles ------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    now = clock.now()
    filterset = CycleFilter(request.GET or None, queryset=DeliveryCycle.objects.all())
    filtered = filterset.is_bound and filterset.is_valid() and any(filterset.form.cleaned_data.values())
    cycles = cycles_with_counts(municipality=municipality, now=now, filtered=filtered)
    table = CycleTable(
        filterset.filter_queryset(cycles) if filtered else cycles,
        municipality_slug=municipality.slug,
        zone=municipality_zone(municipality),
        now=now,
    )
    RequestConfig(request).configure(table)
    return render(
        request,
        "subscriptions/billing/cycle_list.html",
        {"filter": filterset, "table": table, "filtered": filtered, "each_way": CYCLES_EACH_WAY},
    )


def _chart(counts: dict) -> dict:
    """The doughnut's data (labels in Korean, colours by status) for json_script."""
    parts = [
        (Status.PAID, counts["paid_count"]),
        (Status.FAILED, counts["failed_count"]),
        (Status.REQUIRES_ACTION, counts["action_count"]),
        (Status.PENDING, counts["pending_count"]),
        (Status.CANCELED, counts["canceled_count"]),
    ]
    return {
        "labels": [str(Status(status).label) for status, _count in parts],
        "values": [count for _status, count in parts],
        "keys": [str(status) for status, _count in parts],
    }


def _progress_context(request: HttpRequest, cycle: DeliveryCycle) -> dict:
    """What the progress block shows (one aggregate query); the htmx poll renders only this."""
    municipality = request.municipality
    counts = cycle_summary(cycle=cycle)
    chart = _chart(counts)
    is_open = cycle.status == DeliveryCycle.Status.OPEN
    charges_started = cycle.charge_at <= clock.now()
    return {
        "cycle": cycle,
        "when": CycleText.of(cycle, municipality=municipality, today=local_today(municipality)),
        "counts": counts,
        "chart": chart,
        "status_rows": list(zip(chart["keys"], chart["labels"], chart["values"], strict=True)),
        "is_open": is_open,
        "charges_started": charges_started,
        # Charges are in flight while a closed cycle, past its charge time, still has unsettled orders.
        "in_flight": not is_open and charges_started and counts["pending_count"] > 0,
        "poll_seconds": POLL_SECONDS,
    }


def _cycle_context(request: HttpRequest, cycle: DeliveryCycle, *, ship_form: ShipDateForm | None = None) -> dict:
    municipality = request.municipality
    now = clock.now()
    context = _progress_context(request, cycle)
    is_open = context["is_open"]
    full_view = can_view_personal_data(request)
    filterset = CycleOrderFilter(
        request.GET or None, queryset=Order.objects.filter(cycle=cycle).select_related("subscriber")
    )
    table = CycleOrderTable(
        filterset.qs,
        municipality_slug=municipality.slug,
        show_personal_data=full_view,
        zone=municipality_zone(municipality),
    )
    RequestConfig(request).configure(table)
    can_move = _has_role(request, SHIP_DATE_ROLES) and is_open and cycle.cutoff_at > now
    if can_move and ship_form is None:
        ship_form = ShipDateForm(initial={"ship_date": cycle.ship_date})
    return {
        **context,
        "filter": filterset,
        "table": table,
        "full_view": full_view,
        "ship_form": ship_form if can_move else None,
        "moved": cycle.ship_date != cycle.scheduled_for,
        "can_close": _has_role(request, CLOSE_ROLES) and is_open and cycle.cutoff_at <= now,
        "cutoff_passed_open": is_open and cycle.cutoff_at <= now,
    }


@staff_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if request.headers.get("HX-Request") and request.GET.get("fragment") == "progress":
        # htmx polling while charges are in flight: only the progress block, which stops polling once settled.
        return render(request, "subscriptions/billing/partials/_cycle_progress.html", _progress_context(request, cycle))
    return render(request, "subscriptions/billing/cycle_detail.html", _cycle_context(request, cycle))


def _cycle_url(request: HttpRequest, cycle: DeliveryCycle) -> str:
    return reverse(
        "subscriptions:staff-cycle", kwargs={"municipality_slug": request.municipality.slug, "cycle_id": cycle.pk}
    )


@roles_required(SHIP_DATE_ROLES)
@require_POST
def cycle_ship_date(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    form = ShipDateForm(request.POST)
    if form.is_valid():
        try:
            moved = cycle_move_ship_date(cycle=cycle, ship_date=form.cleaned_data["ship_date"])
        except ShipDateNotAllowed as error:
            form.add_error("ship_date", str(error))
        else:
            when = CycleText.of(moved, municipality=request.municipality, today=local_today(request.municipality))
            messages.success(
                request,
                _("발송일을 %(ship)s로 옮겼습니다. 변경 마감은 %(cutoff)s, 결제는 %(charge)s입니다.")
                % {"ship": when.ship, "cutoff": when.cutoff, "charge": when.charge},
            )
            return redirect(_cycle_url(request, moved))
    # The page as it was, with the form's errors (the move was refused: nothing changed).
    cycle.refresh_from_db()
    context = _cycle_context(request, cycle, ship_form=form)
    if context["ship_form"] is None:
        # The cycle can no longer be moved (closed, or its own cutoff passed): say so at the top.
        for error in form.errors.get("ship_date", []):
            messages.error(request, error)
    return render(request, "subscriptions/billing/cycle_detail.html", context, status=400)


@roles_required(CLOSE_ROLES)
@require_POST
def cycle_close_now(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _cycle(request, cycle_id)
    if cycle.status == DeliveryCycle.Status.CLOSED:
        messages.info(request, _("이미 마감된 회차입니다."))
        return redirect(_cycle_url(request, cycle))
    try:
        result = cycle_close(cycle_id=cycle.pk)
    except CycleNotDue:
        when = CycleText.of(cycle, municipality=request.municipality, today=local_today(request.municipality))
        messages.error(request, _("변경 마감(%(cutoff)s) 전이라 마감할 수 없습니다.") % {"cutoff": when.cutoff})
        return redirect(_cycle_url(request, cycle))
    # The fan-out takes only orders whose charge time has come; earlier ones are charged by the dunning run.
    transaction.on_commit(lambda: cycle_charge_task.delay(cycle.pk))
    when = CycleText.of(cycle, municipality=request.municipality, today=local_today(request.municipality))
    if cycle.charge_at <= clock.now():
        text = _("회차를 마감했습니다. 주문 %(n)d건의 결제를 시작합니다.") % {"n": result.orders}
    else:
        text = _("회차를 마감했습니다. 주문 %(n)d건은 %(charge)s에 결제합니다.") % {
            "n": result.orders,
            "charge": when.charge,
        }
    messages.success(request, text)
    return redirect(_cycle_url(request, cycle))


# --- Failed payments ---------------------------------------------------------------------------------------
@staff_required
@require_GET
def failed_payments(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    now = clock.now()
    filterset = FailedPaymentFilter(request.GET or None, queryset=failed_orders(municipality=municipality))
    table = FailedPaymentTable(
        filterset.qs,
        municipality_slug=municipality.slug,
        show_personal_data=can_view_personal_data(request),
        zone=municipality_zone(municipality),
        retries=len(municipality.dunning_schedule_days),
    )
    RequestConfig(request).configure(table)
    weeks = failures_and_recoveries_by_week(municipality=municipality, now=now)
    return render(
        request,
        "subscriptions/billing/failed_payments.html",
        {
            "filter": filterset,
            "table": table,
            "summary": failed_summary(municipality=municipality),
            "recovered": recovered_revenue(municipality=municipality, since=now - timedelta(days=RECOVERY_DAYS)),
            "recovery_days": RECOVERY_DAYS,
            "weeks": weeks,
            "chart": {
                "labels": [f"{monday.month}/{monday.day}" for monday, _f, _r in weeks],
                "failures": [failures for _m, failures, _r in weeks],
                "recoveries": [recoveries for _m, _f, recoveries in weeks],
                "failures_label": _("결제 실패"),
                "recoveries_label": _("결제 회복"),
            },
            "schedule": municipality.dunning_schedule_days,
        },
    )


# --- One order ---------------------------------------------------------------------------------------------
def _refundable(order: Order) -> int:
    """What may still be refunded: paid minus every refund not failed (pending ones are reserved)."""
    reserved = sum(refund.amount_won for refund in order.refunds.all() if refund.status != Refund.Status.FAILED)
    return max(order.amount_won - reserved, 0)


def _amount_lines(order: Order) -> list[tuple[str, int]]:
    """The order's amount part by part; the snapshot's discounts and fees are totals over `boxes_charged`."""
    lines = [
        (
            _("꾸러미 가격 %(price)s × %(boxes)d상자")
            % {"price": format_won(order.box_price_won), "boxes": order.boxes_charged},
            order.box_price_won * order.boxes_charged,
        )
    ]
    if order.term_discount_won:
        lines.append((_("선결제 할인"), -order.term_discount_won))
    if order.promo_discount_won:
        lines.append((_("프로모션 할인 (%(n)d상자)") % {"n": order.promo_boxes}, -order.promo_discount_won))
    lines.append((_("배송비"), order.shipping_fee_won))
    if order.shipping_support_won:
        lines.append((_("배송비 지원 (지자체 부담)"), -order.shipping_support_won))
    return lines


def _order_context(request: HttpRequest, order: Order, *, refund_form: RefundForm | None = None) -> dict:
    municipality = request.municipality
    zone = municipality_zone(municipality)
    full_view = can_view_personal_data(request)
    subscriber = order.subscriber
    if full_view:
        personal_data_access_record(
            request=request,
            municipality=municipality,
            subject=subscriber,
            subject_label=f"{privacy.mask_name(subscriber.name)} (#{subscriber.pk})",
            purpose=_("주문 상세 조회"),
        )
        person = {"name": subscriber.name, "phone": subscriber.phone, "email": subscriber.user.email}
        address = {
            "recipient": order.recipient,
            "phone": order.phone,
            "line": f"({order.postcode}) {order.road_address} {order.address_detail}".strip(),
            "memo": order.delivery_memo,
        }
    else:
        person = {
            "name": privacy.mask_name(subscriber.name),
            "phone": privacy.mask_phone(subscriber.phone),
            "email": privacy.mask_email(subscriber.user.email),
        }
        address = {
            "recipient": privacy.mask_name(order.recipient),
            "phone": privacy.mask_phone(order.phone),
            "line": privacy.mask_address(order.road_address),
            "memo": "",
        }
    refundable = _refundable(order)
    can_refund = (
        _has_role(request, REFUND_ROLES) and order.status == Status.PAID and order.amount_won > 0 and refundable > 0
    )
    if can_refund and refund_form is None:
        refund_form = RefundForm(refundable_won=refundable)
    items = [{"item": item, "subtotal_won": item.quantity * item.supply_price_won} for item in order_contents(order)]
    attempts = [
        {
            "attempt": attempt,
            "reason": decline_message(attempt.decline_code, for_staff=True)
            if attempt.status == PaymentAttempt.Status.FAILED
            else "",
        }
        for attempt in order.attempts.all()
    ]
    return {
        "order": order,
        "cycle": order.cycle,
        "person": person,
        "address": address,
        "full_view": full_view,
        "lines": _amount_lines(order),
        "items": items,
        "supply_total_won": sum(row["subtotal_won"] for row in items),
        "attempts": attempts,
        "refunds": list(order.refunds.all()),
        "refundable_won": refundable,
        "net_won": order.amount_won - order.refunded_won,
        "refund_form": refund_form if can_refund else None,
        "badge": ORDER_STATUS_BADGES.get(order.status, ""),
        "decline": decline_message(order.failure_code, for_staff=True) if order.failure_code else "",
        "next_step": dunning_next_step(order, retries=len(municipality.dunning_schedule_days), zone=zone),
        "paid_at_text": short_moment(order.paid_at, zone) if order.paid_at else "",
    }


@staff_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "subscriptions/billing/order_detail.html", _order_context(request, order))


@roles_required(REFUND_ROLES)
@require_POST
def order_refund_create(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    form = RefundForm(request.POST, refundable_won=_refundable(order))
    if form.is_valid():
        amount = form.cleaned_data["amount_won"]
        try:
            order_refund(
                order=order,
                amount_won=amount,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
                gateway=gateway(),
            )
        except RefundNotAllowed as error:
            form.add_error(None, str(error))
        except GatewayError:
            form.add_error(
                None, _("결제사에 환불을 요청하지 못했습니다. 환불된 금액은 없습니다. 잠시 후 다시 시도해 주세요.")
            )
        else:
            messages.success(request, _("%(amount)s을 환불했습니다.") % {"amount": format_won(amount)})
            return redirect(
                reverse(
                    "subscriptions:staff-order",
                    kwargs={"municipality_slug": request.municipality.slug, "order_id": order.pk},
                )
            )
    order = _order(request, order_id)  # re-read: a failed gateway call leaves a failed refund row beside it
    context = _order_context(request, order, refund_form=form)
    if context["refund_form"] is None:
        for error in form.non_field_errors():
            messages.error(request, error)
    return render(request, "subscriptions/billing/order_detail.html", context, status=400)
