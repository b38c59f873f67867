"""On a 360 px phone: a subscriber shows a coupon's QR code from the wallet; the venue opens the coupon's
URL (what its camera does with the QR code), sees the masked name and presses the one big button."""

import pytest
from django.utils import timezone

from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.tourism.factories import OfferFactory, PartnerFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.models import Coupon
from tourism.qr import coupon_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:  # noqa: F811
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_wallet_qr_and_redeem_at_the_counter_on_a_phone(site, page, municipality, settings):  # noqa: F811
    # given
    settings.SITE_URL = site
    partner = PartnerFactory(municipality=municipality, name="평사리 최참판댁 한옥마을")
    offer = OfferFactory(partner=partner, title="한옥마을 입장권 1매", terms="1인 1매, 매표소에서 QR 제시")
    holder = UserFactory(name="홍길동")
    coupon = issued_coupon(offer, holder=holder, now=timezone.now() - timezone.timedelta(hours=1))
    venue = partner_user(partner, name="박직원")
    page.set_viewport_size(PHONE)
    shots = artifacts_dir()

    # when: the subscriber opens the wallet
    log_in(page, site, holder.email, PASSWORD)
    page.goto(f"{site}/{municipality.slug}/my/coupons/")
    # then: one big QR code, the code, the terms, and nothing wider than the phone
    qr = page.get_by_role("img", name="한옥마을 입장권 1매 쿠폰 QR 코드")
    assert qr.bounding_box()["width"] >= 260
    assert coupon.display_code in page.locator(".coupon-code").inner_text()
    assert no_sideways_scroll(page)
    wallet_violations = axe_serious_violations(page)
    page.screenshot(path=str(shots / "tourism-wallet-360.png"), full_page=True)

    # when: the venue's phone opens the coupon URL and presses the button
    page.context.clear_cookies()
    log_in(page, site, venue.email, PASSWORD)
    page.goto(coupon_url(coupon, municipality_slug=municipality.slug))
    assert "홍*동" in page.locator(".coupon-facts").inner_text()
    assert no_sideways_scroll(page)
    redeem_violations = axe_serious_violations(page)
    page.screenshot(path=str(shots / "tourism-redeem-360.png"), full_page=True)
    page.get_by_role("button", name="사용 처리").click()
    page.wait_for_load_state()

    # then
    assert "사용 처리했습니다" in page.locator(".redeem-result").inner_text()
    coupon.refresh_from_db()
    assert coupon.redeemed_by == venue and coupon.status == Coupon.Status.REDEEMED
    assert wallet_violations == [] and redeem_violations == []
