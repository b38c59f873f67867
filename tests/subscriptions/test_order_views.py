"""주문 내역: the subscriber's orders, receipts (page and PDF), a failed payment explained and retried after
changing the card, and the 3-D Secure page — someone else's order and another municipality's are 404."""

import io
import subprocess
from datetime import timedelta

import pytest
import requests
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from subscriptions.billing import charging
from subscriptions.billing.refunds import order_refund
from subscriptions.models import Order, PaymentAttempt, Subscriber
from subscriptions.services import card_save, card_setup_start
from tests.accounts.factories import UserFactory
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, closed_orders, intents_for
from tests.subscriptions.helpers import DECLINING, confirm_card_like_stripe_js
from tests.subscriptions.test_three_d_secure import switch_to_3ds_card

pytestmark = pytest.mark.django_db

AFTER_FAILURE = CHARGE_TIME + timedelta(hours=1)


def url(name: str, order: Order | None = None, municipality=None) -> str:
    slug = (municipality or order.municipality).slug
    if order is None:
        return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": slug})
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": slug, "order_id": order.pk})


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def charge(order: Order, gateway, *, at=CHARGE_TIME) -> Order:
    with time_machine.travel(at, tick=False):
        charging.order_charge(order_id=order.pk, gateway=gateway)
    order.refresh_from_db()
    return order


def state(order: Order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    return (order.status, order.attempts_count, order.next_retry_at, order.refunded_won, len(intents_for(order)))


@pytest.fixture
def paid_order(municipality, stripe_gateway) -> Order:
    """A weekly box paid at the cycle's charge time: ₩42,000 (39,000 + 3,000 shipping)."""
    return charge(closed_order(municipality, stripe_gateway), stripe_gateway)


@pytest.fixture
def failed_order(municipality, stripe_gateway) -> Order:
    return charge(closed_order(municipality, stripe_gateway, number=DECLINING), stripe_gateway)


@pytest.fixture
def owner(client, paid_order):
    client.force_login(paid_order.subscriber.user)
    return paid_order.subscriber.user


# --- Whose order -----------------------------------------------------------------------------------------------
EVERY_VIEW = [
    ("get", "my-order"),
    ("get", "my-order-receipt"),
    ("get", "my-order-authenticate"),
    ("post", "my-order-authenticate"),
    ("post", "my-order-retry"),
]


@pytest.mark.parametrize(("method", "name"), EVERY_VIEW)
def test_someone_elses_order_is_404_and_unchanged(client, failed_order, user, method, name):
    # given: signed in, but not the subscriber
    client.force_login(user)
    before = state(failed_order)
    # when
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = getattr(client, method)(url(name, failed_order))
    # then
    assert response.status_code == 404
    assert state(failed_order) == before


@pytest.mark.parametrize(("method", "name"), EVERY_VIEW)
def test_another_municipalitys_order_is_404_and_unchanged(client, failed_order, other_municipality, method, name):
    # given: the subscriber, on 남해군's pages with their 하동군 order's id
    client.force_login(failed_order.subscriber.user)
    before = state(failed_order)
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = getattr(client, method)(url(name, failed_order, municipality=other_municipality))
    assert response.status_code == 404
    assert state(failed_order) == before


def test_pages_need_a_signed_in_subscriber(client, paid_order):
    response = client.get(url("my-order", paid_order))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(url("my-orders", municipality=paid_order.municipality)).status_code == 302


def test_the_list_shows_only_my_orders(client, municipality, other_municipality, stripe_gateway):
    # given: my paid order and someone else's here, and an order of my own account in another municipality
    mine, someone_elses = closed_orders(municipality, stripe_gateway, 2)
    charge(mine, stripe_gateway)
    owner = mine.subscriber.user
    mine_elsewhere = closed_order(other_municipality, stripe_gateway)
    Subscriber.objects.filter(pk=mine_elsewhere.subscriber_id).update(user=owner)
    client.force_login(owner)
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        response = client.get(url("my-orders", municipality=municipality))
    # then
    rows = response.context["upcoming"] + response.context["past"]
    assert [row["order"].pk for row in rows] == [mine.pk]
    assert rows[0]["status_text"] == "결제 완료" and rows[0]["ship"] == "11월 19일(목)"
    body = response.content.decode()
    assert mine.bundle_name in body and "42,000원" in body and "발송 예정" in body
    assert someone_elses.subscriber.user != owner


def test_my_subscriptions_page_links_to_the_orders(client, paid_order, owner):
    body = client.get(reverse("subscriptions:my-list", kwargs={"municipality_slug": "hadong"})).content.decode()
    assert f'href="{url("my-orders", municipality=paid_order.municipality)}"' in body


# --- Receipts --------------------------------------------------------------------------------------------------
def test_receipt_page_shows_what_was_charged_part_by_part(client, paid_order, owner, stripe_gateway):
    # given: ₩3,000 refunded for a damaged box
    order_refund(order=paid_order, amount_won=3_000, reason="상자 파손", acting_user=None, gateway=stripe_gateway)
    # when
    response = client.get(url("my-order", paid_order))
    # then
    lines = [(line.label, line.amount_won, line.note) for line in response.context["lines"]]
    assert lines == [("꾸러미 가격", 39_000, "39,000원 × 1상자"), ("배송비", 3_000, "")]
    body = response.content.decode()
    assert "42,000원" in body and "VISA •••• 4242" in body and "11월 16일(월) 2시 5분" in body
    assert "상자 파손" in body and "39,000원" in body  # net after the refund
    assert response.context["status_text"] == "결제 완료 · 일부 환불"
    assert url("my-order-receipt", paid_order) in body


def test_receipt_pdf_opens_with_the_total_the_bundle_and_an_embedded_korean_font(client, paid_order, owner, tmp_path):
    # when
    response = client.get(url("my-order-receipt", paid_order))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="receipt-{paid_order.pk}.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "42,000원" in text and paid_order.bundle_name in text and "영수증" in text
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout  # noqa: S607
    pretendard = [line for line in fonts.splitlines() if "Pretendard" in line]
    assert pretendard and all(" yes " in line for line in pretendard)  # emb column


def test_no_receipt_pdf_for_an_unpaid_order(client, failed_order):
    client.force_login(failed_order.subscriber.user)
    assert client.get(url("my-order-receipt", failed_order)).status_code == 404


# --- A failed payment ------------------------------------------------------------------------------------------
def test_failed_order_page_explains_the_decline_in_korean(client, failed_order):
    # given
    client.force_login(failed_order.subscriber.user)
    # when
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = client.get(url("my-order", failed_order))
    # then: why, when it is retried, a link to change the card and a button to pay now
    body = response.content.decode()
    assert "카드사에서 결제를 승인하지 않았습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요." in body
    assert "11월 17일(화) 2시 5분" in body
    change = reverse(
        "subscriptions:my-change-card",
        kwargs={"municipality_slug": "hadong", "subscription_id": failed_order.subscription_id},
    )
    assert f'href="{change}"' in body
    assert url("my-order-retry", failed_order) in body and "지금 다시 결제 (42,000원)" in body
    assert response.context["status_text"] == "결제 실패 · 다시 결제 예정"


def test_retry_after_changing_to_a_good_card_pays_the_order(client, failed_order, stripe_gateway):
    # given: the subscriber saves a good card through the change-card page
    user = failed_order.subscriber.user
    client.force_login(user)
    session = card_setup_start(subscriber=failed_order.subscriber, gateway=stripe_gateway)
    confirm_card_like_stripe_js(stripe_gateway, session, "5555555555554444")
    with time_machine.travel(AFTER_FAILURE, tick=False):
        changed = client.post(
            reverse(
                "subscriptions:my-change-card",
                kwargs={"municipality_slug": "hadong", "subscription_id": failed_order.subscription_id},
            ),
            {"card_choice": "new", "setup_id": session.setup_id},
        )
        assert changed.status_code == 302
        # when
        response = client.post(url("my-order-retry", failed_order))
    # then
    assert response.status_code == 302 and response["Location"] == url("my-order", failed_order)
    assert said(response)[-1] == "42,000원을 결제했습니다. 상자는 11월 19일(목)에 발송합니다."
    failed_order.refresh_from_db()
    assert failed_order.status == "paid"
    assert list(PaymentAttempt.objects.filter(order=failed_order).values_list("status", flat=True)) == [
        "failed",
        "succeeded",
    ]
    assert [intent.status for intent in intents_for(failed_order)].count("succeeded") == 1
    # and the receipt names the card now on file
    page = client.get(url("my-order", failed_order))
    assert "•••• 4444" in page.content.decode()  # localstripe calls every card "visa"


def test_retry_with_the_same_declining_card_says_why_and_when_it_is_retried(client, failed_order):
    client.force_login(failed_order.subscriber.user)
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = client.post(url("my-order-retry", failed_order))
    assert said(response) == [
        "결제되지 않았습니다. 카드사에서 결제를 승인하지 않았습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요. "
        "11월 19일(목) 2시 5분에 자동으로 다시 결제합니다."
    ]
    failed_order.refresh_from_db()
    assert (failed_order.status, failed_order.attempts_count) == ("failed", 2)


def test_retry_of_a_paid_order_charges_nothing(client, paid_order, owner):
    before = state(paid_order)
    response = client.post(url("my-order-retry", paid_order))
    assert said(response) == ["지금 다시 결제할 수 있는 주문이 아닙니다. 주문 상태를 확인해 주세요."]
    assert state(paid_order) == before


def test_retry_is_post_only(client, failed_order):
    client.force_login(failed_order.subscriber.user)
    assert client.get(url("my-order-retry", failed_order)).status_code == 405


# --- 3-D Secure ----------------------------------------------------------------------------------------------
@pytest.fixture
def action_order(municipality, stripe_gateway) -> Order:
    order = closed_order(municipality, stripe_gateway)
    switch_to_3ds_card(order, stripe_gateway)
    order = charge(order, stripe_gateway)
    assert order.status == "requires_action"
    return order


def test_authentication_page_carries_the_client_secret_and_stripe_js(client, action_order, stripe_gateway, settings):
    # given
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"
    client.force_login(action_order.subscriber.user)
    attempt = PaymentAttempt.objects.get(order=action_order)
    secret = stripe_gateway.payment_client_secret(payment_id=attempt.payment_id)
    # when
    with time_machine.travel(AFTER_FAILURE, tick=False):
        detail = client.get(url("my-order", action_order))
        response = client.get(url("my-order-authenticate", action_order))
    # then
    assert "11월 18일(수) 2시 5분" in detail.content.decode()
    body = response.content.decode()
    assert f'data-client-secret="{secret}"' in body
    assert 'src="http://127.0.0.1:8420/js.stripe.com/v3/"' in body and "js/authenticate" in body
    assert "no-store" in response["Cache-Control"]


def test_returning_from_authentication_records_the_payment(client, action_order, stripe_gateway, localstripe_url):
    # given: the subscriber completed the bank's check (what Stripe.js does on the page)
    client.force_login(action_order.subscriber.user)
    attempt = PaymentAttempt.objects.get(order=action_order)
    requests.post(
        f"{localstripe_url}/v1/payment_intents/{attempt.payment_id}/_authenticate",
        data={
            "success": "true",
            "client_secret": stripe_gateway.payment_client_secret(payment_id=attempt.payment_id),
            "key": settings.STRIPE_PUBLISHABLE_KEY,
        },
        timeout=5,
    )
    # when
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = client.post(url("my-order-authenticate", action_order))
    # then
    assert response["Location"] == url("my-order", action_order)
    assert said(response) == ["42,000원을 결제했습니다. 상자는 11월 19일(목)에 발송합니다."]
    action_order.refresh_from_db()
    assert action_order.status == "paid" and PaymentAttempt.objects.filter(order=action_order).count() == 1


def test_returning_without_authenticating_changes_nothing(client, action_order):
    client.force_login(action_order.subscriber.user)
    before = state(action_order)
    with time_machine.travel(AFTER_FAILURE, tick=False):
        response = client.post(url("my-order-authenticate", action_order))
    assert said(response) == ["아직 본인 인증이 끝나지 않았습니다. 인증 기한 전에 다시 인증해 주세요."]
    assert state(action_order) == before


def test_authentication_page_after_the_deadline_sends_back_to_the_order(client, action_order):
    client.force_login(action_order.subscriber.user)
    with time_machine.travel(CHARGE_TIME + timedelta(hours=49), tick=False):
        response = client.get(url("my-order-authenticate", action_order))
    assert response.status_code == 302
    assert said(response) == ["본인 인증 기한이 지났습니다. 정해진 날에 자동으로 다시 결제합니다."]


def test_authentication_page_of_a_paid_order_sends_back_to_the_receipt(client, paid_order, owner):
    response = client.get(url("my-order-authenticate", paid_order))
    assert response.status_code == 302 and response["Location"] == url("my-order", paid_order)


def test_a_second_subscriber_of_the_same_municipality_sees_only_their_orders(client, paid_order, stripe_gateway):
    other = UserFactory()
    client.force_login(other)
    response = client.get(url("my-orders", municipality=paid_order.municipality))
    assert response.context["upcoming"] == [] and response.context["past"] == []
    assert "아직 주문이 없습니다" in response.content.decode()


def test_receipt_names_the_card_that_paid_even_after_a_card_change(client, paid_order, owner, stripe_gateway):
    # given: a new card saved after the payment
    from subscriptions import lifecycle

    paying_card = paid_order.subscription.payment_method
    session = card_setup_start(subscriber=paid_order.subscriber, gateway=stripe_gateway)
    confirm_card_like_stripe_js(stripe_gateway, session, "5555555555554444")
    card = card_save(subscriber=paid_order.subscriber, setup_id=session.setup_id, gateway=stripe_gateway)
    with time_machine.travel(CHARGE_TIME + timedelta(days=1), tick=False):
        lifecycle.subscription_change_card(subscription=paid_order.subscription, payment_method=card, acting_user=None)
    # when
    response = client.get(url("my-order", paid_order))
    # then: the receipt names the card the attempt charged, not the new one
    assert response.context["card"] == paying_card
    assert f"•••• {paying_card.last4}" in response.content.decode()
    assert "4444" not in response.content.decode()
