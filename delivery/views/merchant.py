"""The merchant portal's delivery pages, in large plain Korean and printable: what to bring for the next
cycles (the demand forecast) and the pick lists of closed cycles, each confirmed or reported short.

Only people bound to a merchant of this municipality get in (bundles.selectors.merchant_for_user): anyone
else with a role here gets 403 from roles_required, a merchant role without a binding 404, and another
merchant's pick list is a 404 like another tenant's.
"""

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from bundles.models import Merchant
from bundles.selectors import merchant_for_user
from delivery import picking
from delivery.models import PickList
from delivery.picking import PickingNotAllowed
from delivery.shortfalls import ShortfallReport, pick_list_confirm, pick_list_report_shortfall
from municipalities.models import Role
from municipalities.permissions import roles_required

FORECAST_CYCLES = 4


def korean_day(day: date) -> str:
    """3월 5일(목): the date as a merchant says it."""
    weekdays = [
        pgettext("weekday", "월"),
        pgettext("weekday", "화"),
        pgettext("weekday", "수"),
        pgettext("weekday", "목"),
        pgettext("weekday", "금"),
        pgettext("weekday", "토"),
        pgettext("weekday", "일"),
    ]
    return _("%(month)s월 %(day)s일(%(weekday)s)") % {
        "month": day.month,
        "day": day.day,
        "weekday": weekdays[day.weekday()],
    }


def _own_merchant(request: HttpRequest) -> Merchant:
    merchant = merchant_for_user(municipality=request.municipality, user=request.user)
    if merchant is None:
        raise Http404(_("연결된 소상공인이 없습니다."))
    return merchant


def _own_list(request: HttpRequest, merchant: Merchant, pick_list_id: int) -> PickList:
    return get_object_or_404(
        picking.merchant_pick_lists(municipality=request.municipality, merchant=merchant), pk=pick_list_id
    )


def _center(request: HttpRequest) -> dict:
    municipality = request.municipality
    return {
        "name": _("%(name)s 물류센터") % {"name": municipality.name},
        "address": picking.logistics_center_address(municipality),
        "phone": municipality.contact_phone,
    }


@roles_required({Role.MERCHANT})
@require_GET
def prepare(request: HttpRequest) -> HttpResponse:
    """준비할 상품: the next cycles' units per product, and when and where to bring them."""
    merchant = _own_merchant(request)
    forecast = picking.demand_forecast(municipality=request.municipality, merchant=merchant, cycles=FORECAST_CYCLES)
    return render(
        request,
        "delivery/merchant/prepare.html",
        {
            "merchant": merchant,
            "center": _center(request),
            "cycles": [
                {"cycle": cycle, "deliver_by": korean_day(cycle.deliver_by), "ship": korean_day(cycle.ship_date)}
                for cycle in forecast
                if cycle.lines
            ],
        },
    )


@roles_required({Role.MERCHANT})
@require_GET
def pick_lists(request: HttpRequest) -> HttpResponse:
    merchant = _own_merchant(request)
    lists = list(picking.merchant_pick_lists(municipality=request.municipality, merchant=merchant)[:20])
    return render(
        request,
        "delivery/merchant/pick_lists.html",
        {
            "merchant": merchant,
            "lists": [
                {
                    "list": pl,
                    "deliver_by": korean_day(picking.deliver_by(pl.cycle)),
                    "ship": korean_day(pl.cycle.ship_date),
                }
                for pl in lists
            ],
        },
    )


def _detail_context(request: HttpRequest, merchant: Merchant, pl: PickList, errors: list[str] | None = None) -> dict:
    shortfalls = {shortfall.product_id: shortfall for shortfall in pl.shortfalls.all()}
    return {
        "merchant": merchant,
        "pick_list": pl,
        "center": _center(request),
        "deliver_by": korean_day(picking.deliver_by(pl.cycle)),
        "ship": korean_day(pl.cycle.ship_date),
        "lines": [
            (
                line,
                shortfalls.get(line.product_id),
                request.POST.get(f"available_{line.product_id}", "") if errors else "",
                request.POST.get(f"reason_{line.product_id}", "") if errors else "",
            )
            for line in pl.lines.all()
        ],
        "can_answer": pl.status in (PickList.Status.AWAITING, PickList.Status.CONFIRMED, PickList.Status.SHORTFALL),
        "errors": errors or [],
    }


@roles_required({Role.MERCHANT})
@require_GET
def pick_list_detail(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    merchant = _own_merchant(request)
    pl = _own_list(request, merchant, pick_list_id)
    return render(request, "delivery/merchant/pick_list.html", _detail_context(request, merchant, pl))


def _detail_url(request: HttpRequest, pl: PickList) -> str:
    return reverse(
        "delivery:merchant-pick-list",
        kwargs={"municipality_slug": request.municipality.slug, "pick_list_id": pl.pk},
    )


@roles_required({Role.MERCHANT})
@require_POST
def pick_list_confirm_view(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    merchant = _own_merchant(request)
    pl = _own_list(request, merchant, pick_list_id)
    try:
        pick_list_confirm(pick_list_obj=pl, acting_user=request.user)
    except PickingNotAllowed as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("고맙습니다. 모두 준비하신다고 알려 드렸습니다."))
    return redirect(_detail_url(request, pl))


def _reports(request: HttpRequest, pl: PickList) -> tuple[list[ShortfallReport], list[str]]:
    """The lines the merchant filled in: a count of units they can bring, and why."""
    reports, errors = [], []
    for line in pl.lines.all():
        raw = request.POST.get(f"available_{line.product_id}", "").strip()
        reason = request.POST.get(f"reason_{line.product_id}", "")
        if raw == "":
            continue
        if not raw.isdigit():
            errors.append(_("%(name)s: 준비할 수 있는 수량을 숫자로 적어 주세요.") % {"name": line.product_name})
            continue
        reports.append(ShortfallReport(product_id=line.product_id, units_available=int(raw), reason=reason))
    return reports, errors


@roles_required({Role.MERCHANT})
@require_POST
def pick_list_shortfall_view(request: HttpRequest, pick_list_id: int) -> HttpResponse:
    merchant = _own_merchant(request)
    pl = _own_list(request, merchant, pick_list_id)
    reports, errors = _reports(request, pl)
    if not errors:
        try:
            pick_list_report_shortfall(pick_list_obj=pl, reports=reports, acting_user=request.user)
        except PickingNotAllowed as refused:
            errors = refused.messages
    if errors:
        pl = _own_list(request, merchant, pick_list_id)
        context = _detail_context(request, merchant, pl, errors)
        return render(request, "delivery/merchant/pick_list.html", context, status=400)
    messages.success(request, _("모자라는 수량을 군청 담당자에게 알렸습니다. 담당자가 처리해 드립니다."))
    return redirect(_detail_url(request, pl))
