"""내 구독: the subscriber's own pages — each subscription's next boxes, one-tap skip/pause/resume, the
change forms (plan, address, card), cancel (offering a skip or a pause first) and reactivate.

Every view is for the signed-in user and fetches the subscription with selectors.my_subscription, so
someone else's subscription, or another municipality's, is a 404. Changes are POST only and go through
subscriptions.lifecycle; a refused change (ChangeNotAllowed, TransitionNotAllowed) is shown in Korean and
changes nothing. After each change the message says from which delivery it takes effect, and says
plainly when this cycle's cutoff has already passed.
"""

from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bundles.models import Bundle, Cadence, Plan
from core.money import format_won
from core.transitions import TransitionNotAllowed
from municipalities.models import Municipality
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions import cycles, lifecycle, selectors, services
from subscriptions.billing.refunds import RefundNotAllowed, subscription_cancel_with_refund
from subscriptions.forms import (
    NEW,
    AddressChoiceForm,
    CancelForm,
    CardChoiceForm,
    ChangePlanForm,
    CycleForm,
    PauseForm,
    card_is_usable,
)
from subscriptions.gateways.base import GatewayError
from subscriptions.gateways.stripe_gateway import gateway
from subscriptions.lifecycle import ChangeNotAllowed
from subscriptions.models import DeliveryCycle, SkippedCycle, Subscription
from subscriptions.views.checkout import CycleText, address_errors, day_text, local_today
from subscriptions.views.my_display import (
    OpenCycles,
    boxes_ahead,
    card_text,
    cutoff_note,
    cycle_past_cutoff,
    effect_text,
    from_text,
    history_lines,
    promo_text,
    summary,
    term_text,
)

Status = Subscription.Status

NEXT_BOXES = 3


def _subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return selectors.my_subscription(
        municipality=request.municipality, user=request.user, subscription_id=subscription_id
    )


# --- Pages ---------------------------------------------------------------------------------------------------
@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    today = local_today(municipality)
    open_cycles = OpenCycles(municipality)
    subscriptions = selectors.my_subscriptions(municipality=municipality, user=request.user).prefetch_related(
        Prefetch("skips", queryset=SkippedCycle.objects.only("id", "subscription_id", "cycle_id"))
    )
    rows = [summary(sub, open_cycles=open_cycles, today=today, boxes=1) for sub in subscriptions]
    return render(request, "subscriptions/my/list.html", {"rows": rows})


def _detail_context(request: HttpRequest, sub: Subscription, *, pause_form: PauseForm | None = None) -> dict:
    municipality = request.municipality
    today = local_today(municipality)
    open_cycles = OpenCycles(municipality)
    context = summary(sub, open_cycles=open_cycles, today=today, boxes=NEXT_BOXES)
    closed = cycle_past_cutoff(sub, municipality=municipality, cadence=sub.cadence)
    context.update(
        {
            "closed_box": CycleText.of(closed, municipality=municipality, today=today)
            if closed and sub.status in (Status.ACTIVE, Status.PAST_DUE)
            else None,
            "term_text": term_text(sub),
            "promo_text": promo_text(sub),
            "card_text": card_text(sub, today),
            "started": day_text(sub.first_cycle.ship_date, today=today),
            "canceled_on": day_text(sub.canceled_at.astimezone(ZoneInfo(municipality.timezone)).date(), today=today)
            if sub.canceled_at
            else "",
            "cancel_reason": sub.get_cancel_reason_display() if sub.cancel_reason else "",
            "history": history_lines(sub, request=request),
            "pause_form": pause_form or PauseForm(today=today),
        }
    )
    return context


@login_required
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    return render(request, "subscriptions/my/detail.html", _detail_context(request, sub))


# --- One-tap actions -----------------------------------------------------------------------------------------
def _back(request: HttpRequest, sub: Subscription) -> str:
    """Where to go after an action: the page it was made from (this site only), else the subscription."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _detail_url(request, sub)


def _detail_url(request: HttpRequest, sub: Subscription) -> str:
    return reverse(
        "subscriptions:my-detail",
        kwargs={"municipality_slug": request.municipality.slug, "subscription_id": sub.pk},
    )


ActionResult = str | HttpResponse


def _action(view: Callable[[HttpRequest, Subscription], ActionResult]) -> Callable[..., HttpResponse]:
    """A POST-only change of the signed-in user's own subscription. The view returns the success message
    (or a response of its own); a refusal by the lifecycle rules becomes an error message, nothing changed."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request: HttpRequest, subscription_id: int) -> HttpResponse:
        sub = _subscription(request, subscription_id)
        try:
            result = view(request, sub)
        except (ChangeNotAllowed, TransitionNotAllowed) as error:
            messages.error(request, str(error))
            return redirect(_back(request, sub))
        if isinstance(result, HttpResponse):
            return result
        messages.success(request, result)
        return redirect(_back(request, sub))

    return wrapper


def _posted_cycle(request: HttpRequest) -> DeliveryCycle | None:
    form = CycleForm(request.POST)
    if not form.is_valid() or form.cleaned_data["cycle"] is None:
        return None
    return get_for_tenant_or_404(
        DeliveryCycle.objects.all(), municipality=request.municipality, pk=form.cleaned_data["cycle"]
    )


@_action
def skip(request: HttpRequest, sub: Subscription) -> ActionResult:
    municipality = request.municipality
    cycle = _posted_cycle(request)
    skipped = lifecycle.subscription_skip(subscription=sub, acting_user=request.user, cycle=cycle)
    ship = day_text(skipped.cycle.ship_date, today=local_today(municipality))
    message = _("%(ship)s 배송분을 건너뜁니다. 이 회차는 결제하지 않습니다.") % {"ship": ship}
    note = "" if cycle is not None else cutoff_note(sub, municipality=municipality, cadence=sub.cadence)
    return f"{message} {note}".strip()


@_action
def unskip(request: HttpRequest, sub: Subscription) -> ActionResult:
    cycle = _posted_cycle(request)
    if cycle is None:
        raise ChangeNotAllowed(_("다시 받을 회차를 골라 주세요."))
    lifecycle.subscription_unskip(subscription=sub, cycle=cycle, acting_user=request.user)
    ship = day_text(cycle.ship_date, today=local_today(request.municipality))
    return _("%(ship)s 배송분을 다시 받습니다.") % {"ship": ship}


@_action
def pause(request: HttpRequest, sub: Subscription) -> ActionResult:
    municipality = request.municipality
    today = local_today(municipality)
    form = PauseForm(request.POST, today=today)
    if not form.is_valid():
        context = _detail_context(request, sub, pause_form=form)
        return render(request, "subscriptions/my/detail.html", context, status=400)
    until = form.cleaned_data["until"]
    paused = lifecycle.subscription_pause(subscription=sub, until=until, acting_user=request.user)
    lead = (
        _("%(until)s까지 배송을 쉽니다.") % {"until": day_text(until, today=today)}
        if until
        else _("다시 시작할 때까지 배송을 쉽니다.")
    )
    return effect_text(paused, municipality, lead)


@_action
def resume(request: HttpRequest, sub: Subscription) -> ActionResult:
    resumed = lifecycle.subscription_resume(subscription=sub, acting_user=request.user)
    return effect_text(resumed, request.municipality, _("구독을 다시 시작했습니다."))


@_action
def reactivate(request: HttpRequest, sub: Subscription) -> ActionResult:
    again = lifecycle.subscription_reactivate(subscription=sub, acting_user=request.user)
    return effect_text(again, request.municipality, _("다시 구독합니다."))


# --- Change forms --------------------------------------------------------------------------------------------
def _plans_on_sale(municipality: Municipality) -> list[Plan]:
    plans = Plan.objects.for_tenant(municipality).filter(is_active=True, bundle__status=Bundle.Status.PUBLISHED)
    return sorted(
        plans.select_related("bundle"),
        key=lambda plan: (plan.bundle.name, Cadence.values.index(plan.cadence)),
    )


def _change_page(request: HttpRequest, template: str, sub: Subscription, form, **extra) -> HttpResponse:
    municipality = request.municipality
    today = local_today(municipality)
    next_cycle = cycles.next_open_cycle(municipality=municipality, cadence=sub.cadence)
    context = {
        "sub": sub,
        "form": form,
        "from_box": CycleText.of(next_cycle, municipality=municipality, today=today),
        "cutoff_note": cutoff_note(sub, municipality=municipality, cadence=sub.cadence),
        **extra,
    }
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def change_plan(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    municipality = request.municipality
    form = ChangePlanForm(request.POST or None, plans=_plans_on_sale(municipality), current=sub.plan)
    if request.method == "POST" and form.is_valid():
        if form.chosen_plan.pk == sub.plan_id:
            messages.info(request, _("지금 구독 중인 꾸러미와 배송 주기입니다. 바뀐 것은 없습니다."))
            return redirect(_detail_url(request, sub))
        try:
            changed = lifecycle.subscription_change_plan(
                subscription=sub, plan=form.chosen_plan, acting_user=request.user
            )
        except (ChangeNotAllowed, TransitionNotAllowed) as error:
            form.add_error(None, str(error))
        else:
            lead = _("%(bundle)s · %(cadence)s 배송으로 바꿨습니다.") % {
                "bundle": changed.bundle.name,
                "cadence": changed.get_cadence_display(),
            }
            messages.success(request, effect_text(changed, municipality, lead, cadence_before=sub.cadence))
            return redirect(_detail_url(request, sub))
    locked = sub.term_boxes > 1 and sub.prepaid_boxes_remaining > 0
    return _change_page(request, "subscriptions/my/change_plan.html", sub, form, prepaid_locked=locked)


@login_required
@require_http_methods(["GET", "POST"])
def change_address(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    municipality = request.municipality
    subscriber = sub.subscriber
    addresses = list(selectors.my_addresses(subscriber=subscriber))
    form = AddressChoiceForm(
        request.POST or None,
        addresses=addresses,
        initial={
            "address_choice": str(sub.address_id),
            "recipient": subscriber.name,
            "recipient_phone": subscriber.phone,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            address = form.chosen_address or services.address_add(
                subscriber=subscriber, make_default=form.cleaned_data["make_default"], **form.new_address_data()
            )
            if address.pk == sub.address_id:
                messages.info(request, _("지금 쓰는 배송지입니다. 바뀐 것은 없습니다."))
                return redirect(_detail_url(request, sub))
            changed = lifecycle.subscription_change_address(subscription=sub, address=address, acting_user=request.user)
        except ValidationError as error:
            _add_address_errors(form, error)
        except (ChangeNotAllowed, TransitionNotAllowed) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, effect_text(changed, municipality, _("배송지를 바꿨습니다.")))
            return redirect(_detail_url(request, sub))
    return _change_page(request, "subscriptions/my/change_address.html", sub, form)


def _add_address_errors(form: AddressChoiceForm, error: ValidationError) -> None:
    for field, message in address_errors(error):
        form.add_error(field, message)


@login_required
@require_http_methods(["GET", "POST"])
def change_card(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    subscriber = sub.subscriber
    today = local_today(request.municipality)
    cards = [card for card in selectors.my_cards(subscriber=subscriber) if card_is_usable(card, today)]
    current = str(sub.payment_method_id) if any(card.pk == sub.payment_method_id for card in cards) else NEW
    form = CardChoiceForm(request.POST or None, cards=cards, initial={"card_choice": current})
    if request.method == "POST" and form.is_valid():
        try:
            card = form.chosen_card
            if card is None:
                card = services.card_save(
                    subscriber=subscriber, setup_id=form.cleaned_data["setup_id"], gateway=gateway()
                )
            if card.pk == sub.payment_method_id:
                messages.info(request, _("지금 쓰는 카드입니다. 바뀐 것은 없습니다."))
                return redirect(_detail_url(request, sub))
            lifecycle.subscription_change_card(subscription=sub, payment_method=card, acting_user=request.user)
        except GatewayError:
            form = CardChoiceForm(_without_setup(request), cards=cards)
            form.is_valid()
            form.add_error("card_choice", _("카드를 등록하지 못했습니다. 카드 정보를 확인하고 다시 입력해 주세요."))
        except services.CheckoutError as error:
            form.add_error("card_choice", str(error))
        except (ChangeNotAllowed, TransitionNotAllowed) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("결제 카드를 %(card)s(으)로 바꿨습니다. 다음 결제부터 이 카드로 결제합니다.") % {"card": str(card)},
            )
            return redirect(_detail_url(request, sub))
    return _change_page(
        request,
        "subscriptions/my/change_card.html",
        sub,
        form,
        billing_name=subscriber.name,
        stripe_js_url=settings.STRIPE_JS_URL,
        stripe_publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
    )


def _without_setup(request: HttpRequest):
    data = request.POST.copy()
    data["setup_id"] = ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    sub = _subscription(request, subscription_id)
    municipality = request.municipality
    if sub.status == Status.CANCELED:
        messages.info(request, _("이미 해지된 구독입니다."))
        return redirect(_detail_url(request, sub))
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            canceled, refund = subscription_cancel_with_refund(
                subscription=sub,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
                gateway=gateway(),
            )
        except (ChangeNotAllowed, TransitionNotAllowed, RefundNotAllowed, GatewayError) as error:
            form.add_error(None, str(error))
        else:
            lead = _("구독을 해지했습니다. %(ship)s 배송분부터 보내지 않습니다.") % {
                "ship": from_text(canceled, municipality)
            }
            parts = [lead, cutoff_note(canceled, municipality=municipality, cadence=canceled.cadence)]
            if refund is not None:
                parts.append(
                    _("받지 않은 선결제 상자의 금액 %(amount)s을 결제한 카드로 환불했습니다.")
                    % {"amount": format_won(refund.amount_won)}
                )
            messages.success(request, " ".join(part for part in parts if part))
            return redirect(_detail_url(request, sub))
    today = local_today(municipality)
    boxes = boxes_ahead(sub, open_cycles=OpenCycles(municipality), today=today, count=1)
    return _change_page(
        request,
        "subscriptions/my/cancel.html",
        sub,
        form,
        next_box=boxes[0] if boxes else None,
        refund_due_won=lifecycle.prepaid_refund_due_won(sub),
        pause_form=PauseForm(today=today),
    )
