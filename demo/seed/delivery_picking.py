"""Demo pick lists: for every past cycle, each merchant's confirmed pick list, and in one cycle a shortfall
that staff resolved with a substitute product — all through the real services. The forecast (준비할 상품)
needs no data of its own: it is computed from the open cycles' subscriptions. Safe to run again: the
lists are refreshed (nothing new), confirmations and the shortfall are made only once."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from bundles.models import MerchantMember
from delivery.models import PickList, Shortfall
from delivery.picking import pick_lists_confirm_for_cycle
from delivery.shortfalls import (
    ShortfallReport,
    pick_list_confirm,
    pick_list_report_shortfall,
    shortfall_substitute,
    substitute_candidates,
)
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle

CENTERS = {
    "hadong": "경상남도 하동군 하동읍 경서대로 35 하동군 농특산물 공동물류센터",
    "namhae": "경상남도 남해군 이동면 남해대로 2563 남해군 공동물류센터",
}


def _merchant_users(municipality: Municipality) -> dict[int, User]:
    return {
        member.merchant_id: member.membership.user
        for member in MerchantMember.objects.for_tenant(municipality).select_related("membership__user")
    }


def _shortfall_once(municipality: Municipality, cycle: DeliveryCycle, users: dict[int, User]) -> bool:
    """In `cycle`, the merchant of the largest line that has a valid substitute can bring only half of it;
    a logistics officer gives the other boxes the substitute."""
    if Shortfall.objects.for_tenant(municipality).exists():
        return False
    staff = User.objects.filter(memberships__municipality=municipality, memberships__role="logistics").first()
    lists = PickList.objects.filter(cycle=cycle, status=PickList.Status.AWAITING).prefetch_related("lines")
    lines = sorted(
        (line for pl in lists for line in pl.lines.all() if line.units >= 2), key=lambda line: (-line.units, line.pk)
    )
    for line in lines:
        pl = line.pick_list
        planned = Shortfall(
            municipality=municipality,
            cycle=cycle,
            product_id=line.product_id,
            units_needed=line.units,
            units_available=line.units // 2,
        )
        substitute = substitute_candidates(shortfall=planned).first()
        if substitute is None:
            continue  # no product can stand in for this one
        [shortfall] = pick_list_report_shortfall(
            pick_list_obj=pl,
            reports=[ShortfallReport(line.product_id, line.units // 2, "늦서리로 수확이 절반으로 줄었습니다")],
            acting_user=users.get(pl.merchant_id),
        )
        shortfall_substitute(
            shortfall=shortfall, substitute=substitute, acting_user=staff, note="대체 상품 공급처와 통화 완료"
        )
        return True
    return False


def seed_delivery_picking(progress=None) -> list[str]:
    lines: list[str] = []
    today = timezone.localdate()
    for municipality in Municipality.objects.filter(slug__in=CENTERS).order_by("slug"):
        if not municipality.logistics_center_address:
            municipality.logistics_center_address = CENTERS[municipality.slug]
            municipality.save(update_fields=["logistics_center_address", "updated_at"])
        users = _merchant_users(municipality)
        cycles = list(
            DeliveryCycle.objects.for_tenant(municipality)
            .filter(status=DeliveryCycle.Status.CLOSED, ship_date__lt=today)
            .order_by("ship_date", "cadence")
        )
        made_shortfall = False
        for index, cycle in enumerate(cycles, start=1):
            # Merchants answer the evening the charges are done, well before they bring the products.
            with clock.frozen(cycle.charge_at + timedelta(hours=8)):
                pick_lists_confirm_for_cycle(cycle=cycle)
                if cycle == cycles[-1] and municipality.slug == "hadong":
                    made_shortfall = _shortfall_once(municipality, cycle, users)
                for pl in PickList.objects.filter(cycle=cycle, status=PickList.Status.AWAITING):
                    pick_list_confirm(pick_list_obj=pl, acting_user=users.get(pl.merchant_id))
            if progress:
                progress(f"{municipality.slug} 준비", index, len(cycles))
        if made_shortfall:
            lines.append(f"  {municipality.name}: 상품 부족 1건을 대체 상품으로 처리 / one shortfall substituted")
    return lines
