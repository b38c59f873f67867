"""The courier's side for staff (admin and logistics): the bulk-upload CSV of a cycle's courier boxes
(all, or one courier's), and the tracking-number import that ships the boxes.

The export carries names, phones and addresses: each subscriber in it gets a 접속기록 row. The import is
all or nothing (delivery.courier.tracking_import): every bad row is listed with its row number and
nothing changes until the whole file is right.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bundles.exports import csv_download
from delivery.courier import COURIERS, courier_csv, courier_normalize, tracking_import
from delivery.models import Shipment
from delivery.staff_forms import TrackingImportForm
from delivery.views.staff_common import closed_cycle, logistics_required, subscribers_access_record


@logistics_required
@require_GET
def courier_export(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = closed_cycle(request, cycle_id)
    courier = request.GET.get("courier", "").strip() or None
    if courier is not None and courier_normalize(courier) is None:
        messages.error(request, _("택배사를 목록에서 골라 주세요."))
        return redirect("delivery:staff-cycle", municipality_slug=request.municipality.slug, cycle_id=cycle.pk)
    text = courier_csv(cycle=cycle, courier=courier)
    boxes = Shipment.objects.filter(
        municipality_id=request.municipality.pk, cycle_id=cycle.pk, method=Shipment.Method.COURIER
    )
    if courier is not None:
        boxes = boxes.filter(courier=courier_normalize(courier))
    subscribers_access_record(
        request,
        subscribers=boxes.values_list("order__subscriber_id", "order__subscriber__name"),
        purpose=_("택배 업로드 파일 내려받기"),
    )
    suffix = f"-{courier_normalize(courier)}" if courier else ""
    filename = f"택배-{request.municipality.slug}-{cycle.ship_date:%Y%m%d}{suffix}.csv"
    # courier_csv starts with the BOM already.
    return csv_download(text, filename)


@logistics_required
@require_http_methods(["GET", "POST"])
def tracking_upload(request: HttpRequest) -> HttpResponse:
    errors = []
    if request.method == "POST":
        form = TrackingImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = tracking_import(
                municipality=request.municipality, raw=form.cleaned_data["file"].read(), acting_user=request.user
            )
            if result.ok:
                messages.success(
                    request,
                    _("%(n)d상자를 발송 처리하고 구독자에게 운송장 번호를 알렸습니다.") % {"n": result.applied},
                )
                return redirect("delivery:staff-tracking", municipality_slug=request.municipality.slug)
            errors = result.errors
    else:
        form = TrackingImportForm()
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "delivery/staff/tracking_import.html",
        {"form": form, "errors": errors, "couriers": list(COURIERS)},
        status=status,
    )
