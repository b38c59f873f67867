import pytest
import time_machine
from django.urls import reverse

from bundles.models import Category
from bundles.services import merchant_member_bind
from delivery.models import PickList, Shortfall
from delivery.picking import pick_lists_confirm_for_cycle
from tests.accounts.factories import UserFactory
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, CHARGE_TIME, bundle_with, close_and_charge, subscribe
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"delivery:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def _merchant_user(merchant):
    user = UserFactory()
    merchant_member_bind(merchant=merchant, user=user)
    return user


@pytest.fixture
def shop(municipality, stripe_gateway):
    """Two merchants in one weekly bundle (2 teas + 1 rice), two subscriptions before the cutoff."""
    municipality.logistics_center_address = "경상남도 하동군 하동읍 물류로 1"
    municipality.save(update_fields=["logistics_center_address"])
    tea_farm = MerchantFactory(municipality=municipality, name="가람농원")
    rice_farm = MerchantFactory(municipality=municipality, name="나래농원")
    tea = ProductFactory(merchant=tea_farm, name="녹차", unit="100g", category=Category.TEA)
    rice = ProductFactory(merchant=rice_farm, name="쌀", unit="4kg")
    plan = bundle_with(municipality, [(tea, 2), (rice, 1)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(2)]
    return {"tea_farm": tea_farm, "rice_farm": rice_farm, "tea": tea, "cycle": subs[0].first_cycle}


def test_the_forecast_page_says_what_when_and_where_in_plain_korean(client, municipality, shop):
    # given
    client.force_login(_merchant_user(shop["tea_farm"]))
    # when
    with time_machine.travel(BEFORE, tick=False):
        response = client.get(url("merchant-prepare", municipality))
    # then: the cycle shipping 11-19 (목) needs the teas at the center the day before
    body = response.content.decode()
    assert response.status_code == 200
    assert "11월 18일(수)까지 하동군 물류센터로 녹차 4개를 가져와 주세요." in body
    assert "경상남도 하동군 하동읍 물류로 1" in body
    assert "녹차" in body and "쌀" not in body and "나래농원" not in body


def test_the_merchant_confirms_only_its_own_pick_list(client, municipality, shop, stripe_gateway):
    # given
    close_and_charge(shop["cycle"], stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        pick_lists_confirm_for_cycle(cycle=shop["cycle"])
    own = PickList.objects.get(merchant=shop["tea_farm"])
    other = PickList.objects.get(merchant=shop["rice_farm"])
    client.force_login(_merchant_user(shop["tea_farm"]))
    with time_machine.travel(CHARGE_TIME, tick=False):
        # when
        home = client.get(
            reverse("bundles:merchant-home", kwargs={"municipality_slug": municipality.slug})
        ).content.decode()
        listing = client.get(url("merchant-pick-lists", municipality)).content.decode()
        detail = client.get(url("merchant-pick-list", municipality, pick_list_id=own.pk))
        foreign = [
            client.get(url("merchant-pick-list", municipality, pick_list_id=other.pk)).status_code,
            client.post(url("merchant-pick-list-confirm", municipality, pick_list_id=other.pk)).status_code,
        ]
        confirmed = client.post(url("merchant-pick-list-confirm", municipality, pick_list_id=own.pk))
    # then
    assert "확인을 기다리는 준비 목록이 1개 있습니다." in home
    assert "녹차" in listing and "쌀" not in listing
    assert "모두 준비할 수 있습니다" in detail.content.decode() and "4개" in detail.content.decode()
    assert foreign == [404, 404]
    assert confirmed.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.status, other.status) == ("confirmed", "awaiting")


def test_a_bad_shortfall_report_shows_korean_messages_and_changes_nothing(client, municipality, shop, stripe_gateway):
    # given
    close_and_charge(shop["cycle"], stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        pick_lists_confirm_for_cycle(cycle=shop["cycle"])
    own = PickList.objects.get(merchant=shop["tea_farm"])
    client.force_login(_merchant_user(shop["tea_farm"]))
    field = f"available_{shop['tea'].pk}"
    with time_machine.travel(CHARGE_TIME, tick=False):
        # when: more than ordered, then no reason, then letters
        too_many = client.post(url("merchant-pick-list-shortfall", municipality, pick_list_id=own.pk), {field: "4"})
        no_reason = client.post(url("merchant-pick-list-shortfall", municipality, pick_list_id=own.pk), {field: "1"})
        letters = client.post(url("merchant-pick-list-shortfall", municipality, pick_list_id=own.pk), {field: "셋"})
        # and then a good one
        good = client.post(
            url("merchant-pick-list-shortfall", municipality, pick_list_id=own.pk),
            {field: "1", f"reason_{shop['tea'].pk}": "비가 많이 왔습니다"},
        )
    # then
    assert too_many.status_code == 400 and "0개부터 3개까지" in too_many.content.decode()
    assert no_reason.status_code == 400 and "까닭을 적어 주세요" in no_reason.content.decode()
    assert letters.status_code == 400 and "숫자로 적어 주세요" in letters.content.decode()
    assert good.status_code == 302
    shortfall = Shortfall.objects.get()
    assert (shortfall.units_needed, shortfall.units_available, shortfall.reason) == (4, 1, "비가 많이 왔습니다")
    assert PickList.objects.get(pk=own.pk).status == "shortfall"


def test_pages_refuse_other_roles_and_tenants(client, municipality, other_municipality, shop):
    # given: a curator, a merchant role without a binding, and a merchant of another municipality
    curator = MembershipFactory(municipality=municipality, role="curator").user
    unbound = MembershipFactory(municipality=municipality, role="merchant").user
    foreign = _merchant_user(MerchantFactory(municipality=other_municipality))
    codes = []
    for user in (curator, unbound, foreign):
        client.force_login(user)
        codes.append(client.get(url("merchant-prepare", municipality)).status_code)
    # then
    assert codes == [403, 404, 404]


def test_the_merchant_home_links_to_the_forecast(client, municipality, shop):
    client.force_login(_merchant_user(shop["tea_farm"]))
    body = client.get(reverse("bundles:merchant-home", kwargs={"municipality_slug": municipality.slug})).content
    assert url("merchant-prepare", municipality).encode() in body
    assert url("merchant-pick-lists", municipality).encode() in body
