import pytest
from django.urls import reverse

from delivery.models import Shipment
from municipalities.models import Role
from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.delivery.helpers import shipped_cycle
from tests.municipalities.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_logistics_officer_on_a_phone_packs_boxes_and_opens_every_logistics_page(
    site, page, municipality, stripe_gateway
):
    # given: a cycle of two boxes, one frozen, and a logistics officer
    cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    Shipment.objects.filter(order=orders[1]).update(storage_class="frozen")
    officer = UserFactory(email="logistics@hadong.example.kr", name="박물류")
    MembershipFactory(municipality=municipality, user=officer, role=Role.LOGISTICS)
    tenant = {"municipality_slug": municipality.slug}
    box = Shipment.objects.get(order=orders[0])
    pages = [
        reverse("delivery:staff-cycles", kwargs=tenant),
        reverse("delivery:staff-cycle", kwargs={**tenant, "cycle_id": cycle.pk}),
        reverse("delivery:staff-shipment", kwargs={**tenant, "shipment_id": box.pk}),
        reverse("delivery:staff-packing", kwargs={**tenant, "cycle_id": cycle.pk}),
        reverse("delivery:staff-picks", kwargs={**tenant, "cycle_id": cycle.pk}),
        reverse("delivery:staff-slips", kwargs={**tenant, "cycle_id": cycle.pk}),
        reverse("delivery:staff-tracking", kwargs=tenant),
    ]
    page.set_viewport_size(PHONE)
    log_in(page, site, officer.email, PASSWORD)
    # when: the officer finds the cycle from the navigation, ticks the first box and marks it packed
    page.goto(site + reverse("municipalities:staff-home", kwargs=tenant))
    page.locator("nav[aria-label='관리자 메뉴']").get_by_role("link", name="배송", exact=True).click()
    page.get_by_role("link", name=cycle.ship_date.strftime("%Y-%m-%d")).click()
    # KRDS draws the box on the label, which takes the tap
    page.locator(f'label[for="pick-{box.pk}"]').click()
    assert page.get_by_label(f"주문 #{box.order_id} 선택").is_checked()
    page.get_by_role("button", name="포장 완료로").click()
    page.wait_for_load_state()
    # then
    assert "1상자를 포장 완료로 바꿨습니다." in page.content()
    box.refresh_from_db()
    assert box.status == "packed"
    # the frozen box is flagged in words, not by colour alone
    assert page.locator("td .cold-badge").inner_text().strip().startswith("냉동")
    page.screenshot(path=str(artifacts_dir() / "delivery-cycle-phone.png"), full_page=True)
    found = {}
    for path in pages:
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        found[path] = axe_serious_violations(page)
    assert found == {path: [] for path in pages}
