import pytest
import time_machine
from django.urls import reverse

from bundles.models import Category
from delivery.models import Shortfall
from delivery.picking import pick_lists_confirm_for_cycle
from delivery.shortfalls import ShortfallReport, pick_list_report_shortfall
from subscriptions.models import Order, OrderItem
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, CHARGE_TIME, bundle_with, close_and_charge, subscribe
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"delivery:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


@pytest.fixture
def short(municipality, stripe_gateway):
    """Two paid orders of 2 teas each; the tea merchant can bring 2 of 4; a valid substitute exists."""
    tea_farm = MerchantFactory(municipality=municipality, name="가람농원")
    tea = ProductFactory(merchant=tea_farm, name="녹차", category=Category.TEA, supply_price_won=5_000)
    substitute = ProductFactory(
        merchant=MerchantFactory(municipality=municipality, name="다온다원"),
        name="발효차",
        category=Category.TEA,
        supply_price_won=5_500,
    )
    plan = bundle_with(municipality, [(tea, 2)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(2)]
    cycle = subs[0].first_cycle
    close_and_charge(cycle, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        [pick] = pick_lists_confirm_for_cycle(cycle=cycle)
        [shortfall] = pick_list_report_shortfall(
            pick_list_obj=pick,
            reports=[ShortfallReport(product_id=tea.pk, units_available=2, reason="서리 피해")],
            acting_user=None,
        )
    return {"cycle": cycle, "shortfall": shortfall, "substitute": substitute, "tea": tea}


def test_staff_see_the_cycle_with_the_shortfall_and_its_candidates(client, municipality, short, staff_admin):
    client.force_login(staff_admin)
    index = client.get(url("staff-picking", municipality))
    page = client.get(url("staff-picking-cycle", municipality, cycle_id=short["cycle"].pk))
    body = page.content.decode()
    assert index.status_code == 200 and page.status_code == 200
    assert "가람농원 · 녹차: 4개 중 2개만 준비 가능" in body and "서리 피해" in body
    assert "발효차" in body and "다온다원" in body


def test_staff_substitute_through_the_page(client, municipality, short):
    # given
    logistics = MembershipFactory(municipality=municipality, role="logistics").user
    client.force_login(logistics)
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        response = client.post(
            url("staff-shortfall-substitute", municipality, shortfall_id=short["shortfall"].pk),
            {"product": short["substitute"].pk, "note": "전화 확인"},
        )
    # then: the newer subscription's box gets the substitute
    assert response.status_code == 302
    shortfall = Shortfall.objects.get()
    assert (shortfall.status, shortfall.decided_by, shortfall.decision_note) == ("substituted", logistics, "전화 확인")
    assert OrderItem.objects.filter(product=short["substitute"]).count() == 1


def test_staff_refund_through_the_page(client, municipality, short, staff_admin, stripe_gateway):
    client.force_login(staff_admin)
    with time_machine.travel(CHARGE_TIME, tick=False):
        response = client.post(url("staff-shortfall-refund", municipality, shortfall_id=short["shortfall"].pk))
    assert response.status_code == 302
    assert Shortfall.objects.get().status == "refunded"
    # bundle price 2×10,000 + 10,000 = 30,000원 of goods; the whole tea share of one box
    assert sorted(Order.objects.values_list("refunded_won", flat=True)) == [0, 30_000]


def test_other_roles_and_tenants_are_refused(client, municipality, other_municipality, short):
    finance = MembershipFactory(municipality=municipality, role="finance").user
    foreign_admin = MembershipFactory(municipality=other_municipality, role="admin").user
    client.force_login(finance)
    assert client.get(url("staff-picking", municipality)).status_code == 403
    client.force_login(foreign_admin)
    assert client.get(url("staff-picking-cycle", other_municipality, cycle_id=short["cycle"].pk)).status_code == 404
    response = client.post(
        url("staff-shortfall-substitute", other_municipality, shortfall_id=short["shortfall"].pk),
        {"product": short["substitute"].pk},
    )
    assert response.status_code == 404
    assert Shortfall.objects.get().status == "open"


def test_admin_sets_the_allocation_policy_and_the_center(client, municipality, staff_admin):
    # given
    client.force_login(staff_admin)
    page = client.get(url("staff-picking", municipality)).content.decode()
    # when
    response = client.post(
        url("staff-picking-settings", municipality),
        {"shortfall_policy": "pro_rata", "logistics_center_address": "경상남도 하동군 하동읍 물류로 7"},
    )
    # then
    assert "먼저 구독한 분부터" in page and "물류센터 주소" in page
    assert response.status_code == 302
    municipality.refresh_from_db()
    assert (municipality.shortfall_policy, municipality.logistics_center_address) == (
        "pro_rata",
        "경상남도 하동군 하동읍 물류로 7",
    )


def test_a_bad_policy_or_a_curator_changes_nothing(client, municipality, staff_admin):
    # given
    curator = MembershipFactory(municipality=municipality, role="curator").user
    client.force_login(staff_admin)
    # when
    bad = client.post(url("staff-picking-settings", municipality), {"shortfall_policy": "loop_order"}, follow=True)
    client.force_login(curator)
    refused = client.post(url("staff-picking-settings", municipality), {"shortfall_policy": "pro_rata"})
    # then
    assert "올바르게 선택해 주세요. loop_order 이/가 선택가능항목에 없습니다." in bad.content.decode()
    assert refused.status_code == 403
    municipality.refresh_from_db()
    assert municipality.shortfall_policy == "oldest_first"


def test_the_staff_home_shows_open_shortfalls(client, municipality, short, staff_admin):
    client.force_login(staff_admin)
    body = client.get(reverse("municipalities:staff-home", kwargs={"municipality_slug": municipality.slug}))
    text = body.content.decode()
    assert "11-19 발송 · 가람농원 · 녹차 4개 중 2개" in text
    assert url("staff-picking-cycle", municipality, cycle_id=short["cycle"].pk) in text
