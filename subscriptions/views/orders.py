"""주문 내역: the subscriber's own orders — a receipt page and PDF for each, a failed payment explained in
plain Korean with a way to change the card and retry at once, and the 3-D Secure authentication page.

Every view is for the signed-in user and fetches only their orders in this municipality, so someone
else's order, or another municipality's, is a 404. Payments go through the billing engine
(order_retry_now + order_charge, order_payment_refresh); the views only say in Korean what happened.
"""

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.money import format_won
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions import clock
from subscriptions.billing import charging
from subscriptions.billing.decline_messages import decline_message
from subscriptions.gateways.base import GatewayError, GatewayRateLimited
from subscriptions.gateways.stripe_gateway import gateway
from subscriptions.models import Order, PaymentAttempt, PaymentMethod, Refund
from subscriptions.views.checkout import day_text, local_today, moment_text

Status = Order.Status
ORDERS_PER_PAGE = 20
FONT_DIR = Path("pretendard-gov/dist/public/static")

STATUS_BADGES = {
    Status.PENDING: "bg-light-gray",
    Status.CHARGING: "bg-light-primary",
    Status.PAID: "bg-light-success",
    Status.REQUIRES_ACTION: "bg-light-warning",
    Status.FAILED: "bg-light-danger",
    Status.CANCELED: "bg-light-secondary",
}


# --- Reading the subscriber's own orders ---------------------------------------------------------------------
def _my_orders(request: HttpRequest) -> QuerySet[Order]:
    # Through the subscription, whose indexes lead from the person to the orders (see Order).
    return Order.objects.for_tenant(request.municipality).filter(subscription__subscriber__user=request.user)


def _my_order(request: HttpRequest, order_id: int) -> Order:
    """One of the signed-in user's orders here; anyone else's (or another tenant's) is a 404."""
    return get_for_tenant_or_404(
        _my_orders(request)
        .select_related("cycle", "subscription", "municipality")
        .prefetch_related(
            Prefetch("attempts", queryset=PaymentAttempt.objects.select_related("payment_method").order_by("number")),
            Prefetch(
                "refunds",
                queryset=Refund.objects.filter(status=Refund.Status.SUCCEEDED).order_by("created_at", "pk"),
                to_attr="done_refunds",
            ),
        ),
        municipality=request.municipality,
        pk=order_id,
    )


def status_text(order: Order) -> str:
    """The order's state in the subscriber's words."""
    if order.status == Status.PAID:
        if order.boxes_charged == 0:
            return _("선결제로 결제됨")
        if order.refunded_won and order.refunded_won >= order.amount_won:
            return _("전액 환불됨")
        if order.refunded_won:
            return _("결제 완료 · 일부 환불")
        return _("결제 완료")
    return {
        Status.PENDING: _("결제 예정"),
        Status.CHARGING: _("결제 중"),
        Status.REQUIRES_ACTION: _("본인 인증 필요"),
        Status.FAILED: _("결제 실패 · 다시 결제 예정"),
        Status.CANCELED: _("결제되지 않아 취소됨") if order.failure_code else _("취소됨"),
    }[Status(order.status)]


@dataclass(frozen=True)
class Line:
    label: str
    amount_won: int
    note: str = ""


def receipt_lines(order: Order) -> list[Line]:
    """What was charged, part by part. The snapshot's discounts, shipping and support are totals over the
    `boxes_charged` boxes this order paid for, so the lines add up to `amount_won`."""
    boxes = order.boxes_charged
    lines = [
        Line(
            _("꾸러미 가격"),
            order.box_price_won * boxes,
            _("%(price)s × %(boxes)d상자") % {"price": format_won(order.box_price_won), "boxes": boxes},
        )
    ]
    if order.term_discount_won:
        lines.append(Line(_("선결제 할인"), -order.term_discount_won))
    if order.promo_discount_won:
        lines.append(
            Line(_("프로모션 할인"), -order.promo_discount_won, _("%(n)d상자에 적용") % {"n": order.promo_boxes})
        )
    if boxes:
        lines.append(Line(_("배송비"), order.shipping_fee_won))
    if order.shipping_support_won:
        lines.append(
            Line(_("배송비 지원"), -order.shipping_support_won, _("%(mall)s 지원") % {"mall": order.municipality.name})
        )
    return lines


def _charged_card(order: Order) -> PaymentMethod | None:
    """The card the order was paid with: the one its successful attempt charged."""
    succeeded = [a for a in order.attempts.all() if a.status == PaymentAttempt.Status.SUCCEEDED]
    if order.status != Status.PAID or not succeeded:
        return None
    return succeeded[0].payment_method


def _receipt_context(request: HttpRequest, order: Order) -> dict:
    municipality = request.municipality
    today = local_today(municipality)
    refunds = order.done_refunds
    refunded = sum(refund.amount_won for refund in refunds)
    return {
        "order": order,
        "ship": day_text(order.cycle.ship_date, today=today),
        "status_text": status_text(order),
        "badge": STATUS_BADGES.get(order.status, ""),
        "lines": receipt_lines(order),
        "card": _charged_card(order),
        "paid_at": order.paid_at.astimezone(ZoneInfo(municipality.timezone)) if order.paid_at else None,
        "paid_text": moment_text(order.paid_at, municipality=municipality, today=today) if order.paid_at else "",
        "refunds": refunds,
        "refunded_won": refunded,
        "net_won": order.amount_won - refunded,
    }


def _detail_url(request: HttpRequest, order: Order) -> str:
    return reverse(
        "subscriptions:my-order", kwargs={"municipality_slug": request.municipality.slug, "order_id": order.pk}
    )


# --- Pages -------------------------------------------------------------------------------------------------------
@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = _my_orders(request).select_related("cycle").order_by("-cycle__ship_date", "-pk")
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    today = local_today(request.municipality)
    rows = [
        {
            "order": order,
            "ship": day_text(order.cycle.ship_date, today=today),
            "upcoming": order.cycle.ship_date >= today,
            "status_text": status_text(order),
            "badge": STATUS_BADGES.get(order.status, ""),
            "needs_you": order.status in (Status.FAILED, Status.REQUIRES_ACTION),
        }
        for order in page.object_list
    ]
    return render(
        request,
        "subscriptions/orders/list.html",
        {
            "page": page,
            "upcoming": [row for row in rows if row["upcoming"]],
            "past": [row for row in rows if not row["upcoming"]],
        },
    )


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _my_order(request, order_id)
    municipality = request.municipality
    today = local_today(municipality)
    context = _receipt_context(request, order)
    now = clock.now()
    if order.status == Status.FAILED:
        context["decline"] = decline_message(order.failure_code)
        if order.next_retry_at:
            context["next_retry"] = moment_text(order.next_retry_at, municipality=municipality, today=today)
    elif order.status == Status.CANCELED and order.failure_code:
        context["decline"] = decline_message(order.failure_code)
    elif order.status == Status.REQUIRES_ACTION and order.action_deadline:
        context["deadline"] = moment_text(order.action_deadline, municipality=municipality, today=today)
        context["deadline_passed"] = order.action_deadline <= now
    elif order.status == Status.PENDING:
        context["charge_text"] = moment_text(order.cycle.charge_at, municipality=municipality, today=today)
    return render(request, "subscriptions/orders/detail.html", context)


def _pdf_fonts() -> dict[str, str]:
    """file:// URLs of the Pretendard GOV faces WeasyPrint embeds (as a subset) so Hangul prints."""
    root = Path(settings.NODE_MODULES) / FONT_DIR
    return {
        "font_regular": (root / "PretendardGOV-Regular.otf").as_uri(),
        "font_bold": (root / "PretendardGOV-Bold.otf").as_uri(),
    }


@login_required
@require_GET
def order_receipt_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _my_order(request, order_id)
    if order.status != Status.PAID:
        raise Http404(_("결제가 완료된 주문만 영수증을 받을 수 있습니다."))
    # Imported here: WeasyPrint loads Pango and its fonts, which no other page needs.
    from weasyprint import HTML

    context = {**_receipt_context(request, order), **_pdf_fonts(), "municipality": request.municipality}
    context["issued_on"] = local_today(request.municipality)
    html = render_to_string("subscriptions/pdf/receipt.html", context, request=request)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{order.pk}.pdf"'
    return response


def _say_outcome(request: HttpRequest, order: Order) -> None:
    """Tell the subscriber, in Korean, where a payment stands after a retry or an authentication."""
    municipality = request.municipality
    today = local_today(municipality)
    if order.status == Status.PAID:
        messages.success(
            request,
            _("%(amount)s을 결제했습니다. 상자는 %(ship)s에 발송합니다.")
            % {"amount": format_won(order.amount_won), "ship": day_text(order.cycle.ship_date, today=today)},
        )
    elif order.status == Status.FAILED:
        text = _("결제되지 않았습니다. %(reason)s") % {"reason": decline_message(order.failure_code)}
        if order.next_retry_at:
            text += " " + _("%(when)s에 자동으로 다시 결제합니다.") % {
                "when": moment_text(order.next_retry_at, municipality=municipality, today=today)
            }
        messages.error(request, text)
    elif order.status == Status.CANCELED:
        messages.error(
            request,
            _("결제되지 않아 이번 상자는 취소되었습니다. %(reason)s") % {"reason": decline_message(order.failure_code)},
        )
    elif order.status == Status.REQUIRES_ACTION:
        messages.warning(request, _("카드사에서 본인 인증을 요청했습니다. 인증을 마쳐야 결제됩니다."))
    else:
        messages.info(request, _("결제 결과를 확인하고 있습니다. 잠시 후 이 페이지를 새로 고쳐 주세요."))


@login_required
@require_POST
def order_retry(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _my_order(request, order_id)
    if order.status != Status.FAILED:
        messages.info(request, _("지금 다시 결제할 수 있는 주문이 아닙니다. 주문 상태를 확인해 주세요."))
        return redirect(_detail_url(request, order))
    attempts_before = order.attempts_count
    charging.order_retry_now(order=order)
    try:
        order = charging.order_charge(order_id=order.pk, gateway=gateway())
    except GatewayRateLimited:
        messages.warning(request, _("결제 요청이 몰려 지금은 결제하지 못했습니다. 잠시 뒤 자동으로 다시 결제합니다."))
        return redirect(_detail_url(request, order))
    if order.attempts_count == attempts_before:
        # Another attempt was already in flight (a double tap, or the scheduled retry): nothing new was charged.
        messages.info(request, _("결제를 이미 진행하고 있습니다. 잠시 후 결과를 확인해 주세요."))
        return redirect(_detail_url(request, order))
    if order.status == Status.REQUIRES_ACTION:
        _say_outcome(request, order)
        return redirect(
            reverse(
                "subscriptions:my-order-authenticate",
                kwargs={"municipality_slug": request.municipality.slug, "order_id": order.pk},
            )
        )
    _say_outcome(request, order)
    return redirect(_detail_url(request, order))


def _action_attempt(order: Order) -> PaymentAttempt | None:
    """The latest attempt waiting for 3-D Secure (the one the browser must complete)."""
    waiting = [
        attempt
        for attempt in order.attempts.all()
        if attempt.status == PaymentAttempt.Status.REQUIRES_ACTION and attempt.payment_id
    ]
    return waiting[-1] if waiting else None


@never_cache  # the page carries the payment's client secret
@login_required
@require_http_methods(["GET", "POST"])
def order_authenticate(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _my_order(request, order_id)
    municipality = request.municipality
    if request.method == "POST":
        if order.status == Status.REQUIRES_ACTION:
            try:
                order = charging.order_payment_refresh(order_id=order.pk, gateway=gateway())
            except GatewayError:
                messages.error(request, _("카드사 결과를 확인하지 못했습니다. 잠시 후 다시 시도해 주세요."))
                return redirect(_detail_url(request, order))
            order = _my_order(request, order.pk)
            if order.status == Status.REQUIRES_ACTION:
                messages.warning(request, _("아직 본인 인증이 끝나지 않았습니다. 인증 기한 전에 다시 인증해 주세요."))
                return redirect(_detail_url(request, order))
        _say_outcome(request, order)
        return redirect(_detail_url(request, order))

    if order.status != Status.REQUIRES_ACTION:
        messages.info(request, _("본인 인증이 필요한 주문이 아닙니다."))
        return redirect(_detail_url(request, order))
    if order.action_deadline is None or order.action_deadline <= clock.now():
        messages.error(request, _("본인 인증 기한이 지났습니다. 정해진 날에 자동으로 다시 결제합니다."))
        return redirect(_detail_url(request, order))
    attempt = _action_attempt(order)
    client_secret, error = "", ""
    if attempt is None:
        error = _("인증할 결제를 찾지 못했습니다. 잠시 후 다시 시도해 주세요.")
    else:
        try:
            client_secret = gateway().payment_client_secret(payment_id=attempt.payment_id)
        except GatewayError:
            error = _("카드사 인증 창을 열지 못했습니다. 잠시 후 다시 시도해 주세요.")
    today = local_today(municipality)
    return render(
        request,
        "subscriptions/orders/authenticate.html",
        {
            "order": order,
            "ship": day_text(order.cycle.ship_date, today=today),
            "deadline": moment_text(order.action_deadline, municipality=municipality, today=today),
            "card": PaymentMethod.objects.filter(pk=order.subscription.payment_method_id).first(),
            "client_secret": client_secret,
            "error": error,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        },
    )
