"""The logistics center's printouts of a cycle (admin and logistics): the packing list, the pick summary
and the packing slips (one PDF, rendered in parallel tasks; the page shows the progress and then the
download). The slips carry full names and addresses: the PDF is served only through this view, and
each download writes the 접속기록 of every subscriber in it."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from delivery import logistics
from delivery.models import Shipment, SlipBatch, SlipChunk
from delivery.packing import packing_list, pick_summary
from delivery.slips import SlipBatchNotPossible, slip_batch_file, slip_batch_start
from delivery.staff_forms import SlipBatchForm
from delivery.views.staff_common import closed_cycle, logistics_required, subscribers_access_record
from municipalities.tenancy import get_for_tenant_or_404

POLL_SECONDS = 3


@logistics_required
@require_GET
def packing(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = closed_cycle(request, cycle_id)
    groups = packing_list(cycle=cycle)
    return render(
        request,
        "delivery/staff/packing_list.html",
        {"cycle": cycle, "groups": groups, "boxes_total": sum(len(group.boxes) for group in groups)},
    )


@logistics_required
@require_GET
def picks(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = closed_cycle(request, cycle_id)
    merchants = pick_summary(cycle=cycle)
    return render(
        request,
        "delivery/staff/pick_summary.html",
        {
            "cycle": cycle,
            "merchants": merchants,
            "units_total": sum(merchant.units for merchant in merchants),
            "products_total": sum(len(merchant.lines) for merchant in merchants),
        },
    )


def _latest_batch(cycle) -> SlipBatch | None:
    return SlipBatch.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk).order_by("-pk").first()


def _slips_context(request: HttpRequest, cycle, batch: SlipBatch | None) -> dict:
    return {
        "cycle": cycle,
        "batch": batch,
        "active": batch is not None and batch.status in SlipBatch.ACTIVE,
        "poll_seconds": POLL_SECONDS,
    }


@logistics_required
@require_GET
def slips(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = closed_cycle(request, cycle_id)
    batch = _latest_batch(cycle)
    context = _slips_context(request, cycle, batch)
    if request.headers.get("HX-Request") and request.GET.get("fragment") == "progress":
        # htmx polling while the batch renders: only the progress block, which stops polling once finished.
        return render(request, "delivery/staff/partials/_slip_progress.html", context)
    counts = logistics.cycle_counts(cycle=cycle)
    boxes = sum(counts[status] for status in (Shipment.Status.PENDING, Shipment.Status.PACKED, Shipment.Status.SHIPPED))
    return render(
        request,
        "delivery/staff/slips.html",
        {**context, "form": SlipBatchForm(), "boxes": boxes},
    )


@logistics_required
@require_POST
def slips_start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = closed_cycle(request, cycle_id)
    form = SlipBatchForm(request.POST)
    url = reverse("delivery:staff-slips", kwargs={"municipality_slug": request.municipality.slug, "cycle_id": cycle.pk})
    if not form.is_valid():
        messages.error(request, _("용지를 골라 주세요."))
        return redirect(url)
    try:
        slip_batch_start(cycle=cycle, acting_user=request.user, paper=form.cleaned_data["paper"])
    except SlipBatchNotPossible:
        messages.error(request, _("송장을 만들 상자가 없습니다. 포장 대기·포장 완료·발송 상자만 송장을 만듭니다."))
    else:
        messages.success(request, _("송장을 만들기 시작했습니다. 이 화면에서 진행 상황을 볼 수 있습니다."))
    return redirect(url)


@logistics_required
@require_GET
def slips_download(request: HttpRequest, batch_id: int) -> FileResponse:
    batch = get_for_tenant_or_404(
        SlipBatch.objects.select_related("cycle"), municipality=request.municipality, pk=batch_id
    )
    if batch.status != SlipBatch.Status.DONE or not batch.file:
        raise Http404
    shipment_ids = [
        pk for ids in SlipChunk.objects.filter(batch=batch).values_list("shipment_ids", flat=True) for pk in ids
    ]
    subscribers_access_record(
        request,
        subscribers=Shipment.objects.filter(municipality_id=request.municipality.pk, pk__in=shipment_ids).values_list(
            "order__subscriber_id", "order__subscriber__name"
        ),
        purpose=_("포장 송장 내려받기"),
    )
    response = FileResponse(
        slip_batch_file(batch),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"slips-{request.municipality.slug}-{batch.cycle.ship_date:%Y%m%d}-{batch.pk}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
