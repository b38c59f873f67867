"""The merchant's delivery pages in a real browser: at 360 px, printed, and with no serious accessibility
violations; the merchant confirms a pick list with one tap."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from bundles.models import Category, StorageClass
from bundles.services import merchant_member_bind
from delivery.picking import pick_lists_confirm_for_cycle
from delivery.shortfalls import ShortfallReport, pick_list_report_shortfall
from subscriptions.billing.charging import order_charge
from subscriptions.billing.close import cycle_close
from subscriptions.models import Order
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import bundle_with, subscribe
from tests.municipalities.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_merchant_reads_prints_and_confirms_on_a_phone(site, page, municipality, stripe_gateway):
    # given: the tea merchant's products in a weekly bundle with two subscribers (from the next open cycle)
    municipality.logistics_center_address = "경상남도 하동군 하동읍 물류로 1"
    municipality.save(update_fields=["logistics_center_address"])
    farm = MerchantFactory(municipality=municipality, name="가람농원")
    tea = ProductFactory(merchant=farm, name="녹차", unit="100g", category=Category.TEA)
    jam = ProductFactory(merchant=farm, name="매실잼", unit="1병", storage_class=StorageClass.CHILLED)
    plan = bundle_with(municipality, [(tea, 2), (jam, 1)]).plans.get()
    subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(2)]
    owner = UserFactory(email="garam@hadong.example.kr", name="김가람")
    merchant_member_bind(merchant=farm, user=owner)
    tenant = {"municipality_slug": municipality.slug}
    page.set_viewport_size(PHONE)
    log_in(page, site, owner.email, PASSWORD)
    # when: the merchant opens 준비할 상품
    page.goto(site + reverse("delivery:merchant-prepare", kwargs=tenant))
    # then: large plain sentences, nothing wider than the phone, nothing serious for accessibility
    assert page.get_by_role("heading", level=1).inner_text().strip() == "준비할 상품"
    assert page.get_by_text("하동군 물류센터로 녹차 4개를 가져와 주세요.").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_serious_violations(page) == []
    page.screenshot(path=str(artifacts_dir() / "merchant-prepare-phone.png"), full_page=True)
    # and: printed, the buttons and menus are left out
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="준비 목록 확인").last.is_visible()
    page.emulate_media(media="screen")

    # given: the first cycle closes and is paid; its pick list is made
    cycle = subs[0].first_cycle
    with time_machine.travel(cycle.charge_at + timedelta(minutes=5), tick=False):
        cycle_close(cycle_id=cycle.pk)
        for order in Order.objects.filter(cycle=cycle):
            order_charge(order_id=order.pk, gateway=stripe_gateway)
        [pick] = pick_lists_confirm_for_cycle(cycle=cycle)
    # when: the merchant opens it and taps the one button
    page.goto(site + reverse("delivery:merchant-pick-lists", kwargs=tenant))
    page.get_by_role("link", name="까지 가져올 상품").first.click()
    assert axe_serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="모두 준비할 수 있습니다").click()
    # then
    assert "모두 준비한다고 알려 주셨습니다" in page.content()
    pick.refresh_from_db()
    assert (pick.status, pick.confirmed_by) == ("confirmed", owner)
    page.screenshot(path=str(artifacts_dir() / "merchant-pick-list-phone.png"), full_page=True)

    # given: the merchant then finds the jam short, and a better jam exists elsewhere
    ProductFactory(merchant=MerchantFactory(municipality=municipality), name="복숭아잼", supply_price_won=12_000)
    pick_list_report_shortfall(
        pick_list_obj=pick, reports=[ShortfallReport(jam.pk, 1, "병이 깨졌습니다")], acting_user=owner
    )
    admin = UserFactory(email="admin@hadong.example.kr", name="김하늘")
    MembershipFactory(municipality=municipality, user=admin, role="admin")
    page.context.clear_cookies()
    log_in(page, site, admin.email, PASSWORD)
    # when: staff open the cycle's pick lists
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(site + reverse("delivery:staff-picking-cycle", kwargs={**tenant, "cycle_id": cycle.pk}))
        # then
        assert page.get_by_text("2개 중 1개만 준비 가능").is_visible()
        assert page.get_by_label("대체 상품 (같은 분류, 공급가 같거나 높음, 수량 넉넉)").is_visible()
        assert axe_serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir() / "staff-picking-cycle-phone.png"), full_page=True)


def test_the_staff_picking_pages_have_no_serious_accessibility_violations(site, page, municipality):
    admin = UserFactory(email="admin@hadong.example.kr", name="김하늘")
    MembershipFactory(municipality=municipality, user=admin, role="admin")
    log_in(page, site, admin.email, PASSWORD)
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(viewport)
        page.goto(site + reverse("delivery:staff-picking", kwargs={"municipality_slug": municipality.slug}))
        assert axe_serious_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
