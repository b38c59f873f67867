"""내 배송: the subscriber's own boxes — a list, and one box's status with its timeline and tracking link.

Every view is for the signed-in user and fetches only their shipments in this municipality, so someone
else's box, or another municipality's, is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from delivery.models import Shipment
from municipalities.tenancy import get_for_tenant_or_404


def _my_shipments(request: HttpRequest) -> QuerySet[Shipment]:
    return (
        Shipment.objects.for_tenant(request.municipality)
        .filter(order__subscriber__user=request.user)
        .select_related("order", "cycle")
    )


@login_required
def shipment_list(request: HttpRequest) -> HttpResponse:
    shipments = _my_shipments(request).order_by("-cycle__ship_date", "-pk")
    return render(request, "delivery/my/shipment_list.html", {"shipments": shipments})


@login_required
def shipment_detail(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = get_for_tenant_or_404(_my_shipments(request), municipality=request.municipality, pk=shipment_id)
    return render(request, "delivery/my/shipment_detail.html", {"shipment": shipment})
