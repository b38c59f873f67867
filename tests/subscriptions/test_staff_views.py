"""Staff pages of subscriptions: tenancy, roles, masking and the 접속기록, query counts, CSV export."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from municipalities import staff_ui
from municipalities.models import PersonalDataAccess, Role
from subscriptions import lifecycle, staff_widgets
from subscriptions.billing import charging
from subscriptions.billing.refunds import order_refund
from subscriptions.models import PromoCode, Subscription
from subscriptions.services import subscription_create
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order
from tests.subscriptions.helpers import published_bundle, subscriber_with_card

pytestmark = pytest.mark.django_db

LIST_QUERY_BOUND = 8  # session, user, roles, municipality, count, status counts, bundles, page


def url(municipality, name: str, **kwargs) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role: str):
    # A name no subscriber has, so the header's "내 정보: <name>" never looks like leaked data.
    return MembershipFactory(municipality=municipality, role=role, user__name="정담당").user


def subscribe(subscriber, address, card, bundle, *, source: str = "", cadence: str = "monthly") -> Subscription:
    return subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence=cadence),
        term_boxes=1,
        address=address,
        payment_method=card,
        source=source,
        acting_user=subscriber.user,
    )


@pytest.fixture
def hong(municipality, stripe_gateway):
    """홍길동, a subscriber with an address and a saved card (through localstripe)."""
    return subscriber_with_card(municipality, stripe_gateway, user=UserFactory(name="홍길동"))


@pytest.fixture
def hong_subscription(hong, bundle) -> Subscription:
    return subscribe(*hong, bundle, source="kiosk-cityhall")


def make_promo(municipality, code: str = "HADONG10") -> PromoCode:
    now = timezone.now()
    return PromoCode.objects.create(
        municipality=municipality,
        code=code,
        kind="percent",
        amount=1000,
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=30),
    )


STAFF_PAGES = ["staff-subscriptions", "staff-promos", "staff-support"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_of_another_tenant_get_404(client, municipality, other_municipality, name):
    # given: an admin of 남해군 only
    client.force_login(staff(other_municipality, Role.ADMIN))
    # when
    response = client.get(url(municipality, name))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_merchant_gets_403(client, municipality, name):
    client.force_login(staff(municipality, Role.MERCHANT))
    assert client.get(url(municipality, name)).status_code == 403


def test_another_tenants_subscription_is_404(client, municipality, other_municipality, stripe_gateway, staff_admin):
    # given: a subscription in 남해군; the admin of 하동군 asks for it on 하동군's pages
    theirs = subscribe(*subscriber_with_card(other_municipality, stripe_gateway), published_bundle(other_municipality))
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-subscription", subscription_id=theirs.pk))
    # then
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_another_tenants_promo_is_404(client, municipality, other_municipality, staff_admin):
    theirs = make_promo(other_municipality)
    client.force_login(staff_admin)
    assert client.get(url(municipality, "staff-promo", promo_id=theirs.pk)).status_code == 404
    response = client.post(url(municipality, "staff-promo", promo_id=theirs.pk), {"is_active": "0"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_curator_sees_masked_subscriber_and_nothing_is_logged(client, municipality, hong_subscription):
    # given
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    timeline = client.get(url(municipality, "staff-subscription", subscription_id=hong_subscription.pk))
    listing = client.get(url(municipality, "staff-subscriptions"))
    # then
    for response in (timeline, listing):
        body = response.content.decode()
        assert response.status_code == 200
        assert "홍*동" in body and "010-****-5678" in body
        assert "홍길동" not in body and "010-1234-5678" not in body
    timeline_body = timeline.content.decode()
    assert "경상남도 하동군 하동읍 군청로 ***" in timeline_body
    assert "101동 202호" not in timeline_body and "문 앞에 놓아 주세요" not in timeline_body
    assert PersonalDataAccess.objects.count() == 0


def test_admin_sees_full_subscriber_and_each_view_is_logged_once(client, municipality, staff_admin, hong_subscription):
    # given
    client.force_login(staff_admin)
    page = url(municipality, "staff-subscription", subscription_id=hong_subscription.pk)
    # when
    first = client.get(page, REMOTE_ADDR="203.0.113.7")
    # then
    body = first.content.decode()
    assert "홍길동" in body and "010-1234-5678" in body
    assert "(52302) 경상남도 하동군 하동읍 군청로 23 101동 202호" in body
    log = PersonalDataAccess.objects.get()
    subscriber = hong_subscription.subscriber
    assert (log.municipality, log.accessor, log.subject_id) == (municipality, staff_admin, str(subscriber.pk))
    assert log.subject_label == f"홍*동 (#{subscriber.pk})"
    assert (log.purpose, log.page, log.ip_address) == ("구독 상세 조회", page, "203.0.113.7")
    # when: a second view is a second row
    client.get(page)
    assert PersonalDataAccess.objects.count() == 2


def test_timeline_tells_the_history_in_korean(client, municipality, staff_admin, hong_subscription):
    # given: the subscriber paused, then cancelled with a reason
    user = hong_subscription.subscriber.user
    until = timezone.localdate() + timedelta(days=20)
    lifecycle.subscription_pause(subscription=hong_subscription, until=until, acting_user=user, reason="여행")
    lifecycle.subscription_cancel(subscription=hong_subscription, reason="moving", note="서울로 이사", acting_user=user)
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-subscription", subscription_id=hong_subscription.pk))
    # then
    events = response.context["events"]
    assert [e["what"] for e in events] == ["해지", "일시정지", "구독 시작"]
    assert events[0]["details"] == ["해지 사유: 이사를 가요"]
    assert events[0]["status_change"] == "일시정지 → 해지"
    assert events[0]["reason"] == "서울로 이사"
    assert events[1]["details"] == [f"{until.isoformat()}까지 일시정지"]
    assert events[2]["details"] == ["결제 방식: 회차별 결제", "유입 경로: kiosk-cityhall"]
    assert {e["actor"] for e in events} == {"구독자 본인"}
    body = response.content.decode()
    assert "적용 회차:" in body and hong_subscription.consent_text in body


def test_timeline_shows_orders_with_their_attempts_and_refunds(client, municipality, stripe_gateway):
    # given: a weekly box charged (₩42,000 = 39,000 + 3,000 shipping), then ₩3,000 refunded by an admin
    order = closed_order(municipality, stripe_gateway)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    admin = MembershipFactory(municipality=municipality, role=Role.ADMIN, user__name="정담당").user
    order_refund(order=order, amount_won=3_000, reason="배송 지연 보상", acting_user=admin, gateway=stripe_gateway)
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    response = client.get(url(municipality, "staff-subscription", subscription_id=order.subscription_id))
    # then
    assert [o.pk for o in response.context["orders"]] == [order.pk]
    body = response.content.decode()
    assert "결제 완료" in body and "42,000원" in body
    assert "1차 2026-11-16 02:05 · 42,000원 · 성공" in body
    assert "3,000원 · 환불 완료" in body and "배송 지연 보상" in body and "(정*당)" in body
    events = response.context["events"]
    assert (events[0]["what"], events[0]["details"], events[0]["actor"]) == (
        "환불",
        ["환불 금액 3,000원"],
        "담당자 정*당",
    )


def test_list_query_count_does_not_grow_with_rows(
    client, municipality, staff_admin, hong, bundle, django_assert_max_num_queries
):
    # given
    client.force_login(staff_admin)
    page = url(municipality, "staff-subscriptions")
    counts = []
    for total in (3, 30):
        while Subscription.objects.count() < total:
            subscribe(*hong, bundle)
        # when
        with django_assert_max_num_queries(LIST_QUERY_BOUND), CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        # then
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == min(total, 25)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_list_filters_and_counts_per_status(client, municipality, staff_admin, hong, bundle):
    # given: two monthly from the kiosk (one cancelled), one weekly from SNS
    kiosk = subscribe(*hong, bundle, source="kiosk-cityhall")
    subscribe(*hong, bundle, source="kiosk-library")
    subscribe(*hong, bundle, source="sns-instagram", cadence="weekly")
    lifecycle.subscription_cancel(subscription=kiosk, reason="too_much", acting_user=hong[0].user)
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-subscriptions"), {"source": "KIOSK", "status": "active"})
    # then
    rows = [row.record.source for row in response.context["table"].rows]
    assert rows == ["kiosk-library"]
    assert response.context["status_counts"] == [
        ("active", "구독 중", 2),
        ("paused", "일시정지", 0),
        ("past_due", "결제 연체", 0),
        ("canceled", "해지", 1),
    ]
    weekly = client.get(url(municipality, "staff-subscriptions"), {"cadence": "weekly"})
    assert [row.record.source for row in weekly.context["table"].rows] == ["sns-instagram"]


def test_csv_export_has_bom_and_one_row_per_filtered_subscription(client, municipality, hong, bundle):
    # given: four subscriptions, three of them from a kiosk (one with a source a spreadsheet would run)
    for source in ("kiosk-cityhall", "sns-instagram", "kiosk-library", "=kiosk()"):
        subscribe(*hong, bundle, source=source)
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    response = client.get(url(municipality, "staff-subscriptions"), {"source": "kiosk", "export": "csv"})
    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''subscriptions-hadong-" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "번호",
        "구독자",
        "휴대전화",
        "꾸러미",
        "배송 주기",
        "결제 방식",
        "상태",
        "유입 경로",
        "구독 시작일",
        "프로모션 코드",
        "해지일시",
        "해지 사유",
    ]
    assert sorted(row[7] for row in rows[1:]) == ["'=kiosk()", "kiosk-cityhall", "kiosk-library"]
    assert {(row[1], row[2], row[4], row[5], row[6]) for row in rows[1:]} == {
        ("홍*동", "010-****-5678", "매월", "회차별 결제", "구독 중")
    }
    assert PersonalDataAccess.objects.count() == 0


def test_csv_export_with_full_data_is_logged_once_per_subscriber(client, municipality, staff_admin, hong, bundle):
    # given: one subscriber with two subscriptions, the first one cancelled
    gone = subscribe(*hong, bundle)
    kept = subscribe(*hong, bundle)
    lifecycle.subscription_cancel(subscription=gone, reason="too_much", acting_user=hong[0].user)
    gone.refresh_from_db()
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-subscriptions"), {"export": "csv", "sort": "pk"})
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [str(gone.pk), str(kept.pk)]
    assert {(row[1], row[2]) for row in rows[1:]} == {("홍길동", "010-1234-5678")}
    canceled_at = timezone.localtime(gone.canceled_at).strftime("%Y-%m-%d %H:%M")
    assert rows[1][6:] == [
        "해지",
        "",
        timezone.localtime(gone.created_at).strftime("%Y-%m-%d %H:%M"),
        "",
        canceled_at,
        "양이 너무 많아요",
    ]
    assert rows[2][10:] == ["", ""]
    log = PersonalDataAccess.objects.get()
    assert (log.subject_id, log.purpose) == (str(hong[0].pk), "구독 목록 내려받기")


def test_dashboard_widget_counts_and_cancel_reasons(rf, municipality, staff_admin, hong, bundle):
    # given: three subscriptions, two cancelled (both "too much")
    subscribe(*hong, bundle)
    for _ in range(2):
        gone = subscribe(*hong, bundle)
        lifecycle.subscription_cancel(subscription=gone, reason="too_much", acting_user=hong[0].user)
    request = rf.get("/")
    request.user, request.municipality, request.roles = staff_admin, municipality, frozenset({Role.ADMIN})
    # when: the widgets registered for the dashboard are rendered
    html = "".join(staff_ui.widgets_for(request))
    # then
    assert "구독 현황" in html
    assert "최근 30일 새 구독" in html
    assert "양이 너무 많아요 2건" in html
    stats = staff_widgets._subscriptions_widget(request)
    assert stats["subscription_new"] == 3 and stats["subscription_canceled"] == 2
    assert [count for _value, _label, count in stats["subscription_status_counts"]] == [1, 0, 0, 2]


def test_side_navigation_links_to_the_subscription_pages(client, municipality, staff_admin):
    client.force_login(staff_admin)
    body = client.get(url(municipality, "staff-promos")).content.decode()
    for name in STAFF_PAGES:
        assert f'href="{url(municipality, name)}"' in body
