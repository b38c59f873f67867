"""Tourism's part of other apps' pages, registered in TourismConfig.ready(): staff navigation and the
dashboard widget (municipalities.staff_ui), the wallet link on 내 구독 and the offers section on the
storefront's bundle page (municipalities.area_ui). The partner portal's home is tourism's own page: it
shows the links other apps register for the "partner" area (settlement's statements)."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities import area_ui, staff_ui
from tourism import selectors
from tourism.roles import TOURISM_VIEW_ROLES


def _widget(request: HttpRequest) -> dict:
    now = timezone.now()
    return {
        "month": selectors.municipality_month_totals(municipality=request.municipality, now=now),
        "near_cap": len(selectors.offers_near_cap(municipality=request.municipality, now=now)),
        "municipality": request.municipality,
    }


def _bundle_offers(request: HttpRequest, bundle) -> dict | None:
    attachments = selectors.bundle_offers(bundle=bundle)
    return {"attachments": attachments} if attachments else None


def register() -> None:
    staff_ui.register_nav(
        label=_("관광 제휴처"),
        url_name="tourism:staff-partners",
        roles=TOURISM_VIEW_ROLES,
        order=40,
        sections={"tourism:staff-partner", "tourism:staff-partner-create"},
    )
    staff_ui.register_nav(
        label=_("관광 혜택"),
        url_name="tourism:staff-offers",
        roles=TOURISM_VIEW_ROLES,
        order=41,
        sections={"tourism:staff-offer", "tourism:staff-offer-create"},
    )
    staff_ui.register_nav(
        label=_("관광 쿠폰 현황"), url_name="tourism:staff-report", roles=TOURISM_VIEW_ROLES, order=42
    )
    staff_ui.register_widget(
        template_name="tourism/staff/partials/_widget.html", context=_widget, roles=TOURISM_VIEW_ROLES, order=40
    )
    area_ui.register_link(
        area="my",
        label=_("내 관광 쿠폰"),
        url_name="tourism:wallet",
        order=20,
        description=_("관광지·맛집에서 쓰는 QR 쿠폰"),
    )
    area_ui.register_section(
        area="bundle_detail", template_name="tourism/partials/_bundle_offers.html", context=_bundle_offers, order=20
    )
