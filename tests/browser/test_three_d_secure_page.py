"""A card that asks for 3-D Secure at every off-session charge: the subscriber opens the order from 주문
내역 on a phone, completes the authentication on our page through Stripe.js (localstripe's stand-in opens
its "Complete authentication" box), and comes back to a paid order — charged exactly once."""

import re

import pytest
from django.urls import reverse

from subscriptions.billing import charging
from subscriptions.models import Order, PaymentAttempt
from tests.accounts.factories import PASSWORD
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.subscriptions.billing_helpers import closed_order, intents_for
from tests.subscriptions.test_three_d_secure import switch_to_3ds_card

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stripe_in_browser(settings, localstripe_url):
    """The live server and the browser both talk to localstripe: the API and its stand-in Stripe.js."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_JS_URL = localstripe_url + "/js.stripe.com/v3/"
    return localstripe_url


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_subscriber_completes_3d_secure_on_a_phone_and_the_order_is_paid(
    site, page, municipality, stripe_gateway, stripe_in_browser
):
    # given: a weekly box whose card asks for authentication, charged off-session now (deadline in 48 hours)
    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    order.refresh_from_db()
    assert order.status == Order.Status.REQUIRES_ACTION
    tenant = {"municipality_slug": municipality.slug}
    detail = reverse("subscriptions:my-order", kwargs={**tenant, "order_id": order.pk})
    shots = artifacts_dir()
    violations: dict[str, list] = {}
    page.set_viewport_size(PHONE)
    logs: list[str] = []
    page.on("pageerror", lambda error: logs.append(str(error)))

    # when: the subscriber signs in and opens 주문 내역
    log_in(page, site, order.subscriber.user.email, PASSWORD)
    page.goto(site + reverse("subscriptions:my-orders", kwargs=tenant))
    row = page.locator(".order-row", has_text=order.bundle_name)
    assert "본인 인증 필요" in row.inner_text()
    violations["orders"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "orders-3ds-list-phone.png"), full_page=True)
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(re.escape(detail) + "$"))

    # then: the order says what is needed and by when
    assert page.get_by_role("heading", name="카드 본인 인증이 필요합니다").is_visible()
    page.get_by_role("link", name="본인 인증하기").click()
    page.wait_for_url(re.compile(r"/authenticate/$"))
    assert page.get_by_role("heading", level=1).inner_text().strip() == "카드 본인 인증"
    assert "42,000원" in page.locator(".auth-facts").inner_text()
    violations["authenticate"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "orders-3ds-authenticate-phone.png"), full_page=True)

    # when: they start the authentication; the bank's stand-in asks them to confirm
    page.on("dialog", lambda dialog: dialog.accept())  # in case a stand-in uses a native dialog
    page.get_by_role("button", name="본인 인증하기").click()
    complete = page.get_by_role("button", name="Complete authentication")
    complete.wait_for()
    page.screenshot(path=str(shots / "orders-3ds-bank-check-phone.png"), full_page=True)
    complete.click()

    # then: back on the order, paid, with its receipt
    page.wait_for_url(re.compile(re.escape(detail) + "$"))
    assert "42,000원을 결제했습니다." in page.get_by_role("status").first.inner_text()
    assert "결제 완료" in page.locator(".my-title").inner_text()
    assert page.get_by_role("link", name=re.compile("영수증 PDF 열기")).is_visible()
    violations["receipt"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "orders-3ds-paid-phone.png"), full_page=True)

    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert PaymentAttempt.objects.filter(order=order).count() == 1
    assert [intent.status for intent in intents_for(order)] == ["succeeded"]
    assert logs == []
    assert {name: found for name, found in violations.items() if found} == {}
