"""The pick-list pages on other apps' pages, through the registries: the merchant portal's links
(준비할 상품, 준비 목록 확인), a merchant-home section that says what awaits the merchant's answer, and the
staff nav link and dashboard widget of the pick lists."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bundles.models import Merchant
from delivery.models import PickList, Shortfall
from municipalities import area_ui, staff_ui
from municipalities.models import Role

PICKING_STAFF_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS, Role.CURATOR})
WIDGET_ROWS = 5


def _merchant_home_section(request: HttpRequest, merchant: Merchant) -> dict | None:
    awaiting = PickList.objects.filter(
        municipality_id=merchant.municipality_id, merchant_id=merchant.pk, status=PickList.Status.AWAITING
    ).count()
    return {"awaiting": awaiting} if awaiting else None


def _staff_widget(request: HttpRequest) -> dict:
    """Open shortfalls first (they hold boxes back), and how many pick lists still await a merchant."""
    municipality = request.municipality
    return {
        "open_shortfalls": list(
            Shortfall.objects.filter(municipality_id=municipality.pk, status=Shortfall.Status.OPEN)
            .select_related("product", "pick_list__merchant", "cycle")
            .order_by("cycle__ship_date", "pk")[:WIDGET_ROWS]
        ),
        "awaiting": PickList.objects.filter(
            municipality_id=municipality.pk,
            status=PickList.Status.AWAITING,
            cycle__ship_date__gte=timezone.localdate(),
        ).count(),
    }


def register() -> None:
    area_ui.register_link(
        area="merchant",
        label=_("준비할 상품"),
        url_name="delivery:merchant-prepare",
        order=10,
        description=_("언제, 어디로, 무엇을 몇 개 가져오실지 알려 드립니다."),
    )
    area_ui.register_link(
        area="merchant",
        label=_("준비 목록 확인"),
        url_name="delivery:merchant-pick-lists",
        order=11,
        description=_("마감된 주문의 수량을 확인하고, 모자라면 알려 주세요."),
    )
    area_ui.register_section(
        area="merchant_home",
        template_name="delivery/merchant/_home_section.html",
        context=_merchant_home_section,
        order=10,
    )
    staff_ui.register_nav(
        label=_("소상공인 준비 목록"),
        url_name="delivery:staff-picking",
        roles=PICKING_STAFF_ROLES,
        order=36,
        sections={"delivery:staff-picking-cycle"},
    )
    staff_ui.register_widget(
        template_name="delivery/staff/picking_widget.html",
        context=_staff_widget,
        roles=PICKING_STAFF_ROLES,
        order=36,
    )
