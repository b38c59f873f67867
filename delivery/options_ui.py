"""Delivery options and ratings on other apps' pages, through the registries (municipalities.staff_ui and
area_ui): the staff nav link to 배송 설정, the box-ratings dashboard widget, the delivery section of a
subscription on 내 구독, and the ratings of a merchant's products on the merchant portal's home."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from delivery import options, ratings
from delivery.models import Shipment
from municipalities import area_ui, staff_ui
from municipalities.models import STAFF_ROLES, Role
from subscriptions.models import Subscription
from subscriptions.views.checkout import day_text, local_today

RECENT_BOXES = 3
SETTINGS_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS})


def _subscription_section(request: HttpRequest, sub: Subscription) -> dict:
    today = local_today(request.municipality)
    recent = list(
        Shipment.objects.filter(municipality_id=sub.municipality_id, order__subscription_id=sub.pk)
        .select_related("cycle")
        .prefetch_related("ratings")
        .order_by("-cycle__ship_date", "-pk")[:RECENT_BOXES]
    )
    return {
        "delivery_choice": options.effective_choice(subscription=sub),
        "delivery_can_change": sub.status != Subscription.Status.CANCELED,
        "delivery_sub_id": sub.pk,
        "delivery_recent": [
            {
                "shipment": shipment,
                "ship_text": day_text(shipment.ship_on or shipment.cycle.ship_date, today=today),
                "can_rate": ratings.can_rate(shipment),
                "rated": bool(shipment.ratings.all()),
            }
            for shipment in recent
        ],
    }


def _ratings_widget(request: HttpRequest) -> dict:
    summary = ratings.ratings_summary(municipality=request.municipality)
    return {
        "ratings": summary,
        "ratings_chart": {
            "labels": [str(_("%(score)d점") % {"score": score}) for score, _n in summary.distribution],
            "values": [n for _score, n in summary.distribution],
        },
    }


def _merchant_section(request: HttpRequest, merchant) -> dict | None:
    rows = ratings.merchant_product_ratings(merchant=merchant)
    return {"product_ratings": rows} if rows else None


def register() -> None:
    staff_ui.register_nav(
        label=_("배송 설정"),
        url_name="delivery:staff-settings",
        roles=SETTINGS_ROLES,
        order=46,
        sections={"delivery:staff-pickup-point", "delivery:staff-pickup-point-create"},
    )
    staff_ui.register_widget(
        template_name="delivery/ratings/_staff_widget.html", context=_ratings_widget, roles=STAFF_ROLES, order=45
    )
    area_ui.register_section(
        area="my_subscription",
        template_name="delivery/my/partials/_subscription_delivery.html",
        context=_subscription_section,
        order=20,
    )
    area_ui.register_section(
        area="merchant_home",
        template_name="delivery/ratings/_merchant_products.html",
        context=_merchant_section,
        order=40,
    )
    area_ui.register_link(
        area="my",
        label=_("내 배송"),
        url_name="delivery:my-shipments",
        order=20,
        description=_("상자 배송 조회와 평가"),
    )
