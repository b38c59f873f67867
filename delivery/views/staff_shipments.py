"""Staff shipment pages (admin and logistics): cycles with their boxes counted by status, one cycle's
shipments (filters, CSV, bulk packed/delivered), one shipment with its history and moves.

Every page fetches only within the request's municipality, so another tenant's id is a 404. Changes
are POST only and go through the delivery services; a refused move is shown in Korean and changes
nothing. Opening a shipment, or downloading the list with names, writes the 접속기록.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from core.transitions import TransitionNotAllowed
from delivery import logistics
from delivery.courier import COURIERS
from delivery.services import shipment_move, shipments_mark_delivered, shipments_mark_packed
from delivery.shipment_filters import ShipmentFilter
from delivery.shipment_tables import CycleShipmentTable, ShipmentTable, status_badge, storage_badge
from delivery.staff_forms import CourierExportForm, ShipmentMoveForm
from delivery.views.staff_common import closed_cycle, logistics_required, subscribers_access_record
from municipalities.permissions import can_view_personal_data


@logistics_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    table = CycleShipmentTable(
        logistics.cycles_with_shipment_counts(municipality=municipality), municipality_slug=municipality.slug
    )
    RequestConfig(request).configure(table)
    return render(request, "delivery/staff/cycle_list.html", {"table": table})


def _cycle_url(request: HttpRequest, cycle_id: int) -> str:
    return reverse(
        "delivery:staff-cycle", kwargs={"municipality_slug": request.municipality.slug, "cycle_id": cycle_id}
    )


@logistics_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    municipality = request.municipality
    cycle = closed_cycle(request, cycle_id)
    full_view = can_view_personal_data(request)
    filterset = ShipmentFilter(request.GET or None, queryset=logistics.cycle_shipments(cycle=cycle))
    table = ShipmentTable(filterset.qs, municipality_slug=municipality.slug, show_personal_data=full_view)
    if request.GET.get("export") == "csv":
        RequestConfig(request, paginate=False).configure(table)
        response = table_csv_response(table, f"shipments-{municipality.slug}-{cycle.ship_date:%Y%m%d}.csv")
        if full_view:
            subscribers_access_record(
                request,
                subscribers=filterset.qs.values_list("order__subscriber_id", "order__subscriber__name"),
                purpose=_("배송 목록 내려받기"),
            )
        return response
    RequestConfig(request).configure(table)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["export"] = "csv"
    counts = logistics.cycle_counts(cycle=cycle)
    return render(
        request,
        "delivery/staff/cycle_detail.html",
        {
            "cycle": cycle,
            "counts": counts,
            "status_rows": [(status.value, status.label, counts[status.value]) for status in logistics.COUNTED],
            "filter": filterset,
            "table": table,
            "export_query": export_query.urlencode(),
            "courier_form": CourierExportForm(),
            "couriers": list(COURIERS),
            "full_view": full_view,
        },
    )


@logistics_required
@require_POST
def shipments_bulk(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Mark the chosen boxes packed or delivered. Ids of another cycle or municipality are ignored."""
    cycle = closed_cycle(request, cycle_id)
    ids = [int(value) for value in request.POST.getlist("shipment") if value.isdigit()]
    ids = list(logistics.cycle_shipments(cycle=cycle).filter(pk__in=ids).values_list("pk", flat=True))
    action = request.POST.get("action")
    back = _cycle_url(request, cycle.pk) + ("?" + request.POST["query"] if request.POST.get("query") else "")
    if not ids:
        messages.error(request, _("상자를 하나 이상 선택해 주세요."))
        return redirect(back)
    if action == "packed":
        result = shipments_mark_packed(municipality=request.municipality, shipment_ids=ids, acting_user=request.user)
        done, skipped = len(result.moved), len(result.skipped)
        text = ngettext("%(n)d상자를 포장 완료로 바꿨습니다.", "%(n)d상자를 포장 완료로 바꿨습니다.", done)
        skipped_text = _("포장 대기가 아닌 %(n)d상자는 그대로 두었습니다.")
    elif action == "delivered":
        result = shipments_mark_delivered(municipality=request.municipality, shipment_ids=ids, acting_user=request.user)
        done, skipped = len(result.moved), len(result.skipped)
        text = ngettext(
            "%(n)d상자를 배송 완료로 바꾸고 구독자에게 알렸습니다.",
            "%(n)d상자를 배송 완료로 바꾸고 구독자에게 알렸습니다.",
            done,
        )
        skipped_text = _("발송 상태가 아닌 %(n)d상자는 그대로 두었습니다.")
    else:
        messages.error(request, _("할 일을 골라 주세요."))
        return redirect(back)
    messages.success(request, text % {"n": done})
    if skipped:
        messages.warning(request, skipped_text % {"n": skipped})
    return redirect(back)


def _shipment_context(request: HttpRequest, shipment, form: ShipmentMoveForm | None = None) -> dict:
    moves = logistics.moves_allowed(shipment)
    return {
        "shipment": shipment,
        "order": shipment.order,
        "subscriber": shipment.order.subscriber,
        "items": list(shipment.order.items.all()),
        "events": list(shipment.events.all()),
        "status_badge": status_badge(shipment.status),
        "storage_badge": storage_badge(shipment.storage_class),
        "moves": moves,
        "form": form or (ShipmentMoveForm(moves=moves) if moves else None),
    }


@logistics_required
@require_http_methods(["GET", "POST"])
def shipment_detail(request: HttpRequest, shipment_id: int) -> HttpResponse:
    municipality = request.municipality
    shipment = logistics.shipment_for_staff(municipality=municipality, shipment_id=shipment_id)
    form = None
    if request.method == "POST":
        form = ShipmentMoveForm(request.POST, moves=logistics.moves_allowed(shipment))
        if form.is_valid():
            try:
                moved = shipment_move(
                    shipment=shipment,
                    to=form.cleaned_data["to"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except TransitionNotAllowed as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request, _("상태를 ‘%(status)s’(으)로 바꿨습니다.") % {"status": moved.get_status_display()}
                )
                return redirect(request.path)
    subscriber = shipment.order.subscriber
    subscribers_access_record(request, subscribers=[(subscriber.pk, subscriber.name)], purpose=_("배송 상세 조회"))
    status = 400 if form is not None and form.errors else 200
    return render(
        request, "delivery/staff/shipment_detail.html", _shipment_context(request, shipment, form), status=status
    )
