"""The notification pages in a real browser: a subscriber on a phone, a curator at a desk (masked)."""

import pytest
from django.urls import reverse

from notifications.models import NotificationPreference
from notifications.services import notify
from tests.accounts.factories import PASSWORD, UserFactory

# The browser harness's fixtures, used here as in tests/browser.
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.municipalities.factories import MembershipFactory
from tests.notifications.helpers import recipient_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _delivered(municipality, person) -> None:
    notify(
        municipality=municipality,
        recipient=recipient_for(person),
        kind="delivered",
        event_key="shipment-1-delivered",
        context={"bundle": "하동 녹차 꾸러미"},
        link="https://kkureomi.kr/hadong/rate/1/",
    )


def test_subscriber_chooses_channels_on_a_phone(site, page, municipality):  # noqa: F811
    # given
    person = UserFactory(name="정하동")
    _delivered(municipality, person)
    page.set_viewport_size(PHONE)
    log_in(page, site, person.email, PASSWORD)
    # when: everything off is refused, then the phone only
    page.goto(f"{site}{reverse('notifications:my', kwargs={'municipality_slug': municipality.slug})}")
    # KRDS draws the box on the label: people click the label, as here
    page.locator("label[for=id_email_enabled]").click()
    page.locator("label[for=id_sms_enabled]").click()
    page.get_by_role("button", name="저장").click()
    assert "알림을 받을 방법을 하나 이상 선택해 주세요." in page.locator("main").inner_text()
    assert page.get_by_label("이메일로 받기").is_checked() is False
    page.locator("label[for=id_sms_enabled]").click()
    page.get_by_role("button", name="저장").click()
    # then
    assert "알림 받을 방법을 저장했습니다." in page.locator("main").inner_text()
    preference = NotificationPreference.objects.get(municipality=municipality, user=person)
    assert (preference.email_enabled, preference.sms_enabled) == (False, True)
    assert page.get_by_label("이메일로 받기").is_checked() is False
    assert "하동 녹차 꾸러미 상자가 도착했습니다" in page.locator("#received-title + *").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(artifacts_dir() / "notifications-my-phone.png"), full_page=True)
    assert axe_serious_violations(page) == []


def test_curator_reads_the_masked_log(site, page, municipality):  # noqa: F811
    # given
    _delivered(municipality, UserFactory(name="홍길동", email="hong.gildong@example.kr", phone="010-1234-5678"))
    curator = MembershipFactory(municipality=municipality, role="curator").user
    log_in(page, site, curator.email, PASSWORD)
    # when
    page.goto(f"{site}{reverse('notifications:staff-messages', kwargs={'municipality_slug': municipality.slug})}")
    page.get_by_label("채널").select_option("sms")
    page.get_by_role("button", name="검색").click()
    # then
    table = page.locator("table").inner_text()
    assert "홍*동" in table and "010-****-5678" in table and "ho**********@example.kr" not in table
    page.screenshot(path=str(artifacts_dir() / "notifications-staff-log.png"), full_page=True)
    assert axe_serious_violations(page) == []
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
