"""내 배송: the subscriber's own boxes — a list, one box's status with its timeline, tracking link, contents
and the one-tap rating after delivery — and the choice of how a subscription's boxes travel.

Every view is for the signed-in user and fetches only their own shipments or subscriptions in this
municipality, so someone else's box, or another municipality's, is a 404. Refused changes are shown in
Korean and change nothing.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from delivery import options, ratings
from delivery.links import tracking_url
from delivery.models import BoxRating, Shipment
from delivery.options_forms import DeliveryMethodForm, RatingForm
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions import selectors
from subscriptions.models import OrderItem
from subscriptions.views.checkout import day_text, local_today, moment_text

Status = Shipment.Status
Method = Shipment.Method
SHIPMENTS_PER_PAGE = 20

STATUS_BADGES = {
    Status.PENDING: "bg-light-gray",
    Status.PACKED: "bg-light-primary",
    Status.SHIPPED: "bg-light-primary",
    Status.DELIVERED: "bg-light-success",
    Status.RETURNED: "bg-light-danger",
    Status.LOST: "bg-light-danger",
}
# The steps of a box in the subscriber's words, by how it travels.
STEP_LABELS = {
    Status.PENDING: gettext_lazy("상자 준비"),
    Status.PACKED: gettext_lazy("포장 완료"),
}
SENT_LABELS = {
    Method.COURIER: (gettext_lazy("택배 발송"), gettext_lazy("배송 완료")),
    Method.LOCAL: (gettext_lazy("배송 출발"), gettext_lazy("배송 완료")),
    Method.PICKUP: (gettext_lazy("수령 장소로 출발"), gettext_lazy("수령 완료")),
}
STEPS = [Status.PENDING, Status.PACKED, Status.SHIPPED, Status.DELIVERED]


def _my_shipments(request: HttpRequest) -> QuerySet[Shipment]:
    return (
        Shipment.objects.for_tenant(request.municipality)
        # Through the subscription, whose indexes lead from the person to the orders (see Order).
        .filter(order__subscription__subscriber__user=request.user)
        .select_related("order", "cycle", "pickup_point")
    )


def _my_shipment(request: HttpRequest, shipment_id: int) -> Shipment:
    """One of the signed-in user's boxes here; anyone else's (or another tenant's) is a 404."""
    return get_for_tenant_or_404(
        _my_shipments(request).prefetch_related(
            Prefetch("order__items", queryset=OrderItem.objects.order_by("pk"), to_attr="contents"),
            Prefetch("ratings", queryset=BoxRating.objects.all(), to_attr="rating_list"),
        ),
        municipality=request.municipality,
        pk=shipment_id,
    )


def ship_day(shipment: Shipment):
    """The day the box leaves: its own (cold-chain) date, else its cycle's."""
    return shipment.ship_on or shipment.cycle.ship_date


@dataclass(frozen=True)
class Step:
    label: str
    when: str
    state: str  # done, current, todo
    current: bool = False


def timeline(shipment: Shipment, *, municipality, today) -> list[Step]:
    sent, arrived = SENT_LABELS[Method(shipment.method)]
    labels = {**STEP_LABELS, Status.SHIPPED: sent, Status.DELIVERED: arrived}
    stamps = {
        Status.PENDING: shipment.created_at,
        Status.PACKED: shipment.packed_at,
        Status.SHIPPED: shipment.shipped_at,
        Status.DELIVERED: shipment.delivered_at,
    }
    reached = STEPS.index(Status(shipment.status)) if shipment.status in STEPS else None
    steps = []
    for index, status in enumerate(STEPS):
        if reached is None:
            state = "done" if stamps[status] else "todo"
        else:
            state = "done" if index < reached else "current" if index == reached else "todo"
            # A delivered box has arrived: its last step is done, not in progress.
            if status == Status.DELIVERED and state == "current":
                state = "done"
        stamp = stamps[status]
        when = moment_text(stamp, municipality=municipality, today=today) if stamp and state != "todo" else ""
        if status == Status.SHIPPED and state == "todo":
            when = _("%(day)s 예정") % {"day": day_text(ship_day(shipment), today=today)}
        steps.append(Step(str(labels[status]), when, state, current=index == reached))
    return steps


def _rating_context(shipment: Shipment, *, form: RatingForm | None, municipality, today) -> dict:
    rating = shipment.rating_list[0] if shipment.rating_list else None
    deadline = ratings.rating_deadline(shipment)
    can_rate = ratings.can_rate(shipment)
    if form is None and can_rate:
        form = RatingForm(initial={"score": rating.score, "comment": rating.comment} if rating else None)
    return {
        "rating": rating,
        "can_rate": can_rate,
        "rating_form": form,
        "rating_deadline": moment_text(deadline, municipality=municipality, today=today) if deadline else "",
    }


def _detail(request: HttpRequest, shipment: Shipment, *, rating_form: RatingForm | None = None, status: int = 200):
    municipality = request.municipality
    today = local_today(municipality)
    order = shipment.order
    return render(
        request,
        "delivery/my/shipment_detail.html",
        {
            "shipment": shipment,
            "order": order,
            "contents": order.contents,
            "badge": STATUS_BADGES[Status(shipment.status)],
            "steps": timeline(shipment, municipality=municipality, today=today),
            "ship_text": day_text(ship_day(shipment), today=today),
            "moved_for_cold": shipment.ship_on is not None and shipment.ship_on != shipment.cycle.ship_date,
            "tracking_url": tracking_url(shipment.courier, shipment.tracking_number),
            **_rating_context(shipment, form=rating_form, municipality=municipality, today=today),
        },
        status=status,
    )


# --- Pages ---------------------------------------------------------------------------------------------------
@login_required
def shipment_list(request: HttpRequest) -> HttpResponse:
    today = local_today(request.municipality)
    shipments = _my_shipments(request).prefetch_related(
        Prefetch("ratings", queryset=BoxRating.objects.all(), to_attr="rating_list")
    )
    page = Paginator(shipments.order_by("-cycle__ship_date", "-pk"), SHIPMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "shipment": shipment,
            "badge": STATUS_BADGES[Status(shipment.status)],
            "ship_text": day_text(ship_day(shipment), today=today),
            "rating": shipment.rating_list[0] if shipment.rating_list else None,
            "can_rate": ratings.can_rate(shipment),
        }
        for shipment in page.object_list
    ]
    return render(request, "delivery/my/shipment_list.html", {"rows": rows, "page": page})


@login_required
def shipment_detail(request: HttpRequest, shipment_id: int) -> HttpResponse:
    return _detail(request, _my_shipment(request, shipment_id))


@login_required
@require_POST
def shipment_rate(request: HttpRequest, shipment_id: int) -> HttpResponse:
    shipment = _my_shipment(request, shipment_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _detail(request, shipment, rating_form=form, status=400)
    try:
        ratings.box_rating_save(
            shipment=shipment,
            user=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except ratings.RatingNotAllowed as refused:
        form.add_error(None, refused.message)
        return _detail(request, shipment, rating_form=form, status=400)
    messages.success(request, _("평가를 남겨 주셔서 고맙습니다."))
    return redirect(
        reverse(
            "delivery:my-shipment", kwargs={"municipality_slug": request.municipality.slug, "shipment_id": shipment.pk}
        )
        + "#rating"
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_method(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Choose how this subscription's boxes travel: courier, local delivery (inside the area) or pickup."""
    municipality = request.municipality
    sub = selectors.my_subscription(municipality=municipality, user=request.user, subscription_id=subscription_id)
    settings = options.settings_peek(municipality_id=municipality.pk)
    points = list(options.active_pickup_points(municipality=municipality))
    methods = options.allowed_methods(settings, has_pickup_points=bool(points))
    address = sub.address
    address_inside = options.in_local_area(
        settings, postcode=address.postcode, road_address=address.road_address, jibun_address=address.jibun_address
    )
    notes = {
        Method.COURIER: _("배송지(%(address)s)로 택배를 보냅니다.") % {"address": address.road_address},
        Method.LOCAL: _("지역 담당자가 직접 가져다 드립니다.")
        if address_inside
        else _("지금 배송지는 직접 배송 지역 밖이라 고를 수 없습니다."),
        Method.PICKUP: _("정해진 곳에서 직접 찾아가십니다."),
    }
    blocked = [] if address_inside else [Method.LOCAL]
    choice = options.effective_choice(subscription=sub, settings=settings)
    preference = options.preference_of(subscription=sub)
    initial = {"method": preference.method if preference else Method.COURIER}
    if preference and preference.pickup_point_id:
        initial["pickup_point"] = preference.pickup_point_id
    data = request.POST if request.method == "POST" else None
    form = DeliveryMethodForm(data, initial=initial, methods=methods, points=points, notes=notes, blocked=blocked)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                options.delivery_preference_set(
                    subscription=sub,
                    method=form.cleaned_data["method"],
                    pickup_point_id=form.cleaned_data["pickup_point"],
                    acting_user=request.user,
                )
            except options.DeliveryChoiceNotAllowed as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("받는 방법을 바꿨습니다. 다음 상자부터 적용됩니다."))
                return redirect("subscriptions:my-detail", municipality_slug=municipality.slug, subscription_id=sub.pk)
        status = 400
    return render(
        request,
        "delivery/my/delivery_method.html",
        {"sub": sub, "form": form, "choice": choice, "only_courier": methods == [Method.COURIER]},
        status=status,
    )
