"""Settlement's part of the staff area and the portals: the side-navigation links, the dashboard widget
(closes and payouts waiting for finance), and the 정산서 links of the merchant and partner portals."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from municipalities import area_ui, staff_ui
from municipalities.models import Role
from settlement.models import PayoutBatch, SettlementPeriod

SETTLEMENT_ROLES = frozenset({Role.ADMIN, Role.FINANCE})


def _waiting(request: HttpRequest) -> dict:
    municipality = request.municipality
    return {
        "closing": list(
            SettlementPeriod.objects.for_tenant(municipality)
            .filter(status=SettlementPeriod.Status.CLOSING)
            .order_by("starts_at")
        ),
        "batches": list(
            PayoutBatch.objects.for_tenant(municipality)
            .exclude(status=PayoutBatch.Status.PAID)
            .select_related("period")
            .order_by("period__starts_at")
        ),
    }


def register() -> None:
    staff_ui.register_nav(
        label=_("정산"),
        url_name="settlement:staff-periods",
        roles=SETTLEMENT_ROLES,
        order=60,
        sections={
            "settlement:staff-period",
            "settlement:staff-reconciliation",
            "settlement:staff-statement",
        },
    )
    staff_ui.register_nav(
        label=_("지급"),
        url_name="settlement:staff-payouts",
        roles=SETTLEMENT_ROLES,
        order=61,
        sections={"settlement:staff-payout"},
    )
    staff_ui.register_widget(
        template_name="settlement/staff/partials/_widget.html", context=_waiting, roles=SETTLEMENT_ROLES, order=60
    )
    area_ui.register_link(
        area="merchant",
        label=_("정산서"),
        url_name="settlement:merchant-statements",
        order=40,
        description=_("달마다 받을 금액과 내역, PDF"),
    )
    area_ui.register_link(
        area="partner",
        label=_("정산서"),
        url_name="settlement:partner-statements",
        order=40,
        description=_("쿠폰 사용 정산 금액과 내역, PDF"),
    )
