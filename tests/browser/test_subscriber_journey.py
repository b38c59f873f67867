"""A subscriber on a phone (360 px): sign up from a kiosk link, subscribe with a test card typed into
Stripe.js (localstripe's stand-in), then skip, pause, resume and cancel — all without calling anyone."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from subscriptions.models import Subscription, SubscriptionEvent
from tests.accounts.factories import PASSWORD as FACTORY_PASSWORD
from tests.accounts.factories import UserFactory
from tests.browser.harness import PHONE, artifacts_dir, axe_serious_violations, log_in
from tests.subscriptions.helpers import published_bundle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "hadong-green-tea-2026"


@pytest.fixture
def stripe_in_browser(settings, localstripe_url):
    """The live server and the browser both talk to localstripe: the API and its stand-in Stripe.js."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_JS_URL = localstripe_url + "/js.stripe.com/v3/"
    return localstripe_url


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_subscribe_on_a_phone_then_skip_pause_resume_and_cancel(site, page, municipality, stripe_in_browser):
    # given: a published bundle and a visitor who scanned kiosk 3's QR code
    bundle = published_bundle(municipality)
    tenant = {"municipality_slug": municipality.slug}
    checkout = reverse("subscriptions:checkout", kwargs={**tenant, "bundle_slug": bundle.slug})
    page.set_viewport_size(PHONE)
    shots = artifacts_dir()
    violations: dict[str, list] = {}

    # when: they open the checkout, are asked to log in, and sign up instead
    page.goto(f"{site}{checkout}?src=kiosk-3")
    assert "/accounts/login/" in page.url
    page.get_by_role("link", name="회원가입").last.click()
    page.get_by_label("이메일").fill("visitor@example.kr")
    page.get_by_label(re.compile(r"^이름")).fill("정하동")
    page.get_by_label("휴대전화 (선택)").fill("010-3456-7890")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_text("이용약관과 개인정보 수집·이용에 동의합니다.").click()
    page.get_by_role("button", name="가입하기").click()
    page.wait_for_url(re.compile(re.escape(checkout)))

    # then: the checkout form, with the first box and the price in Korean
    assert page.get_by_role("heading", level=1).inner_text().strip() == f"{bundle.name} 구독하기"
    assert "첫 배송" in page.locator("#quote-summary").inner_text()
    violations["checkout"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)

    # when: they choose monthly boxes; the summary follows (htmx)
    page.get_by_text("매월", exact=True).click()
    page.wait_for_function("document.querySelector('#quote-summary').innerText.includes('꾸러미 가격 (매월 1회)')")
    assert "42,000원" in page.locator("#quote-summary").inner_text()
    # an address, their card typed into the card Element, and consent
    page.get_by_label("우편번호").fill("52302")
    page.get_by_label("도로명 주소").fill("경상남도 하동군 하동읍 군청로 23")
    page.get_by_label("상세 주소").fill("101동 202호")
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("31")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("52302")
    page.get_by_text("위 정기결제 내용을 확인했으며 동의합니다.").click()
    page.screenshot(path=str(shots / "subscriber-checkout-phone.png"), full_page=True)
    page.get_by_role("button", name="구독 시작하기").click()

    # then: they land on their subscription's page
    page.wait_for_url(re.compile(r"/my/\d+/$"))
    subscription = Subscription.objects.get()
    assert page.get_by_role("heading", level=1).inner_text().strip() == bundle.name
    assert "구독을 시작했습니다." in page.get_by_role("status").first.inner_text()
    assert (subscription.source, subscription.cadence, subscription.payment_method.last4) == (
        "kiosk-3",
        "monthly",
        "4242",
    )
    violations["detail"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "subscriber-subscription-phone.png"), full_page=True)

    # and 내 구독 lists it with its next box and one-tap buttons
    detail_url = page.url
    page.get_by_role("link", name="내 구독").first.click()
    assert "구독 중" in page.locator(".my-sub").inner_text()
    expect(page.get_by_role("button", name=re.compile("다음 상자 건너뛰기"))).to_be_visible()
    violations["my-list (active)"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "subscriber-my-list-active-phone.png"), full_page=True)
    page.goto(detail_url)

    # when: they skip the next box
    page.get_by_role("button", name=re.compile("이 상자 건너뛰기")).first.click()
    page.wait_for_load_state()
    assert "배송분을 건너뜁니다." in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("button", name=re.compile("건너뛰기 취소")).count() == 1
    page.screenshot(path=str(shots / "subscriber-skipped-phone.png"), full_page=True)

    # and pause until they resume
    page.get_by_role("button", name="일시정지", exact=True).click()
    page.wait_for_load_state()
    assert "다시 시작할 때까지 배송을 쉽니다." in page.get_by_role("status").first.inner_text()
    page.screenshot(path=str(shots / "subscriber-paused-phone.png"), full_page=True)

    # and resume
    page.get_by_role("button", name="다시 시작", exact=True).click()
    page.wait_for_load_state()
    assert "구독을 다시 시작했습니다." in page.get_by_role("status").first.inner_text()

    # the change pages work on the phone too
    for name in ("my-change-plan", "my-change-address", "my-change-card"):
        page.goto(site + reverse(f"subscriptions:{name}", kwargs={**tenant, "subscription_id": subscription.pk}))
        violations[name] = axe_serious_violations(page)
        assert no_sideways_scroll(page), name
        page.screenshot(path=str(shots / f"subscriber-{name}-phone.png"), full_page=True)
    page.goto(detail_url)

    # and cancel, with a reason, after being offered a skip or a pause
    page.get_by_role("link", name="구독 해지하기").click()
    expect(page.get_by_role("heading", name="해지 대신 이렇게 해 보시겠어요?")).to_be_visible()
    violations["cancel"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.get_by_text("양이 너무 많아요").click()
    page.get_by_label("더 하고 싶은 말씀 (선택)").fill("혼자 먹기엔 많아요")
    page.screenshot(path=str(shots / "subscriber-cancel-phone.png"), full_page=True)
    page.get_by_role("button", name="구독 해지하기").click()
    page.wait_for_url(re.compile(r"/my/\d+/$"))
    assert "구독을 해지했습니다." in page.get_by_role("status").first.inner_text()

    # then: 내 구독 lists it as canceled, with a way back
    page.goto(site + reverse("subscriptions:my-list", kwargs=tenant))
    assert "해지" in page.locator(".my-sub").inner_text()
    expect(page.get_by_role("button", name=re.compile("다시 구독하기"))).to_be_visible()
    violations["my-list (canceled)"] = axe_serious_violations(page)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(shots / "subscriber-my-list-phone.png"), full_page=True)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancel_reason, subscription.cancel_note) == (
        "canceled",
        "too_much",
        "혼자 먹기엔 많아요",
    )
    kinds = list(
        SubscriptionEvent.objects.filter(subscription=subscription).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["created", "skipped", "paused", "resumed", "canceled"]
    assert {name: found for name, found in violations.items() if found} == {}


def test_the_price_summary_follows_plan_term_and_promo_through_htmx(site, page, municipality, settings):
    """With the real Stripe.js htmx re-renders the summary (localstripe's stand-in shadows the DOM's
    `Element` and disables htmx, so checkout.js does that request itself; the journey above covers it)."""
    # given: no Stripe.js at all (a missing script), so the page runs htmx as it does with the real one
    settings.STRIPE_JS_URL = site + "/static/js/missing-stripe.js"
    bundle = published_bundle(municipality)
    user = UserFactory(email="htmx@example.kr")
    page.set_viewport_size(PHONE)
    log_in(page, site, user.email, FACTORY_PASSWORD)
    checkout = reverse(
        "subscriptions:checkout", kwargs={"municipality_slug": municipality.slug, "bundle_slug": bundle.slug}
    )
    page.goto(site + checkout)
    summary = page.locator("#quote-summary")
    assert page.evaluate("document.body instanceof Element")
    # the card cannot be typed without Stripe.js, and the page says so
    assert "카드 입력란을 불러오지 못했습니다" in page.locator("#card-errors").inner_text()
    # when: monthly, a 3-box prepaid term, then a code that does not exist
    with page.expect_response(re.compile(r"/quote/\?")):
        page.get_by_text("매월", exact=True).click()
    with page.expect_response(re.compile(r"/quote/\?")):
        page.get_by_text("3회분 선결제").click()
    page.get_by_label("프로모션 코드 (선택)").fill("NOPE")
    with page.expect_response(re.compile(r"/quote/\?.*promo_code=NOPE")):
        page.get_by_role("button", name="코드 적용").click()
    # then: every part follows, and the consent text follows the term
    page.wait_for_function("document.querySelector('#quote-summary').innerText.includes('사용할 수 없는')")
    text = summary.inner_text()
    assert "꾸러미 가격 (매월 1회)" in text and "선결제 할인 (3회분, 3%)" in text
    assert "첫 결제 (3회분)" in text and text.count("122,490원") == 2  # 3 × (39,000 − 1,170 + 3,000)
    assert "3회분씩 선결제로" in page.locator("#consent-text").inner_text()
    assert axe_serious_violations(page) == []
