"""내 구독: each self-service action through its view; someone else's subscription and another
municipality's are 404; refused actions change nothing."""

from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from bundles.models import Bundle
from subscriptions import cycles
from subscriptions.models import (
    Address,
    DeliveryCycle,
    PaymentMethod,
    SkippedCycle,
    Subscription,
    SubscriptionEvent,
)
from subscriptions.services import card_setup_start, subscription_create
from tests.subscriptions.helpers import (
    confirm_card_like_stripe_js,
    published_bundle,
    seoul,
    subscriber_with_card,
)

pytestmark = pytest.mark.django_db

# A Friday: monthly boxes ship 10 Dec, 14 Jan, 11 Feb; weekly ones every Thursday from 10 Dec.
FRIDAY = seoul(2026, 12, 4, 10, 0)


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def sub(clock, municipality, stripe_gateway, bundle) -> Subscription:
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    return subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence="monthly"),
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )


@pytest.fixture
def owner(client, sub):
    client.force_login(sub.subscriber.user)
    return sub.subscriber.user


def url(name: str, sub: Subscription, municipality=None) -> str:
    slug = (municipality or sub.municipality).slug
    if name == "my-list":
        return reverse("subscriptions:my-list", kwargs={"municipality_slug": slug})
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": slug, "subscription_id": sub.pk})


def state(sub: Subscription) -> tuple:
    sub = Subscription.objects.get(pk=sub.pk)
    return (
        sub.status,
        sub.paused_until,
        sub.plan_id,
        sub.cadence,
        sub.address_id,
        sub.payment_method_id,
        sub.canceled_at,
        sub.cancel_reason,
        SkippedCycle.objects.filter(subscription=sub).count(),
        SubscriptionEvent.objects.filter(subscription=sub).count(),
    )


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def cycle_on(municipality, cadence: str, ship_date: date) -> DeliveryCycle:
    return DeliveryCycle.objects.get(municipality=municipality, cadence=cadence, ship_date=ship_date)


# --- Pages ---------------------------------------------------------------------------------------------------
def test_list_shows_each_subscription_with_its_next_box(client, sub, owner):
    response = client.get(url("my-list", sub))
    html = response.content.decode()
    assert response.status_code == 200
    assert sub.bundle.name in html and "구독 중" in html
    assert "12월 10일(목) 발송" in html and "12월 7일(월) 0시까지" in html
    assert "다음 상자 건너뛰기" in html and "일시정지" in html


def test_detail_shows_the_next_three_boxes_and_the_history(client, sub, owner):
    response = client.get(url("my-detail", sub))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "12월 10일(목) 발송",
        "2027년 1월 14일(목) 발송",
        "2027년 2월 11일(목) 발송",
        "회차마다 결제",
        "경상남도 하동군 하동읍 군청로 23",
        "VISA •••• 4242 (12/31)",
        "구독 시작",
        "12월 10일(목) 배송분부터 · 회차마다 결제",
        "본인",
    ]:
        assert text in html, text


def test_a_subscriber_without_subscriptions_sees_where_to_start(client, municipality, user):
    client.force_login(user)
    html = client.get(reverse("subscriptions:my-list", kwargs={"municipality_slug": municipality.slug})).content
    assert "아직 구독한 꾸러미가 없습니다." in html.decode()


def test_pages_need_login(client, sub):
    response = client.get(url("my-detail", sub))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Skip and unskip -------------------------------------------------------------------------------------------
def test_skip_the_next_box(client, sub, owner):
    response = client.post(url("my-skip", sub))
    assert response.status_code == 302 and response["Location"] == url("my-detail", sub)
    skip = SkippedCycle.objects.get(subscription=sub)
    assert skip.cycle.ship_date == date(2026, 12, 10)
    assert said(response) == ["12월 10일(목) 배송분을 건너뜁니다. 이 회차는 결제하지 않습니다."]


def test_skip_a_later_box_then_unskip_it(client, sub, municipality, owner):
    january = cycle_on(municipality, "monthly", date(2027, 1, 14))
    client.post(url("my-skip", sub), {"cycle": january.pk, "next": url("my-list", sub)}, follow=True)
    assert list(SkippedCycle.objects.values_list("cycle__ship_date", flat=True)) == [date(2027, 1, 14)]
    html = client.get(url("my-detail", sub)).content.decode()
    assert "건너뛰기 취소" in html
    response = client.post(url("my-unskip", sub), {"cycle": january.pk, "next": url("my-list", sub)})
    assert response["Location"] == url("my-list", sub)
    assert SkippedCycle.objects.count() == 0
    assert said(response) == ["2027년 1월 14일(목) 배송분을 다시 받습니다."]


def test_skipping_a_box_past_its_cutoff_is_refused_and_changes_nothing(client, sub, municipality, owner, clock):
    december = cycle_on(municipality, "monthly", date(2026, 12, 10))
    clock.move_to(seoul(2026, 12, 8, 9, 0))  # after the 7 December cutoff
    before = state(sub)
    response = client.post(url("my-skip", sub), {"cycle": december.pk})
    assert said(response) == ["변경 마감이 지난 회차는 건너뛸 수 없습니다."]
    assert state(sub) == before


def test_another_municipalitys_cycle_cannot_be_skipped(client, sub, other_municipality, owner):
    cycles.cycles_generate(municipality=other_municipality)
    foreign = DeliveryCycle.objects.filter(municipality=other_municipality, cadence="monthly").first()
    before = state(sub)
    assert client.post(url("my-skip", sub), {"cycle": foreign.pk}).status_code == 404
    assert state(sub) == before


# --- Pause, resume, reactivate ---------------------------------------------------------------------------------
def test_pause_until_resumed_then_resume(client, sub, owner):
    response = client.post(url("my-pause", sub), {"mode": "open"}, follow=True)
    sub.refresh_from_db()
    assert (sub.status, sub.paused_until) == ("paused", None)
    assert "다시 시작할 때까지 배송을 쉽니다. 12월 10일(목) 배송분부터 적용됩니다." in response.content.decode()
    response = client.post(url("my-resume", sub))
    sub.refresh_from_db()
    assert (sub.status, sub.paused_until) == ("active", None)
    assert said(response) == ["구독을 다시 시작했습니다. 12월 10일(목) 배송분부터 적용됩니다."]


def test_pause_until_a_date(client, sub, owner):
    client.post(url("my-pause", sub), {"mode": "date", "until": "2027-01-31"})
    sub.refresh_from_db()
    assert (sub.status, sub.paused_until) == ("paused", date(2027, 1, 31))
    html = client.get(url("my-detail", sub)).content.decode()
    assert "2027년 1월 31일(일)까지 일시정지 중입니다." in html
    assert "일시정지로 쉼" in html


def test_pause_with_a_date_in_the_past_is_refused_and_changes_nothing(client, sub, owner):
    before = state(sub)
    response = client.post(url("my-pause", sub), {"mode": "date", "until": "2026-12-01"})
    assert response.status_code == 400
    assert "일시정지 종료일은 오늘 이후여야 합니다." in response.content.decode()
    assert state(sub) == before


def test_cancel_page_offers_skip_and_pause_first(client, sub, owner):
    html = client.get(url("my-cancel", sub)).content.decode()
    assert html.index("다음 상자만 건너뛰기") < html.index("잠시 쉬기") < html.index("그래도 해지하시겠어요?")
    for label in [
        "가격이 부담돼요",
        "양이 너무 많아요",
        "품질이 기대와 달라요",
        "배송이 불편해요",
        "이사를 가요",
        "기타",
    ]:
        assert label in html


def test_cancel_with_a_reason_then_reactivate(client, sub, owner):
    response = client.post(url("my-cancel", sub), {"reason": "too_much", "note": "혼자 먹기엔 많아요"}, follow=True)
    sub.refresh_from_db()
    assert (sub.status, sub.cancel_reason, sub.cancel_note) == ("canceled", "too_much", "혼자 먹기엔 많아요")
    html = response.content.decode()
    assert "구독을 해지했습니다. 12월 10일(목) 배송분부터 보내지 않습니다." in html
    assert "양이 너무 많아요" in html and "다시 구독하기" in html
    response = client.post(url("my-reactivate", sub))
    sub.refresh_from_db()
    assert sub.status == "active"
    assert said(response) == ["다시 구독합니다. 12월 10일(목) 배송분부터 적용됩니다."]


def test_cancel_without_a_reason_is_refused_and_changes_nothing(client, sub, owner):
    before = state(sub)
    response = client.post(url("my-cancel", sub), {"reason": "", "note": ""})
    assert response.status_code == 400
    assert "해지 사유를 선택해 주세요." in response.content.decode()
    assert state(sub) == before


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("canceled", "my-pause", "'해지' 상태의 구독은 '일시정지'(으)로 바꿀 수 없습니다."),
        ("canceled", "my-skip", "해지된 구독은 바꿀 수 없습니다. 다시 구독하기를 먼저 해 주세요."),
        ("canceled", "my-resume", "일시정지된 구독만 다시 시작할 수 있습니다."),
        ("paused", "my-reactivate", "해지된 구독만 다시 구독할 수 있습니다."),
        ("past_due", "my-pause", "'결제 연체' 상태의 구독은 '일시정지'(으)로 바꿀 수 없습니다."),
    ],
)
def test_refused_actions_say_why_and_change_nothing(client, sub, owner, status, action, message):
    Subscription.objects.filter(pk=sub.pk).update(status=status)
    before = state(sub)
    response = client.post(url(action, sub), {"mode": "open"})
    assert response.status_code == 302
    assert said(response) == [message]
    assert state(sub) == before


@pytest.mark.parametrize("action", ["my-skip", "my-unskip", "my-pause", "my-resume", "my-reactivate"])
def test_actions_are_post_only(client, sub, owner, action):
    assert client.get(url(action, sub)).status_code == 405


# --- Changes from a cycle --------------------------------------------------------------------------------------
def test_change_plan_to_another_bundle_and_cadence(client, sub, municipality, owner):
    other = published_bundle(municipality, price_won=29_000, cadences=("biweekly",))
    plan = other.plans.get()
    page = client.get(url("my-change-plan", sub)).content.decode()
    assert f'<optgroup label="{other.name}">' in page and "격주 · 1회 29,000원" in page
    response = client.post(url("my-change-plan", sub), {"plan": plan.pk})
    sub.refresh_from_db()
    assert (sub.plan, sub.bundle, sub.cadence) == (plan, other, "biweekly")
    assert said(response) == [f"{other.name} · 격주 배송으로 바꿨습니다. 12월 17일(목) 배송분부터 적용됩니다."]
    assert SubscriptionEvent.objects.filter(subscription=sub, kind="plan_changed").count() == 1


def test_change_plan_refuses_a_draft_bundle(client, sub, municipality, owner):
    draft = published_bundle(municipality)
    Bundle.objects.filter(pk=draft.pk).update(status=Bundle.Status.DRAFT)
    before = state(sub)
    response = client.post(url("my-change-plan", sub), {"plan": draft.plans.first().pk})
    assert response.status_code == 400
    assert "꾸러미와 배송 주기를 다시 골라 주세요." in response.content.decode()
    assert state(sub) == before


def test_change_plan_while_prepaid_boxes_remain_is_refused(client, sub, municipality, owner):
    Subscription.objects.filter(pk=sub.pk).update(term_boxes=3, prepaid_boxes_remaining=2)
    before = state(sub)
    response = client.post(url("my-change-plan", sub), {"plan": sub.bundle.plans.get(cadence="weekly").pk})
    assert response.status_code == 400
    assert "선결제한 회차가 남아 있는 동안에는 꾸러미나 주기를 바꿀 수 없습니다." in response.content.decode()
    assert state(sub) == before


def test_change_address_to_a_new_one(client, sub, owner):
    response = client.post(
        url("my-change-address", sub),
        {
            "address_choice": "new",
            "recipient": "박민지",
            "recipient_phone": "01098765432",
            "postcode": "52305",
            "road_address": "경상남도 하동군 악양면 평사리길 10",
            "detail": "",
            "memo": "",
        },
    )
    sub.refresh_from_db()
    assert (sub.address.recipient, sub.address.phone, sub.address.postcode) == ("박민지", "010-9876-5432", "52305")
    assert said(response) == ["배송지를 바꿨습니다. 12월 10일(목) 배송분부터 적용됩니다."]


def test_a_change_after_the_cutoff_says_it_misses_this_cycle(client, clock, municipality, stripe_gateway):
    # given: a weekly subscription; it is Monday 7 December 09:00, after the cutoff of the 10 December box
    bundle = published_bundle(municipality, cadences=("weekly",))
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    sub = subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(),
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )
    client.force_login(subscriber.user)
    clock.move_to(seoul(2026, 12, 7, 9, 0))
    # when
    response = client.post(
        url("my-change-address", sub),
        {
            "address_choice": "new",
            "recipient": "박민지",
            "recipient_phone": "010-9876-5432",
            "postcode": "52305",
            "road_address": "경상남도 하동군 악양면 평사리길 10",
        },
    )
    # then
    assert said(response) == [
        "배송지를 바꿨습니다. 12월 17일(목) 배송분부터 적용됩니다. "
        "이번 회차(12월 10일(목) 발송)는 변경 마감(12월 7일(월) 0시)이 지나 다음 회차부터 적용됩니다."
    ]
    event = SubscriptionEvent.objects.get(subscription=sub, kind="address_changed")
    assert event.effective_cycle.ship_date == date(2026, 12, 17)
    detail = client.get(url("my-detail", sub)).content.decode()
    assert "12월 10일(목)에 발송하는 이번 회차는 변경 마감(12월 7일(월) 0시)이 지나 바꿀 수 없습니다." in detail


def test_change_address_refuses_someone_elses_address(client, sub, municipality, stripe_gateway, owner):
    _other, others_address, _card = subscriber_with_card(municipality, stripe_gateway)
    before = state(sub)
    response = client.post(url("my-change-address", sub), {"address_choice": str(others_address.pk)})
    assert response.status_code == 400
    assert "배송지를 다시 선택해 주세요." in response.content.decode()
    assert state(sub) == before


def test_change_card_to_a_new_card_saved_through_localstripe(client, sub, stripe_gateway, owner):
    page = client.get(url("my-change-card", sub)).content.decode()
    assert 'id="card-element"' in page
    session = card_setup_start(subscriber=sub.subscriber, gateway=stripe_gateway)
    confirm_card_like_stripe_js(stripe_gateway, session, number="5555555555554444")
    response = client.post(url("my-change-card", sub), {"card_choice": "new", "setup_id": session.setup_id})
    sub.refresh_from_db()
    assert sub.payment_method.last4 == "4444"
    assert said(response) == [f"결제 카드를 {sub.payment_method}(으)로 바꿨습니다. 다음 결제부터 이 카드로 결제합니다."]
    assert SubscriptionEvent.objects.filter(subscription=sub, kind="card_changed").count() == 1


def test_change_card_refuses_someone_elses_card(client, sub, municipality, stripe_gateway, owner):
    _other, _address, others_card = subscriber_with_card(municipality, stripe_gateway)
    before = state(sub)
    response = client.post(url("my-change-card", sub), {"card_choice": str(others_card.pk)})
    assert response.status_code == 400
    assert state(sub) == before
    assert PaymentMethod.objects.filter(subscriber=sub.subscriber).count() == 1


# --- Whose subscription -----------------------------------------------------------------------------------------
EVERY_VIEW = [
    ("get", "my-detail"),
    ("get", "my-cancel"),
    ("get", "my-change-plan"),
    ("get", "my-change-address"),
    ("get", "my-change-card"),
    ("post", "my-skip"),
    ("post", "my-unskip"),
    ("post", "my-pause"),
    ("post", "my-resume"),
    ("post", "my-change-plan"),
    ("post", "my-change-address"),
    ("post", "my-change-card"),
    ("post", "my-cancel"),
    ("post", "my-reactivate"),
]


@pytest.mark.parametrize(("method", "name"), EVERY_VIEW)
def test_someone_elses_subscription_is_404_and_unchanged(client, sub, user, method, name):
    client.force_login(user)  # signed in, but not the subscriber
    before = state(sub)
    response = getattr(client, method)(url(name, sub), {"mode": "open", "reason": "other"} if method == "post" else {})
    assert response.status_code == 404
    assert state(sub) == before


@pytest.mark.parametrize(("method", "name"), EVERY_VIEW)
def test_another_municipalitys_subscription_is_404_and_unchanged(client, sub, other_municipality, owner, method, name):
    before = state(sub)
    data = {"mode": "open", "reason": "other"} if method == "post" else {}
    response = getattr(client, method)(url(name, sub, municipality=other_municipality), data)
    assert response.status_code == 404
    assert state(sub) == before


def test_the_list_shows_only_my_subscriptions_of_this_municipality(
    client, sub, owner, municipality, other_municipality, stripe_gateway
):
    # given: the same person subscribes in another municipality, and someone else here
    bundle = published_bundle(other_municipality)
    subscriber, address, card = subscriber_with_card(other_municipality, stripe_gateway, user=owner)
    subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence="weekly"),
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=owner,
    )
    someone, other_address, other_card = subscriber_with_card(municipality, stripe_gateway)
    others = subscription_create(
        subscriber=someone,
        plan=sub.plan,
        term_boxes=1,
        address=other_address,
        payment_method=other_card,
        acting_user=someone.user,
    )
    # when
    html = client.get(url("my-list", sub)).content.decode()
    # then
    assert html.count('class="my-sub"') == 1
    assert url("my-detail", sub) in html
    assert bundle.name not in html
    assert url("my-detail", others) not in html
    assert Address.objects.count() == 3
