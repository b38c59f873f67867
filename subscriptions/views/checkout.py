"""Checkout: subscribe to a bundle with a card saved through Stripe.js (the card number never reaches us).

Flow: the page shows plan, term, first box, address, subscriber, card, promo and a live price summary
(`quote_partial`, re-rendered by htmx). On submit the browser asks `card_setup` for a SetupIntent's
client secret, confirms it with Stripe.js and posts the form with the confirmed `setup_id`; the view then
saves the card, the address and the subscription through subscriptions.services.

What is left behind when checkout fails: a saved card or address may stay (they are the subscriber's and
are offered again on the re-rendered form); a subscription or a promo use never does, because
`subscription_create` takes the promo's use in its own transaction.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.validators import validate_korean_mobile
from bundles import selectors as bundle_selectors
from bundles.models import Bundle, Cadence, Plan
from municipalities.models import Municipality
from subscriptions import clock, cycles, quotes, selectors, services
from subscriptions.forms import (
    ADDRESS_FORM_FIELDS,
    NEW,
    TERM_PER_BOX,
    CheckoutForm,
    QuoteForm,
    card_is_usable,
    percent_text,
)
from subscriptions.gateways.base import GatewayError
from subscriptions.gateways.stripe_gateway import gateway
from subscriptions.models import Address, DeliveryCycle, PaymentMethod, Subscriber
from subscriptions.promotions import PromoInvalid, promo_find, support_campaign_current

logger = logging.getLogger(__name__)

SOURCE_SESSION_KEY = "checkout_sources"
SOURCE_MAX_LENGTH = 60
_SOURCE_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


# --- Dates in plain Korean (shared with the 내 구독 pages) ----------------------------------------------------
WEEKDAYS = ("월", "화", "수", "목", "금", "토", "일")


def local_today(municipality: Municipality) -> date:
    return clock.now().astimezone(ZoneInfo(municipality.timezone)).date()


def day_text(day: date, *, today: date) -> str:
    """'12월 10일(목)'; the year is added when it is not this year's: '2027년 1월 14일(목)'."""
    text = _("%(month)d월 %(day)d일(%(weekday)s)") % {
        "month": day.month,
        "day": day.day,
        "weekday": _(WEEKDAYS[day.weekday()]),
    }
    return text if day.year == today.year else _("%(year)d년 %(date)s") % {"year": day.year, "date": text}


def moment_text(moment: datetime, *, municipality: Municipality, today: date) -> str:
    """'12월 7일(월) 0시', or '12월 7일(월) 14시 30분', in the municipality's time zone."""
    local = moment.astimezone(ZoneInfo(municipality.timezone))
    time = (
        _("%(hour)d시 %(minute)d분") % {"hour": local.hour, "minute": local.minute}
        if local.minute
        else _("%(hour)d시") % {"hour": local.hour}
    )
    return f"{day_text(local.date(), today=today)} {time}"


@dataclass(frozen=True)
class CycleText:
    """One delivery cycle, said in plain Korean."""

    cycle: DeliveryCycle
    ship: str  # 12월 10일(목)
    cutoff: str  # 12월 7일(월) 0시
    charge: str  # 12월 7일(월) 2시

    @classmethod
    def of(cls, cycle: DeliveryCycle, *, municipality: Municipality, today: date) -> "CycleText":
        return cls(
            cycle=cycle,
            ship=day_text(cycle.ship_date, today=today),
            cutoff=moment_text(cycle.cutoff_at, municipality=municipality, today=today),
            charge=moment_text(cycle.charge_at, municipality=municipality, today=today),
        )


# --- Source attribution (kiosk, campaign) ---------------------------------------------------------------------
def clean_source(raw: str) -> str:
    return _SOURCE_UNSAFE.sub("", raw)[:SOURCE_MAX_LENGTH]


def _remember_source(request: HttpRequest, bundle: Bundle) -> None:
    """Keep `?src=` per bundle in the session, so it survives the detour through login or signup."""
    source = clean_source(request.GET.get("src", ""))
    if source:
        sources = request.session.get(SOURCE_SESSION_KEY, {})
        sources[str(bundle.pk)] = source
        request.session[SOURCE_SESSION_KEY] = sources


def _source_for(request: HttpRequest, bundle: Bundle) -> str:
    return request.session.get(SOURCE_SESSION_KEY, {}).get(str(bundle.pk), "")


def _forget_source(request: HttpRequest, bundle: Bundle) -> None:
    sources = request.session.get(SOURCE_SESSION_KEY, {})
    if sources.pop(str(bundle.pk), None) is not None:
        request.session[SOURCE_SESSION_KEY] = sources


# --- The price summary ----------------------------------------------------------------------------------------
def quote_context(
    *, municipality: Municipality, bundle: Bundle, plan: Plan, term: int, promo_code: str, subscriber
) -> dict:
    """Everything the summary partial shows. A promo or term that cannot be used is reported, not raised."""
    today = local_today(municipality)
    term_error = ""
    if term != TERM_PER_BOX and term not in plan.offered_terms():
        term_error = _("%(cadence)s 배송에서는 %(term)d회분 선결제를 고를 수 없어 회차마다 결제로 계산했습니다.") % {
            "cadence": plan.get_cadence_display(),
            "term": term,
        }
        term = TERM_PER_BOX
    promo, promo_error = None, ""
    if promo_code:
        try:
            promo = promo_find(municipality=municipality, code=promo_code, bundle=bundle, subscriber=subscriber)
        except PromoInvalid as error:
            promo_error = str(error)
    campaign = support_campaign_current(municipality=municipality)
    quote = quotes.quote(plan=plan, term_boxes=term, promo=promo, campaign=campaign)
    first_cycle = cycles.next_open_cycle(municipality=municipality, cadence=plan.cadence)
    return {
        "plan": plan,
        "term": term,
        "term_percent": percent_text(plan.discount_bp(term)) if term != TERM_PER_BOX else "",
        "term_error": term_error,
        "promo": promo,
        "promo_code": promo_code,
        "promo_error": promo_error,
        "campaign": campaign if quote.shipping_support_won else None,
        "quote": quote,
        "box_total_won": quote.box_net_won + quote.shipping_net_won,
        "first_box": CycleText.of(first_cycle, municipality=municipality, today=today),
        "consent_text": services.consent_text(plan=plan, term_boxes=term),
    }


# --- Views ----------------------------------------------------------------------------------------------------
def _plans(bundle: Bundle) -> list[Plan]:
    return sorted(bundle.active_plans, key=lambda plan: Cadence.values.index(plan.cadence))


def _usable_cards(subscriber: Subscriber | None, today: date) -> list[PaymentMethod]:
    if subscriber is None:
        return []
    return [card for card in selectors.my_cards(subscriber=subscriber) if card_is_usable(card, today)]


def _addresses(subscriber: Subscriber | None) -> list[Address]:
    return list(selectors.my_addresses(subscriber=subscriber)) if subscriber is not None else []


def _checkout_form(
    request: HttpRequest, *, plans: list[Plan], subscriber: Subscriber | None, data: QueryDict | None = None
) -> CheckoutForm:
    user = request.user
    initial = {
        "name": subscriber.name if subscriber else user.name,
        "phone": subscriber.phone if subscriber else user.phone,
        "recipient": subscriber.name if subscriber else user.name,
        "recipient_phone": subscriber.phone if subscriber else user.phone,
        "promo_code": request.GET.get("promo", "")[:30],
    }
    wanted = request.GET.get("cadence", "")
    chosen = next((plan for plan in plans if plan.cadence == wanted), None)
    if chosen is not None:
        initial["plan"] = str(chosen.pk)
    return CheckoutForm(
        data,
        initial=initial,
        plans=plans,
        addresses=_addresses(subscriber),
        cards=_usable_cards(subscriber, local_today(request.municipality)),
    )


def _render_checkout(request: HttpRequest, *, bundle: Bundle, form: CheckoutForm, subscriber, status: int = 200):
    municipality = request.municipality
    plans = list(form.plans.values())
    context = {"bundle": bundle, "form": form, "plans": plans}
    if plans:
        values = form.data if form.is_bound else {}
        plan = form.plans.get(str(values.get("plan") or form.initial.get("plan"))) or plans[0]
        try:
            term = int(values.get("term") or form.initial.get("term") or TERM_PER_BOX)
        except ValueError:
            term = TERM_PER_BOX
        promo_code = (values.get("promo_code") or form.initial.get("promo_code") or "").strip().upper()[:30]
        context.update(
            quote_context(
                municipality=municipality,
                bundle=bundle,
                plan=plan,
                term=term,
                promo_code=promo_code,
                subscriber=subscriber,
            )
        )
    context.update(
        {
            "stripe_js_url": settings.STRIPE_JS_URL,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "source": _source_for(request, bundle),
        }
    )
    return render(request, "subscriptions/checkout.html", context, status=status)


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, bundle_slug: str) -> HttpResponse:
    municipality = request.municipality
    bundle = bundle_selectors.storefront_bundle(municipality=municipality, slug=bundle_slug)
    _remember_source(request, bundle)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plans = _plans(bundle)
    subscriber = selectors.subscriber_for_user(municipality=municipality, user=request.user)
    if request.method == "GET" or not plans:
        form = _checkout_form(request, plans=plans, subscriber=subscriber)
        return _render_checkout(request, bundle=bundle, form=form, subscriber=subscriber)
    return _checkout_post(request, bundle=bundle, plans=plans, subscriber=subscriber)


def _checkout_post(
    request: HttpRequest, *, bundle: Bundle, plans: list[Plan], subscriber: Subscriber | None
) -> HttpResponse:
    municipality, user = request.municipality, request.user
    form = _checkout_form(request, plans=plans, subscriber=subscriber, data=request.POST)
    valid = form.is_valid()
    done = selectors.subscription_by_checkout_token(
        municipality=municipality, user=user, token=form.cleaned_data.get("checkout_token")
    )
    if done is not None:
        # The same page submitted again (a double tap, a resent form): nothing more is saved.
        return redirect("subscriptions:my-detail", municipality_slug=municipality.slug, subscription_id=done.pk)
    data = request.POST.copy()
    errors: list[tuple[str | None, str]] = []
    saved_card: PaymentMethod | None = None
    saved_address: Address | None = None
    cleaned = form.cleaned_data

    # A card the browser has just confirmed is saved even when something else needs fixing, so the
    # subscriber does not type it again: the re-rendered form offers it as a saved card.
    setup_id = cleaned.get("setup_id", "")
    if cleaned.get("card_choice") == NEW and setup_id:
        try:
            subscriber = subscriber or services.subscriber_ensure(
                municipality=municipality, user=user, name=cleaned.get("name", ""), phone=cleaned.get("phone", "")
            )
            saved_card = services.card_save(subscriber=subscriber, setup_id=setup_id, gateway=gateway())
        except GatewayError:
            logger.warning("card_save failed for user %s", user.pk, exc_info=True)
            errors.append(("card_choice", _("카드를 등록하지 못했습니다. 카드 정보를 확인하고 다시 입력해 주세요.")))
        except services.CheckoutError as error:
            errors.append(("card_choice", str(error)))
        data["setup_id"] = ""
        if saved_card is not None:
            data["card_choice"] = str(saved_card.pk)

    if valid and not errors:
        try:
            subscriber = services.subscriber_ensure(
                municipality=municipality, user=user, name=cleaned["name"], phone=cleaned["phone"]
            )
            address = form.chosen_address
            if address is None:
                address = saved_address = services.address_add(
                    subscriber=subscriber, make_default=cleaned["make_default"], **form.new_address_data()
                )
                data["address_choice"] = str(saved_address.pk)
            card = saved_card or form.chosen_card
            subscription = services.subscription_create(
                subscriber=subscriber,
                plan=form.selected_plan,
                term_boxes=cleaned["term"],
                address=address,
                payment_method=card,
                promo_code=cleaned["promo_code"],
                source=_source_for(request, bundle),
                checkout_token=cleaned.get("checkout_token"),
                acting_user=user,
            )
        except PromoInvalid as error:
            errors.append(("promo_code", str(error)))
        except services.CheckoutError as error:
            errors.append((None, str(error)))
        except ValidationError as error:
            errors.extend(address_errors(error))
        except GatewayError:
            logger.warning("checkout failed at the gateway for user %s", user.pk, exc_info=True)
            errors.append((None, _("결제 서비스에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.")))
        else:
            _forget_source(request, bundle)
            first = CycleText.of(subscription.first_cycle, municipality=municipality, today=local_today(municipality))
            messages.success(
                request,
                _("구독을 시작했습니다. 첫 상자는 %(ship)s에 발송하고, %(cutoff)s까지 바꿀 수 있습니다.")
                % {"ship": first.ship, "cutoff": first.cutoff},
            )
            return redirect(
                "subscriptions:my-detail", municipality_slug=municipality.slug, subscription_id=subscription.pk
            )

    # Render again from the posted values, with what was saved offered as the subscriber's own choices
    # (and never the used setup_id, so the browser confirms a new card if one is still needed).
    form_again = _checkout_form(request, plans=plans, subscriber=subscriber, data=data)
    form_again.is_valid()
    for field, message in errors:
        form_again.add_error(field, message)
    return _render_checkout(request, bundle=bundle, form=form_again, subscriber=subscriber)


def address_errors(error: ValidationError) -> list[tuple[str | None, str]]:
    by_model_field = {model: form_field for form_field, model in ADDRESS_FORM_FIELDS.items()}
    if not hasattr(error, "error_dict"):
        return [(None, message) for message in error.messages]
    return [
        (by_model_field.get(field), message)
        for field, field_errors in error.message_dict.items()
        for message in field_errors
    ]


@require_GET
@login_required
def quote_partial(request: HttpRequest, bundle_slug: str) -> HttpResponse:
    municipality = request.municipality
    bundle = bundle_selectors.storefront_bundle(municipality=municipality, slug=bundle_slug)
    plans = {str(plan.pk): plan for plan in _plans(bundle)}
    form = QuoteForm(request.GET)
    form.is_valid()
    plan = plans.get(str(form.cleaned_data.get("plan", ""))) or next(iter(plans.values()), None)
    if plan is None:
        return HttpResponse(status=204)
    subscriber = selectors.subscriber_for_user(municipality=municipality, user=request.user)
    context = quote_context(
        municipality=municipality,
        bundle=bundle,
        plan=plan,
        term=form.cleaned_data.get("term") or TERM_PER_BOX,
        promo_code=(form.cleaned_data.get("promo_code") or "").strip().upper(),
        subscriber=subscriber,
    )
    return render(request, "subscriptions/partials/_quote.html", {**context, "oob": True})


@require_POST
def card_setup(request: HttpRequest) -> JsonResponse:
    """Start saving a card: a SetupIntent for the signed-in user's subscriber in this municipality.
    Only the client secret goes to the browser, never the secret key."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("로그인이 필요합니다. 다시 로그인해 주세요.")}, status=401)
    municipality, user = request.municipality, request.user
    subscriber = selectors.subscriber_for_user(municipality=municipality, user=user)
    try:
        if subscriber is None:
            subscriber = services.subscriber_ensure(
                municipality=municipality, user=user, name=_valid_name(request), phone=_valid_phone(request)
            )
        session = services.card_setup_start(subscriber=subscriber, gateway=gateway())
    except GatewayError:
        logger.warning("card_setup_start failed for user %s", user.pk, exc_info=True)
        return JsonResponse({"error": _("카드 등록을 시작하지 못했습니다. 잠시 후 다시 시도해 주세요.")}, status=502)
    return JsonResponse({"client_secret": session.client_secret})


def _valid_name(request: HttpRequest) -> str:
    return request.POST.get("name", "").strip()[:50]


def _valid_phone(request: HttpRequest) -> str:
    phone = request.POST.get("phone", "").strip()
    try:
        validate_korean_mobile(phone)
    except ValidationError:
        return ""
    return phone
