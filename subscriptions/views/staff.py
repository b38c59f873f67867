"""Staff pages of the subscription app: subscriptions and their history, promo codes, shipping support.

Every page is for staff roles of the request's municipality (others get 404, merchants and partners 403)
and fetches through the selectors, so another tenant's id is a 404. Subscribers' full names, phones and
addresses are shown only to PERSONAL_DATA_ROLES; a detail page showing them writes the 접속기록.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from bundles.models import Cadence
from core import privacy
from core.money import format_won
from municipalities.models import Role
from municipalities.permissions import can_view_personal_data, roles_required, staff_required
from municipalities.services import personal_data_access_record
from subscriptions import clock, promotions, selectors
from subscriptions.filters import SubscriptionFilter
from subscriptions.models import Subscription, SubscriptionEvent
from subscriptions.staff_forms import PromoCodeForm, SupportCampaignForm
from subscriptions.tables import (
    PromoCodeTable,
    PromoRedemptionTable,
    SubscriptionTable,
    promo_amount_display,
    promo_boxes_display,
    term_display,
)

PROMO_ROLES = frozenset({Role.ADMIN, Role.CURATOR})
SUPPORT_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.FINANCE})
Kind = SubscriptionEvent.Kind


def _today(request: HttpRequest) -> date:
    """Today in the municipality's time zone."""
    return clock.now().astimezone(ZoneInfo(request.municipality.timezone)).date()


def _has_role(request: HttpRequest, allowed: frozenset[str]) -> bool:
    return bool(frozenset(request.roles) & allowed)


# --- Subscriptions ---------------------------------------------------------------------------------------------
@staff_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    full_view = can_view_personal_data(request)
    filterset = SubscriptionFilter(
        request.GET or None, queryset=selectors.staff_subscriptions(municipality=municipality), request=request
    )
    if request.GET.get("export") == "csv":
        return _subscriptions_csv(request, filterset.qs, full_view=full_view)
    table = SubscriptionTable(filterset.qs, municipality_slug=municipality.slug, show_personal_data=full_view)
    RequestConfig(request).configure(table)
    counts = selectors.subscription_status_counts(municipality=municipality)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["export"] = "csv"
    return render(
        request,
        "subscriptions/staff/subscription_list.html",
        {
            "filter": filterset,
            "table": table,
            "status_counts": [(value, label, counts[value]) for value, label in Subscription.Status.choices],
            "total_count": sum(counts.values()),
            "export_query": export_query.urlencode(),
            "full_view": full_view,
        },
    )


def _subscriptions_csv(request: HttpRequest, subscriptions, *, full_view: bool) -> HttpResponse:
    """Every filtered subscription (sorted as on screen, not one page), in the list's masking, as an
    Excel-ready CSV. A file with full names and phones is a download of personal data: each subscriber in
    it gets one 접속기록 row."""
    municipality = request.municipality
    table = SubscriptionTable(
        subscriptions.select_related("promo_code"), municipality_slug=municipality.slug, show_personal_data=full_view
    )
    RequestConfig(request, paginate=False).configure(table)
    response = table_csv_response(table, f"subscriptions-{municipality.slug}-{_today(request):%Y%m%d}.csv")
    if full_view:
        # The table's queryset has been read once by the export; this walks the same rows again in memory.
        subscribers = {sub.subscriber_id: sub.subscriber for sub in table.data}
        for subscriber in subscribers.values():
            personal_data_access_record(
                request=request,
                municipality=municipality,
                subject=subscriber,
                subject_label=f"{privacy.mask_name(subscriber.name)} (#{subscriber.pk})",
                purpose=_("구독 목록 내려받기"),
            )
    return response


@staff_required
def subscription_timeline(request: HttpRequest, subscription_id: int) -> HttpResponse:
    municipality = request.municipality
    sub = selectors.staff_subscription(municipality=municipality, subscription_id=subscription_id)
    full_view = can_view_personal_data(request)
    subscriber, address = sub.subscriber, sub.address
    events = list(selectors.subscription_events(subscription=sub))
    if full_view:
        personal_data_access_record(
            request=request,
            municipality=municipality,
            subject=subscriber,
            subject_label=f"{privacy.mask_name(subscriber.name)} (#{subscriber.pk})",
            purpose=_("구독 상세 조회"),
        )
    names = selectors.bundle_names(municipality=municipality, bundle_ids=_bundle_ids(events))
    return render(
        request,
        "subscriptions/staff/subscription_timeline.html",
        {
            "sub": sub,
            "full_view": full_view,
            "person": {
                "name": subscriber.name if full_view else privacy.mask_name(subscriber.name),
                "phone": subscriber.phone if full_view else privacy.mask_phone(subscriber.phone),
                "email": subscriber.user.email if full_view else privacy.mask_email(subscriber.user.email),
            },
            "address": {
                "recipient": address.recipient if full_view else privacy.mask_name(address.recipient),
                "phone": address.phone if full_view else privacy.mask_phone(address.phone),
                "line": (
                    f"({address.postcode}) {address.road_address} {address.detail}".strip()
                    if full_view
                    else privacy.mask_address(address.road_address)
                ),
                "memo": address.memo if full_view else "",
            },
            "term": term_display(sub.term_boxes),
            "promo": _promo_summary(sub),
            "events": [_describe(event, sub=sub, bundle_names=names, full_view=full_view) for event in events],
            "orders": list(selectors.subscription_orders(subscription=sub)),
        },
    )


def _promo_summary(sub: Subscription) -> str:
    promo = sub.promo_code
    if promo is None:
        return ""
    summary = _("%(code)s (%(amount)s 할인, %(boxes)s)") % {
        "code": promo.code,
        "amount": promo_amount_display(kind=promo.kind, amount=promo.amount),
        "boxes": promo_boxes_display(promo.boxes),
    }
    if sub.promo_boxes_remaining is not None:
        summary += " · " + _("남은 할인 %(n)d회") % {"n": sub.promo_boxes_remaining}
    return summary


def _bundle_ids(events: list[SubscriptionEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        if event.kind == Kind.PLAN_CHANGED:
            for side in ("from", "to"):
                bundle_id = (event.data.get(side) or {}).get("bundle_id")
                if bundle_id:
                    ids.add(bundle_id)
    return ids


def _cadence(value: str | None) -> str:
    return Cadence(value).label if value in Cadence.values else (value or "")


def _status(value: str) -> str:
    return Subscription.Status(value).label if value in Subscription.Status.values else value


def _actor(event: SubscriptionEvent, *, sub: Subscription, full_view: bool) -> str:
    if event.actor_id is None:
        return _("시스템")
    if event.actor_id == sub.subscriber.user_id:
        return _("구독자 본인")
    name = event.actor.name if full_view else privacy.mask_name(event.actor.name)
    return _("담당자 %(name)s") % {"name": name}


def _describe(event: SubscriptionEvent, *, sub: Subscription, bundle_names: dict[int, str], full_view: bool) -> dict:
    """One history line in plain Korean: what happened, and the details the event recorded."""
    data = event.data or {}
    cycle = event.effective_cycle
    details: list[str] = []
    if event.kind == Kind.CREATED:
        term = data.get("term_boxes")
        if term:
            details.append(_("결제 방식: %(term)s") % {"term": term_display(term)})
        if data.get("source"):
            details.append(_("유입 경로: %(source)s") % {"source": data["source"]})
        if data.get("promo"):
            details.append(_("프로모션 코드: %(code)s") % {"code": data["promo"]})
    elif event.kind == Kind.PAUSED:
        until = data.get("until")
        details.append(_("%(date)s까지 일시정지") % {"date": until} if until else _("다시 시작할 때까지 일시정지"))
    elif event.kind == Kind.PLAN_CHANGED:
        before, after = data.get("from") or {}, data.get("to") or {}
        details.append(
            _("%(from_bundle)s (%(from_cadence)s) → %(to_bundle)s (%(to_cadence)s)")
            % {
                "from_bundle": bundle_names.get(before.get("bundle_id"), _("삭제된 꾸러미")),
                "from_cadence": _cadence(before.get("cadence")),
                "to_bundle": bundle_names.get(after.get("bundle_id"), _("삭제된 꾸러미")),
                "to_cadence": _cadence(after.get("cadence")),
            }
        )
    elif event.kind == Kind.CARD_CHANGED and data.get("last4"):
        details.append(_("끝자리 %(last4)s 카드로 변경") % {"last4": data["last4"]})
    elif event.kind == Kind.CANCELED:
        reason = data.get("reason")
        if reason:
            details.append(_("해지 사유: %(reason)s") % {"reason": dict(Subscription.CancelReason.choices).get(reason)})
        if data.get("refund_due_won"):
            details.append(
                _("환불 예정 %(amount)s (발송하지 않은 %(n)d회분)")
                % {"amount": format_won(data["refund_due_won"]), "n": data.get("unshipped_boxes", 0)}
            )
    elif event.kind == Kind.REFUNDED and data.get("amount_won"):
        details.append(_("환불 금액 %(amount)s") % {"amount": format_won(data["amount_won"])})
    status_change = ""
    if event.from_status and event.to_status and event.from_status != event.to_status:
        status_change = f"{_status(event.from_status)} → {_status(event.to_status)}"
    return {
        "at": event.created_at,
        "actor": _actor(event, sub=sub, full_view=full_view),
        "what": event.get_kind_display(),
        "details": details,
        "status_change": status_change,
        "cycle": cycle,
        "reason": event.reason,
    }


# --- Promo codes -------------------------------------------------------------------------------------------------
@staff_required
def promo_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    table = PromoCodeTable(selectors.staff_promo_codes(municipality=municipality), municipality_slug=municipality.slug)
    RequestConfig(request).configure(table)
    return render(
        request,
        "subscriptions/staff/promo_list.html",
        {"table": table, "can_create": _has_role(request, PROMO_ROLES)},
    )


@roles_required(PROMO_ROLES)
def promo_create(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    form = PromoCodeForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            promo = promotions.promo_code_create(
                municipality=municipality, acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("프로모션 코드 %(code)s를 만들었습니다.") % {"code": promo.code})
            return redirect("subscriptions:staff-promo", municipality_slug=municipality.slug, promo_id=promo.pk)
    return render(request, "subscriptions/staff/promo_form.html", {"form": form})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def promo_detail(request: HttpRequest, promo_id: int) -> HttpResponse:
    municipality = request.municipality
    promo = selectors.staff_promo_code(municipality=municipality, promo_id=promo_id)
    can_manage = _has_role(request, PROMO_ROLES)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        is_active = request.POST.get("is_active") == "1"
        promo = promotions.promo_code_set_active(promo=promo, is_active=is_active)
        if is_active:
            messages.success(request, _("%(code)s 코드를 다시 쓸 수 있게 했습니다.") % {"code": promo.code})
        else:
            messages.success(
                request, _("%(code)s 코드를 중지했습니다. 새 구독에는 쓸 수 없습니다.") % {"code": promo.code}
            )
        return redirect("subscriptions:staff-promo", municipality_slug=municipality.slug, promo_id=promo.pk)
    table = PromoRedemptionTable(selectors.promo_redemptions(promo=promo), municipality_slug=municipality.slug)
    RequestConfig(request).configure(table)
    return render(
        request,
        "subscriptions/staff/promo_detail.html",
        {
            "promo": promo,
            "amount": promo_amount_display(kind=promo.kind, amount=promo.amount),
            "boxes": promo_boxes_display(promo.boxes),
            "bundles": list(promo.bundles.order_by("name").values_list("name", flat=True)),
            "table": table,
            "can_manage": can_manage,
        },
    )


# --- Shipping support ------------------------------------------------------------------------------------------
@staff_required
def support_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    today = _today(request)
    campaigns = []
    for campaign in selectors.staff_support_campaigns(municipality=municipality):
        weeks = selectors.support_draws_by_week(campaign=campaign)
        campaigns.append(
            {
                "campaign": campaign,
                "forecast": selectors.support_campaign_forecast(campaign=campaign, today=today),
                "used_percent": campaign.spent_won * 100 // campaign.budget_won if campaign.budget_won else 0,
                "running": campaign.is_active and campaign.starts_on <= today <= campaign.ends_on,
                "weeks": weeks,
                "chart_id": f"campaign-{campaign.pk}-chart",
                "chart": {
                    "labels": [_("%(month)d월 %(day)d일 주") % {"month": w.month, "day": w.day} for w, _t in weeks],
                    "values": [total for _w, total in weeks],
                    "label": _("주별 지원액(원)"),
                },
            }
        )
    return render(
        request,
        "subscriptions/staff/support_list.html",
        {"campaigns": campaigns, "today": today, "can_create": _has_role(request, SUPPORT_ROLES)},
    )


@roles_required(SUPPORT_ROLES)
def support_create(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    initial = {"starts_on": _today(request), "ends_on": _today(request) + timedelta(days=30)}
    form = SupportCampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = promotions.support_campaign_create(
                municipality=municipality, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("배송비 지원 캠페인 '%(name)s'을(를) 만들었습니다.") % {"name": campaign.name})
            return redirect("subscriptions:staff-support", municipality_slug=municipality.slug)
    return render(request, "subscriptions/staff/support_form.html", {"form": form})
