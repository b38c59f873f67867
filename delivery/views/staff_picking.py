"""Staff pages for the merchants' pick lists: closed cycles with their lists, who confirmed, and the open
shortfalls with the decision (substitute product or partial refund).

For admin, logistics and curator roles of the request's municipality (other staff 403, no role 404); a
cycle or shortfall of another municipality is a 404. Decisions are POST only and go through
delivery.shortfalls; a refused one is shown in Korean and changes nothing.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from bundles.models import Product
from core.forms import KrdsFormMixin
from delivery import picking
from delivery.models import PickList, Shortfall
from delivery.picking import PickingNotAllowed
from delivery.shortfalls import (
    picking_settings_update,
    shortfall_refund,
    shortfall_refunds_send,
    shortfall_substitute,
    substitute_candidates,
)
from delivery.views.merchant import korean_day
from municipalities.models import Municipality, Role
from municipalities.permissions import roles_required
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions.gateways.stripe_gateway import gateway
from subscriptions.models import DeliveryCycle

PICKING_ROLES = {Role.ADMIN, Role.LOGISTICS, Role.CURATOR}
SETTINGS_ROLES = {Role.ADMIN, Role.LOGISTICS}
RECENT_CYCLES = 20


class PickingSettingsForm(KrdsFormMixin, forms.Form):
    shortfall_policy = forms.ChoiceField(
        label=gettext_lazy("상품이 모자랄 때 받을 주문을 정하는 기준"),
        choices=Municipality.ShortfallPolicy.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "먼저 구독한 분부터: 오래된 구독부터 주문 수량을 다 채웁니다. 비례: 모든 주문에 수량만큼 나눕니다."
        ),
    )
    logistics_center_address = forms.CharField(
        label=gettext_lazy("물류센터 주소"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("소상공인이 상품을 가져오는 곳입니다. 비우면 지자체 주소를 보여 드립니다."),
    )


def _can_edit_settings(request: HttpRequest) -> bool:
    return bool(set(request.roles) & SETTINGS_ROLES)


@roles_required(PICKING_ROLES)
@require_GET
def cycles(request: HttpRequest) -> HttpResponse:
    """Recent closed cycles with how many pick lists await the merchant and how many shortfalls are open
    (three queries)."""
    rows = list(
        DeliveryCycle.objects.filter(municipality=request.municipality, status=DeliveryCycle.Status.CLOSED).order_by(
            "-ship_date", "cadence"
        )[:RECENT_CYCLES]
    )
    ids = [cycle.pk for cycle in rows]
    lists = {
        row["cycle_id"]: row
        for row in PickList.objects.filter(cycle_id__in=ids)
        .values("cycle_id")
        .annotate(total=Count("pk"), awaiting=Count("pk", filter=Q(status=PickList.Status.AWAITING)))
    }
    shortfalls = dict(
        Shortfall.objects.filter(cycle_id__in=ids, status=Shortfall.Status.OPEN)
        .values("cycle_id")
        .annotate(total=Count("pk"))
        .values_list("cycle_id", "total")
    )
    rows = [
        {
            "cycle": cycle,
            "lists": lists.get(cycle.pk, {}).get("total", 0),
            "awaiting": lists.get(cycle.pk, {}).get("awaiting", 0),
            "open_shortfalls": shortfalls.get(cycle.pk, 0),
        }
        for cycle in rows
    ]
    form = None
    if _can_edit_settings(request):
        form = PickingSettingsForm(
            initial={
                "shortfall_policy": request.municipality.shortfall_policy,
                "logistics_center_address": request.municipality.logistics_center_address,
            }
        )
    return render(request, "delivery/staff/picking.html", {"cycles": rows, "settings_form": form})


@roles_required(SETTINGS_ROLES)
@require_POST
def settings_update(request: HttpRequest) -> HttpResponse:
    form = PickingSettingsForm(request.POST)
    if form.is_valid():
        try:
            picking_settings_update(municipality=request.municipality, acting_user=request.user, **form.cleaned_data)
        except PickingNotAllowed as refused:
            for message in refused.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("준비 목록 설정을 저장했습니다."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(reverse("delivery:staff-picking", kwargs={"municipality_slug": request.municipality.slug}))


def _cycle_url(request: HttpRequest, cycle_id: int) -> str:
    return reverse(
        "delivery:staff-picking-cycle", kwargs={"municipality_slug": request.municipality.slug, "cycle_id": cycle_id}
    )


@roles_required(PICKING_ROLES)
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_for_tenant_or_404(DeliveryCycle.objects.all(), municipality=request.municipality, pk=cycle_id)
    lists = picking.staff_cycle_pick_lists(cycle=cycle)
    open_shortfalls = [
        (shortfall, pl, list(substitute_candidates(shortfall=shortfall)))
        for pl in lists
        for shortfall in pl.shortfalls.all()
        if shortfall.status in (Shortfall.Status.OPEN, Shortfall.Status.REFUNDING)
    ]
    decided = [
        (shortfall, pl)
        for pl in lists
        for shortfall in pl.shortfalls.all()
        if shortfall.status in (Shortfall.Status.SUBSTITUTED, Shortfall.Status.REFUNDED)
    ]
    return render(
        request,
        "delivery/staff/picking_cycle.html",
        {
            "cycle": cycle,
            "deliver_by": korean_day(picking.deliver_by(cycle)),
            "lists": lists,
            "open_shortfalls": open_shortfalls,
            "decided": decided,
            "policy": request.municipality.get_shortfall_policy_display(),
        },
    )


def _shortfall(request: HttpRequest, shortfall_id: int) -> Shortfall:
    return get_for_tenant_or_404(
        Shortfall.objects.select_related("cycle", "product"), municipality=request.municipality, pk=shortfall_id
    )


@roles_required(PICKING_ROLES)
@require_POST
def substitute(request: HttpRequest, shortfall_id: int) -> HttpResponse:
    shortfall = _shortfall(request, shortfall_id)
    product = Product.objects.filter(municipality=request.municipality, pk=request.POST.get("product") or 0).first()
    if product is None:
        messages.error(request, _("대체 상품을 골라 주세요."))
        return redirect(_cycle_url(request, shortfall.cycle_id))
    try:
        shortfall_substitute(
            shortfall=shortfall, substitute=product, acting_user=request.user, note=request.POST.get("note", "")
        )
    except PickingNotAllowed as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(product)s 부족분을 %(substitute)s(으)로 바꿨습니다. 해당 구독자에게 알림을 보냅니다.")
            % {"product": shortfall.product.name, "substitute": product.name},
        )
    return redirect(_cycle_url(request, shortfall.cycle_id))


@roles_required(PICKING_ROLES)
@require_POST
def refund(request: HttpRequest, shortfall_id: int) -> HttpResponse:
    shortfall = _shortfall(request, shortfall_id)
    try:
        if shortfall.status == Shortfall.Status.REFUNDING:
            outcome = shortfall_refunds_send(shortfall=shortfall, acting_user=request.user, gateway=gateway())
        else:
            outcome = shortfall_refund(
                shortfall=shortfall, acting_user=request.user, gateway=gateway(), note=request.POST.get("note", "")
            )
    except PickingNotAllowed as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        for error in outcome.errors:
            messages.error(request, error)
        if outcome.pending:
            messages.warning(
                request,
                _("환불 %(pending)s건이 남았습니다. 잠시 뒤 '남은 환불 다시 시도'를 눌러 주세요.")
                % {"pending": outcome.pending},
            )
        else:
            messages.success(request, _("부분 환불을 마쳤습니다. 해당 구독자에게 알림을 보냅니다."))
    return redirect(_cycle_url(request, shortfall.cycle_id))
