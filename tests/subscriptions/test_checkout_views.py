"""The checkout pages: the form, the live price summary, saving the card through localstripe, and what is
(not) kept when checkout fails."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from bundles.models import Bundle
from bundles.services import plan_set
from subscriptions.gateways.base import SetupSession
from subscriptions.models import (
    Address,
    PaymentMethod,
    PromoCode,
    PromoRedemption,
    ShippingSupportCampaign,
    Subscriber,
    Subscription,
    SubscriptionEvent,
)
from tests.accounts.factories import PASSWORD, UserFactory
from tests.subscriptions.helpers import confirm_card_like_stripe_js, published_bundle, seoul

pytestmark = pytest.mark.django_db

# A Friday: the next monthly box ships Thursday 10 December, changes close Monday 7 December at 0:00.
FRIDAY = seoul(2026, 12, 4, 10, 0)


@pytest.fixture(autouse=True)
def _friday():
    with time_machine.travel(FRIDAY, tick=True):
        yield


@pytest.fixture
def buyer():
    return UserFactory(email="buyer@example.kr", name="김하동", phone="010-2345-6789")


def tenant_url(name: str, municipality, **kwargs) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def log_in(client, user) -> None:
    """Through the login view, as a person does: the session (and the remembered ?src=) survives."""
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def setup_session(client, municipality) -> SetupSession:
    response = client.post(tenant_url("card-setup", municipality))
    assert response.status_code == 200
    secret = response.json()["client_secret"]
    return SetupSession(setup_id=secret.split("_secret_")[0], client_secret=secret)


def confirmed_setup_id(client, municipality, gateway) -> str:
    session = setup_session(client, municipality)
    confirm_card_like_stripe_js(gateway, session)
    return session.setup_id


def form_data(plan, **overrides) -> dict:
    return {
        "plan": str(plan.pk),
        "term": "1",
        "address_choice": "new",
        "recipient": "김하동",
        "recipient_phone": "010 2345 6789",
        "postcode": "52302",
        "road_address": "경상남도 하동군 하동읍 군청로 23",
        "jibun_address": "",
        "detail": "101동 202호",
        "memo": "문 앞에 놓아 주세요",
        "make_default": "on",
        "name": "김하동",
        "phone": "010-2345-6789",
        "card_choice": "new",
        "setup_id": "",
        "promo_code": "",
        "consent": "on",
        **overrides,
    }


def make_promo(municipality, **fields) -> PromoCode:
    defaults = {
        "code": "HADONG5000",
        "kind": "fixed",
        "amount": 5_000,
        "boxes": 2,
        "valid_from": FRIDAY - timedelta(days=1),
        "valid_until": FRIDAY + timedelta(days=30),
    }
    return PromoCode.objects.create(municipality=municipality, **{**defaults, **fields})


def test_checkout_page_shows_korean_prices_and_the_first_box(client, municipality, bundle, buyer):
    # given
    client.force_login(buyer)
    # when
    response = client.get(tenant_url("checkout", municipality, bundle_slug=bundle.slug) + "?cadence=monthly")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{bundle.name} 구독하기" in html
    assert "첫 배송" in html and "12월 10일(목) 발송 · 12월 7일(월) 0시까지 변경 가능" in html
    assert "39,000원" in html and "3,000원" in html and "42,000원" in html
    assert "12월 7일(월) 2시 결제" in html
    assert "3회분 선결제" in html and "3% 할인" in html and "12회분 선결제" in html and "8% 할인" in html
    assert "정기구독에 동의합니다" in html and "매 회차 발송 전" in html
    assert 'id="card-element"' in html
    assert 'name="setup_id"' in html
    assert 'aria-live="polite"' in html
    # the browser gets the publishable key and Stripe.js, never the secret key
    assert 'data-stripe-key="pk_test_kkureomi_demo"' in html
    assert "sk_test" not in html


def test_anonymous_visitor_is_sent_to_login_keeping_the_way_back(client, municipality, bundle):
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    response = client.get(checkout + "?src=kiosk-3")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert "kiosk-3" in response["Location"]
    # the login page links to signup with the same next
    login_page = client.get(response["Location"]).content.decode()
    assert reverse("accounts:signup") + "?next=" in login_page


def test_checkout_with_a_card_confirmed_through_localstripe_creates_the_subscription(
    client, municipality, bundle, buyer, stripe_gateway
):
    # given: a visitor from kiosk 3 who logs in on the way to checkout
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    client.get(checkout + "?src=kiosk-3")
    log_in(client, buyer)
    assert client.get(checkout).status_code == 200
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    plan = bundle.plans.get(cadence="monthly")
    # when
    response = client.post(checkout, form_data(plan, setup_id=setup_id), follow=True)
    # then
    subscription = Subscription.objects.get()
    assert response.redirect_chain == [(tenant_url("my-detail", municipality, subscription_id=subscription.pk), 302)]
    assert (subscription.plan, subscription.term_boxes, subscription.source) == (plan, 1, "kiosk-3")
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.first_cycle.ship_date == date(2026, 12, 10)
    assert subscription.subscriber.user == buyer
    assert (subscription.subscriber.name, subscription.subscriber.phone) == ("김하동", "010-2345-6789")
    assert subscription.address.road_address == "경상남도 하동군 하동읍 군청로 23"
    assert (subscription.address.phone, subscription.address.is_default) == ("010-2345-6789", True)
    card = subscription.payment_method
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2031)
    assert subscription.consent_text.startswith(f"{bundle.name} (매월) 정기구독에 동의합니다.")
    assert list(SubscriptionEvent.objects.values_list("kind", flat=True)) == ["created"]
    assert "구독을 시작했습니다. 첫 상자는 12월 10일(목)에 발송하고, 12월 7일(월) 0시까지 바꿀 수 있습니다." in (
        response.content.decode()
    )
    # the remembered source is used once
    assert client.session.get("checkout_sources", {}) == {}


def test_source_keeps_only_safe_characters(client, municipality, bundle, buyer, stripe_gateway):
    # given
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    log_in(client, buyer)
    client.get(checkout + "?src=" + "camp<script>_2026 spring!" + "x" * 80)
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    # when
    client.post(checkout, form_data(bundle.plans.get(cadence="weekly"), setup_id=setup_id))
    # then
    source = Subscription.objects.get().source
    assert source == ("campscript_2026spring" + "x" * 80)[:60]


def test_saved_address_and_card_are_offered_and_can_be_reused(client, municipality, bundle, buyer, stripe_gateway):
    # given: a first subscription made the usual way
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    client.force_login(buyer)
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    client.post(checkout, form_data(bundle.plans.get(cadence="monthly"), setup_id=setup_id))
    address, card = Address.objects.get(), PaymentMethod.objects.get()
    # when: a second subscription chooses both from the saved ones
    page = client.get(checkout).content.decode()
    response = client.post(
        checkout,
        form_data(
            bundle.plans.get(cadence="weekly"),
            address_choice=str(address.pk),
            card_choice=str(card.pk),
            recipient="",
            postcode="",
            road_address="",
        ),
    )
    # then
    assert "VISA •••• 4242 (12/31)" in page and "경상남도 하동군 하동읍 군청로 23" in page
    assert response.status_code == 302
    assert Subscription.objects.count() == 2
    assert (Address.objects.count(), PaymentMethod.objects.count()) == (1, 1)


def test_validation_errors_keep_nothing(client, municipality, bundle, buyer):
    # given
    client.force_login(buyer)
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    data = form_data(bundle.plans.get(cadence="monthly"), postcode="5230", consent="", phone="02-123")
    # when
    response = client.post(checkout, data)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "우편번호는 숫자 5자리입니다." in html
    assert "정기결제에 동의해야 구독할 수 있습니다." in html
    assert "휴대전화 번호 형식이 올바르지 않습니다." in html
    assert "카드 정보를 입력해 주세요." in html
    assert (Subscription.objects.count(), Address.objects.count(), PaymentMethod.objects.count()) == (0, 0, 0)
    assert Subscriber.objects.count() == 0


def test_a_term_the_plan_does_not_offer_is_refused(client, municipality, buyer, stripe_gateway):
    # given: a plan without prepay discounts beside one with them
    bundle = published_bundle(municipality, cadences=("weekly",))
    plan_set(bundle=bundle, cadence="monthly", acting_user=None, price_won=45_000, shipping_fee_won=0)
    client.force_login(buyer)
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    # when
    response = client.post(checkout, form_data(bundle.plans.get(cadence="monthly"), term="3", setup_id=setup_id))
    # then
    assert response.status_code == 200
    assert "매월 배송에서는 3회분 선결제를 고를 수 없습니다." in response.content.decode()
    assert Subscription.objects.count() == 0


def test_a_promo_without_uses_left_is_refused_and_nothing_is_taken(client, municipality, bundle, buyer, stripe_gateway):
    # given: a code whose only use is gone
    promo = make_promo(municipality, max_uses=1, uses_count=1)
    client.force_login(buyer)
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    # when
    response = client.post(
        checkout, form_data(bundle.plans.get(cadence="monthly"), setup_id=setup_id, promo_code="hadong5000")
    )
    # then: the error is shown, no subscription and no use; the card stays saved and is offered again
    assert response.status_code == 200
    html = response.content.decode()
    assert "선착순 사용이 모두 끝난 프로모션 코드입니다." in html
    assert Subscription.objects.count() == 0
    assert PromoRedemption.objects.count() == 0
    promo.refresh_from_db()
    assert promo.uses_count == 1
    card = PaymentMethod.objects.get()
    assert f'value="{card.pk}"' in html and "VISA •••• 4242 (12/31)" in html
    assert 'name="setup_id" value="seti_' not in html


def test_a_valid_promo_is_redeemed_with_the_subscription(client, municipality, bundle, buyer, stripe_gateway):
    promo = make_promo(municipality, max_uses=10)
    client.force_login(buyer)
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    response = client.post(
        checkout, form_data(bundle.plans.get(cadence="monthly"), term="3", setup_id=setup_id, promo_code=" hadong5000 ")
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.promo_code, subscription.promo_boxes_remaining, subscription.term_boxes) == (promo, 2, 3)
    promo.refresh_from_db()
    assert promo.uses_count == 1


def test_a_setup_never_confirmed_is_refused_without_saving_anything(
    client, municipality, bundle, buyer, stripe_gateway
):
    client.force_login(buyer)
    session = setup_session(client, municipality)  # the browser never confirmed it
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    response = client.post(checkout, form_data(bundle.plans.get(cadence="monthly"), setup_id=session.setup_id))
    assert response.status_code == 200
    assert "카드를 등록하지 못했습니다." in response.content.decode()
    assert (Subscription.objects.count(), PaymentMethod.objects.count(), Address.objects.count()) == (0, 0, 0)


def test_quote_shows_every_part_of_the_price(client, municipality, bundle, buyer):
    # given: a 3-box prepaid term, a 5,000 won promo for the first 2 boxes and a shipping-support campaign
    make_promo(municipality)
    ShippingSupportCampaign.objects.create(
        municipality=municipality,
        name="하동 배송비 지원",
        budget_won=1_000_000,
        per_box_cap_won=3_000,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    client.force_login(buyer)
    plan = bundle.plans.get(cadence="monthly")
    # when
    response = client.get(
        tenant_url("checkout-quote", municipality, bundle_slug=bundle.slug),
        {"plan": plan.pk, "term": 3, "promo_code": "hadong5000"},
    )
    # then: 39,000 - 1,170 (3 %) - 5,000 (promo) + 3,000 shipping - 3,000 support = 32,830 for boxes 1-2,
    # 37,830 for box 3: the first charge is 103,490; each later 3-box charge 113,490
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "39,000원",
        "선결제 할인 (3회분, 3%)",
        "-1,170원",
        "프로모션 할인 (HADONG5000)",
        "-5,000원",
        "첫 2회 적용",
        "배송비 지원",
        "-3,000원",
        "32,830원",
        "첫 결제 (3회분)",
        "103,490원",
        "113,490원",
        "12월 7일(월) 2시 결제",
        "12월 10일(목) 발송 · 12월 7일(월) 0시까지 변경 가능",
        "3회분씩 선결제로",
        'hx-swap-oob="true"',
    ]:
        assert text in html, text


def test_quote_says_why_a_promo_cannot_be_used(client, municipality, bundle, buyer):
    client.force_login(buyer)
    response = client.get(
        tenant_url("checkout-quote", municipality, bundle_slug=bundle.slug),
        {"plan": bundle.plans.get(cadence="weekly").pk, "term": 1, "promo_code": "NOPE"},
    )
    html = response.content.decode()
    assert "사용할 수 없는 프로모션 코드입니다." in html
    assert "프로모션 할인 (" not in html
    assert "42,000원" in html


def test_card_setup_gives_only_a_client_secret(client, municipality, buyer, stripe_gateway):
    client.force_login(buyer)
    response = client.post(tenant_url("card-setup", municipality), {"name": "김하동", "phone": "010-2345-6789"})
    assert response.status_code == 200
    assert list(response.json()) == ["client_secret"]
    assert response.json()["client_secret"].startswith("seti_")
    subscriber = Subscriber.objects.get()
    assert (subscriber.user, subscriber.phone) == (buyer, "010-2345-6789")
    assert subscriber.gateway_customer_id.startswith("cus_")


def test_card_setup_is_post_only_and_for_signed_in_users(client, municipality, buyer):
    assert client.post(tenant_url("card-setup", municipality)).status_code == 401
    client.force_login(buyer)
    assert client.get(tenant_url("card-setup", municipality)).status_code == 405
    assert Subscriber.objects.count() == 0


def test_a_draft_bundle_has_no_checkout(client, municipality, bundle, buyer):
    Bundle.objects.filter(pk=bundle.pk).update(status=Bundle.Status.DRAFT)
    client.force_login(buyer)
    assert client.get(tenant_url("checkout", municipality, bundle_slug=bundle.slug)).status_code == 404
    assert client.get(tenant_url("checkout-quote", municipality, bundle_slug=bundle.slug)).status_code == 404


def test_another_municipalitys_bundle_is_404(client, municipality, other_municipality, buyer):
    others = published_bundle(other_municipality)
    client.force_login(buyer)
    checkout = tenant_url("checkout", municipality, bundle_slug=others.slug)
    assert client.get(checkout).status_code == 404
    assert client.post(checkout, form_data(others.plans.get(cadence="monthly"))).status_code == 404
    assert client.get(tenant_url("checkout-quote", municipality, bundle_slug=others.slug)).status_code == 404
    assert Subscriber.objects.count() == 0


def test_submitting_the_same_checkout_page_twice_makes_one_subscription(
    client, municipality, bundle, buyer, stripe_gateway
):
    # given: the page's token, and a card confirmed once
    checkout = tenant_url("checkout", municipality, bundle_slug=bundle.slug)
    log_in(client, buyer)
    token = client.get(checkout).context["form"]["checkout_token"].value()
    setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
    plan = bundle.plans.get(cadence="monthly")
    data = form_data(plan, setup_id=setup_id, checkout_token=str(token))
    # when: the button is pressed twice
    first = client.post(checkout, data)
    second = client.post(checkout, data)
    # then: one subscription and one address, and both answers lead to it
    subscription = Subscription.objects.get()
    assert subscription.subscriber.addresses.count() == 1
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == tenant_url("my-detail", municipality, subscription_id=subscription.pk)
