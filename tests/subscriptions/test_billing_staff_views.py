"""Staff billing pages: cycles and their billing run, failed payments and recovered revenue, one order with
its refund form. Tenancy (another tenant's ids are 404), roles, masking and the 접속기록, query counts
that do not grow with rows, and refused changes that change nothing — against a real localstripe."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.models import PersonalDataAccess, Role
from subscriptions.billing import charging
from subscriptions.billing.close import cycle_close
from subscriptions.gateways.base import ChargeResult
from subscriptions.models import DeliveryCycle, Order, PaymentAttempt, Refund
from subscriptions.services import subscription_create
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order, closed_orders, intents_for
from tests.subscriptions.helpers import DECLINING, published_bundle, seoul, subscriber_with_card

pytestmark = pytest.mark.django_db

QUERY_BOUND = 10  # session, user, roles, municipality, then the page's own fixed set of queries


def url(municipality, name: str, **kwargs) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role: str):
    # A name no subscriber has, so "내 정보: <name>" in the header never looks like leaked data.
    return MembershipFactory(municipality=municipality, role=role, user__name="정담당").user


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def charge(order: Order, gateway, *, at=CHARGE_TIME) -> Order:
    with time_machine.travel(at, tick=False):
        charging.order_charge(order_id=order.pk, gateway=gateway)
    order.refresh_from_db()
    return order


@pytest.fixture
def paid_order(municipality, stripe_gateway) -> Order:
    """A weekly box charged at the cycle's charge time: ₩42,000 (39,000 + 3,000 shipping)."""
    return charge(closed_order(municipality, stripe_gateway), stripe_gateway)


@pytest.fixture
def failed_order(municipality, stripe_gateway) -> Order:
    return charge(closed_order(municipality, stripe_gateway, number=DECLINING), stripe_gateway)


def refund_state(order: Order) -> tuple:
    order.refresh_from_db()
    return (order.status, order.refunded_won, Refund.objects.filter(order=order).count(), len(intents_for(order)))


# --- Tenancy and roles ---------------------------------------------------------------------------------------
LIST_PAGES = ["staff-cycles", "staff-failed-payments"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_staff_of_another_tenant_get_404_on_the_lists(client, municipality, other_municipality, name):
    client.force_login(staff(other_municipality, Role.ADMIN))
    assert client.get(url(municipality, name)).status_code == 404


@pytest.mark.parametrize("name", LIST_PAGES)
def test_a_merchant_gets_403_on_the_lists(client, municipality, name):
    client.force_login(staff(municipality, Role.MERCHANT))
    assert client.get(url(municipality, name)).status_code == 403


@pytest.fixture
def theirs(other_municipality, stripe_gateway) -> Order:
    """A paid order of 남해군, with its cycle."""
    return charge(closed_order(other_municipality, stripe_gateway), stripe_gateway)


ID_PAGES = [
    ("get", "staff-cycle", "cycle"),
    ("post", "staff-cycle-ship-date", "cycle"),
    ("post", "staff-cycle-close", "cycle"),
    ("get", "staff-order", "order"),
    ("post", "staff-order-refund", "order"),
]


@pytest.mark.parametrize(("method", "name", "kind"), ID_PAGES)
def test_another_tenants_cycle_or_order_is_404_and_unchanged(
    client, municipality, staff_admin, theirs, method, name, kind
):
    # given: the admin of 하동군 asks for 남해군's cycle or order on 하동군's pages
    client.force_login(staff_admin)
    kwargs = {"cycle_id": theirs.cycle_id} if kind == "cycle" else {"order_id": theirs.pk}
    cycle_before = DeliveryCycle.objects.values().get(pk=theirs.cycle_id)
    data = {"ship_date": "2026-12-30", "amount_won": "1000", "reason": "파손"}
    # when
    response = getattr(client, method)(url(municipality, name, **kwargs), data if method == "post" else {})
    # then
    assert response.status_code == 404
    assert DeliveryCycle.objects.values().get(pk=theirs.cycle_id) == cycle_before
    assert refund_state(theirs) == ("paid", 0, 0, 1)
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.parametrize(("method", "name", "kind"), ID_PAGES)
def test_a_merchant_gets_403_on_every_cycle_and_order_page(client, municipality, paid_order, method, name, kind):
    client.force_login(staff(municipality, Role.MERCHANT))
    kwargs = {"cycle_id": paid_order.cycle_id} if kind == "cycle" else {"order_id": paid_order.pk}
    assert getattr(client, method)(url(municipality, name, **kwargs)).status_code == 403


def test_a_curator_cannot_refund(client, municipality, paid_order):
    # given
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    page = client.get(url(municipality, "staff-order", order_id=paid_order.pk))
    response = client.post(
        url(municipality, "staff-order-refund", order_id=paid_order.pk), {"amount_won": "3000", "reason": "파손"}
    )
    # then: no form on the page, and the POST is refused
    assert page.status_code == 200 and page.context["refund_form"] is None
    assert response.status_code == 403
    assert refund_state(paid_order) == ("paid", 0, 0, 1)


def test_a_curator_can_neither_move_a_ship_date_nor_close_a_cycle(client, municipality, stripe_gateway):
    # given: an open weekly cycle
    with time_machine.travel(seoul(2026, 12, 1, 10, 0), tick=False):
        published_bundle(municipality, cadences=("weekly",))
        subscriber_with_card(municipality, stripe_gateway)
        from subscriptions.cycles import cycles_generate

        cycles_generate(municipality=municipality)
        cycle = DeliveryCycle.objects.get(municipality=municipality, cadence="weekly", ship_date=date(2026, 12, 24))
        client.force_login(staff(municipality, Role.CURATOR))
        # when
        moved = client.post(url(municipality, "staff-cycle-ship-date", cycle_id=cycle.pk), {"ship_date": "2026-12-23"})
        closed = client.post(url(municipality, "staff-cycle-close", cycle_id=cycle.pk))
    # then
    assert (moved.status_code, closed.status_code) == (403, 403)
    cycle.refresh_from_db()
    assert (cycle.ship_date, cycle.status) == (date(2026, 12, 24), "open")


# --- Refunds -------------------------------------------------------------------------------------------------
def test_finance_refunds_part_of_an_order(client, municipality, paid_order):
    # given
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    response = client.post(
        url(municipality, "staff-order-refund", order_id=paid_order.pk),
        {"amount_won": "3000", "reason": "상자 모서리 파손"},
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == url(municipality, "staff-order", order_id=paid_order.pk)
    assert said(response) == ["3,000원을 환불했습니다."]
    refund = Refund.objects.get(order=paid_order)
    assert (refund.amount_won, refund.reason, refund.status) == (3000, "상자 모서리 파손", "succeeded")
    paid_order.refresh_from_db()
    assert paid_order.refunded_won == 3000
    # and the page now offers at most the rest
    page = client.get(url(municipality, "staff-order", order_id=paid_order.pk))
    assert page.context["refundable_won"] == 39_000
    assert "상자 모서리 파손" in page.content.decode()


def test_a_refund_over_the_cap_shows_a_korean_error_and_changes_nothing(client, municipality, staff_admin, paid_order):
    # given
    client.force_login(staff_admin)
    before = refund_state(paid_order)
    # when: ₩1 more than was paid
    response = client.post(
        url(municipality, "staff-order-refund", order_id=paid_order.pk), {"amount_won": "42001", "reason": "파손"}
    )
    # then
    assert response.status_code == 400
    assert "환불 가능 금액은 42,000원입니다. 그보다 많이 환불할 수 없습니다." in response.content.decode()
    assert refund_state(paid_order) == before == ("paid", 0, 0, 1)


def test_a_refund_without_a_reason_is_refused(client, municipality, staff_admin, paid_order):
    client.force_login(staff_admin)
    response = client.post(
        url(municipality, "staff-order-refund", order_id=paid_order.pk), {"amount_won": "1000", "reason": "  "}
    )
    assert response.status_code == 400
    assert "환불 사유를 입력해 주세요." in response.content.decode()
    assert refund_state(paid_order) == ("paid", 0, 0, 1)


def test_a_refund_the_service_refuses_is_shown_on_the_form(client, municipality, staff_admin, failed_order):
    # given: a failed order (nothing was paid); the form would not even be offered
    client.force_login(staff_admin)
    # when: someone posts anyway
    response = client.post(
        url(municipality, "staff-order-refund", order_id=failed_order.pk), {"amount_won": "1000", "reason": "파손"}
    )
    # then: the service's refusal, in Korean, and nothing refunded
    assert response.status_code == 400
    assert "결제가 완료된 주문만 환불할 수 있습니다." in response.content.decode()
    assert Refund.objects.count() == 0


def test_a_gateway_error_during_a_refund_refunds_nothing(client, municipality, staff_admin, paid_order, settings):
    # given: the gateway cannot be reached
    client.force_login(staff_admin)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    # when
    response = client.post(
        url(municipality, "staff-order-refund", order_id=paid_order.pk), {"amount_won": "1000", "reason": "파손"}
    )
    # then
    assert response.status_code == 400
    assert "결제사에 환불을 요청하지 못했습니다. 환불된 금액은 없습니다." in response.content.decode()
    paid_order.refresh_from_db()
    assert paid_order.refunded_won == 0
    assert list(Refund.objects.values_list("status", flat=True)) == ["failed"]


# --- One order -----------------------------------------------------------------------------------------------
def test_admin_sees_the_order_in_full_and_the_view_is_logged(client, municipality, staff_admin, paid_order):
    # given
    client.force_login(staff_admin)
    page = url(municipality, "staff-order", order_id=paid_order.pk)
    # when
    response = client.get(page)
    # then: the snapshot, part by part, with items, merchant and supply price, and the attempt
    body = response.content.decode()
    assert [(label, amount) for label, amount in response.context["lines"]] == [
        ("꾸러미 가격 39,000원 × 1상자", 39_000),
        ("배송비", 3_000),
    ]
    item = paid_order.items.get()
    assert item.product_name in body and item.merchant.name in body and "20,000원" in body
    assert f"order-{paid_order.pk}-attempt-1" in body and "성공" in body
    assert "(52302) 경상남도 하동군 하동읍 군청로 23 101동 202호" in body and "010-1234-5678" in body
    log = PersonalDataAccess.objects.get()
    assert (log.accessor, log.subject_id, log.purpose, log.page) == (
        staff_admin,
        str(paid_order.subscriber_id),
        "주문 상세 조회",
        page,
    )
    assert response.context["refund_form"] is not None


def test_a_curator_sees_the_order_masked_and_nothing_is_logged(client, municipality, paid_order):
    client.force_login(staff(municipality, Role.CURATOR))
    body = client.get(url(municipality, "staff-order", order_id=paid_order.pk)).content.decode()
    name = paid_order.subscriber.name
    assert name not in body and "010-1234-5678" not in body and "101동 202호" not in body
    assert "010-****-5678" in body and "경상남도 하동군 하동읍 군청로 ***" in body
    assert PersonalDataAccess.objects.count() == 0


# --- Cycles --------------------------------------------------------------------------------------------------
def test_cycle_list_counts_orders_by_status_in_one_query(
    client, municipality, staff_admin, stripe_gateway, django_assert_max_num_queries
):
    # given: a weekly cycle with one order due
    orders = closed_orders(municipality, stripe_gateway, 1)
    client.force_login(staff_admin)
    with (
        time_machine.travel(CHARGE_TIME, tick=False),
        django_assert_max_num_queries(QUERY_BOUND),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.get(url(municipality, "staff-cycles"))
    rows = {row.record.pk: row.record for row in response.context["table"].rows}
    cycle = rows[orders[0].cycle_id]
    assert (cycle.orders_total, cycle.pending_count, cycle.charged_won) == (1, 1, 42_000)
    assert len(queries) <= QUERY_BOUND


def _monthly_orders(municipality, gateway, count: int, *, number: str = "4242424242424242") -> list[Order]:
    """`count` monthly subscriptions and their December cycle closed (ships 12-10, cutoff 12-07 00:00)."""
    with time_machine.travel(seoul(2026, 12, 5, 10, 0), tick=False):
        plan = published_bundle(municipality, cadences=("monthly",)).plans.get()
        subs = []
        for _ in range(count):
            subscriber, address, card = subscriber_with_card(municipality, gateway, number=number)
            subs.append(
                subscription_create(
                    subscriber=subscriber,
                    plan=plan,
                    term_boxes=1,
                    address=address,
                    payment_method=card,
                    acting_user=subscriber.user,
                )
            )
    with time_machine.travel(seoul(2026, 12, 7, 2, 5), tick=False):
        cycle_close(cycle_id=subs[0].first_cycle_id)
    return list(Order.objects.filter(subscription__in=subs).order_by("pk"))


def test_cycle_list_query_count_does_not_grow_with_orders(
    client, municipality, staff_admin, stripe_gateway, django_assert_max_num_queries
):
    # given: 2 weekly orders, then 18 monthly ones as well (20 orders in two cycles)
    client.force_login(staff_admin)
    weekly = closed_orders(municipality, stripe_gateway, 2)
    page = url(municipality, "staff-cycles")
    counts = []
    for stage in ("2 orders", "20 orders"):
        if stage == "20 orders":
            monthly = _monthly_orders(municipality, stripe_gateway, 18)
        # when
        with (
            time_machine.travel(seoul(2026, 12, 7, 3, 0), tick=False),
            django_assert_max_num_queries(QUERY_BOUND),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(page)
        # then
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    rows = {row.record.pk: row.record.orders_total for row in response.context["table"].rows}
    assert rows[weekly[0].cycle_id] == 2 and rows[monthly[0].cycle_id] == 18


def test_cycle_list_shows_recent_and_upcoming_cycles_or_the_filtered_ones(client, municipality, staff_admin):
    # given: cycles generated on 2026-11-15 for every cadence, looked at two months later
    from subscriptions.cycles import cycles_generate

    with time_machine.travel(seoul(2026, 11, 15, 10, 0), tick=False):
        cycles_generate(municipality=municipality)
    with time_machine.travel(seoul(2027, 1, 20, 10, 0), tick=False):
        client.force_login(staff_admin)
        # when
        default = client.get(url(municipality, "staff-cycles"), {"sort": "ship_date"})
        weekly = client.get(url(municipality, "staff-cycles"), {"cadence": "weekly", "sort": "ship_date"})
    # then: per cadence, at most 8 cycles whose cutoff passed and 8 to come
    shown = [row.record for row in default.context["table"].paginated_rows]
    weekly_shown = [c.ship_date for c in shown if c.cadence == "weekly"]
    assert weekly_shown[-1] > date(2027, 1, 20)
    past = [d for d in weekly_shown if d <= date(2027, 1, 21)]
    assert len(past) == 8 and past[-1] == date(2027, 1, 21)
    assert len(weekly_shown) == 8 + len([d for d in weekly_shown if d > date(2027, 1, 21)])
    # the filter shows every weekly cycle
    all_weekly = DeliveryCycle.objects.filter(municipality=municipality, cadence="weekly").count()
    assert weekly.context["table"].paginator.count == all_weekly > 8


def test_cycle_detail_shows_the_billing_run(client, municipality, stripe_gateway):
    # given: two orders of one cycle: one paid, one not charged yet
    orders = closed_orders(municipality, stripe_gateway, 2)
    charge(orders[0], stripe_gateway)
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    with time_machine.travel(CHARGE_TIME, tick=False):
        response = client.get(url(municipality, "staff-cycle", cycle_id=orders[0].cycle_id))
    # then
    counts = response.context["counts"]
    assert (counts["orders_total"], counts["paid_count"], counts["pending_count"]) == (2, 1, 1)
    assert (counts["settled_count"], counts["progress_percent"], counts["paid_won"]) == (1, 50, 42_000)
    assert response.context["in_flight"] is True
    body = response.content.decode()
    assert 'hx-trigger="every 5s"' in body and 'id="cycle-chart"' in body
    assert "50% 끝남" in body
    # the subscribers' names are masked for a curator
    assert orders[0].subscriber.name not in body
    assert response.context["ship_form"] is None and response.context["can_close"] is False


def test_cycle_detail_progress_fragment_for_htmx(client, municipality, staff_admin, stripe_gateway):
    orders = closed_orders(municipality, stripe_gateway, 1)
    charge(orders[0], stripe_gateway)
    client.force_login(staff_admin)
    with time_machine.travel(CHARGE_TIME, tick=False):
        response = client.get(
            url(municipality, "staff-cycle", cycle_id=orders[0].cycle_id),
            {"fragment": "progress"},
            HTTP_HX_REQUEST="true",
        )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="cycle-progress"')
    # everything settled: the answer carries no polling any more
    assert "hx-trigger" not in body and "100% 끝남" in body


def test_cycle_detail_filters_orders_by_status(client, municipality, staff_admin, stripe_gateway):
    orders = closed_orders(municipality, stripe_gateway, 3)
    charge(orders[0], stripe_gateway)
    client.force_login(staff_admin)
    response = client.get(url(municipality, "staff-cycle", cycle_id=orders[0].cycle_id), {"status": "pending"})
    assert [row.record.pk for row in response.context["table"].rows] == [orders[1].pk, orders[2].pk]
    # the admin sees full names in the table
    assert orders[1].subscriber.name in response.content.decode()


def test_ship_date_move_refuses_a_date_whose_cutoff_passed(client, municipality, staff_admin):
    # given: on Monday 12-14 the cycle shipping Thursday 12-24 is open (its cutoff is 12-21 00:00)
    from subscriptions.cycles import cycles_generate

    with time_machine.travel(seoul(2026, 12, 14, 10, 0), tick=False):
        cycles_generate(municipality=municipality)
        cycle = DeliveryCycle.objects.get(municipality=municipality, cadence="weekly", ship_date=date(2026, 12, 24))
        client.force_login(staff_admin)
        # when: moved to Wednesday 12-16, whose cutoff (12-13 00:00) has passed
        response = client.post(
            url(municipality, "staff-cycle-ship-date", cycle_id=cycle.pk), {"ship_date": "2026-12-16"}
        )
    # then
    assert response.status_code == 400
    assert "변경 마감이 지난 회차의 발송일은 바꿀 수 없습니다." in response.content.decode()
    assert response.context["ship_form"].errors["ship_date"] == ["변경 마감이 지난 회차의 발송일은 바꿀 수 없습니다."]
    cycle.refresh_from_db()
    assert (cycle.ship_date, cycle.cutoff_at) == (date(2026, 12, 24), seoul(2026, 12, 21, 0, 0))


def test_logistics_moves_a_ship_date_for_a_holiday(client, municipality):
    # given
    from subscriptions.cycles import cycles_generate

    with time_machine.travel(seoul(2026, 12, 14, 10, 0), tick=False):
        cycles_generate(municipality=municipality)
        cycle = DeliveryCycle.objects.get(municipality=municipality, cadence="weekly", ship_date=date(2026, 12, 24))
        client.force_login(staff(municipality, Role.LOGISTICS))
        # when: one day earlier
        response = client.post(
            url(municipality, "staff-cycle-ship-date", cycle_id=cycle.pk), {"ship_date": "2026-12-23"}
        )
    # then
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.ship_date, cycle.cutoff_at, cycle.charge_at) == (
        date(2026, 12, 23),
        seoul(2026, 12, 20, 0, 0),
        seoul(2026, 12, 20, 2, 0),
    )
    assert said(response) == [
        "발송일을 12월 23일(수)로 옮겼습니다. 변경 마감은 12월 20일(일) 0시, 결제는 12월 20일(일) 2시입니다."
    ]


def test_close_now_makes_the_orders_and_starts_charging(
    client, municipality, staff_admin, stripe_gateway, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a subscription, and its first cycle's cutoff passed while the cycle is still open
    from subscriptions.views import billing_staff

    delayed = []
    monkeypatch.setattr(billing_staff.cycle_charge_task, "delay", lambda cycle_id: delayed.append(cycle_id))
    with time_machine.travel(seoul(2026, 11, 15, 10, 0), tick=False):
        plan = published_bundle(municipality, cadences=("weekly",)).plans.get()
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        sub = subscription_create(
            subscriber=subscriber, plan=plan, term_boxes=1, address=address, payment_method=card, acting_user=None
        )
    client.force_login(staff_admin)
    page = url(municipality, "staff-cycle", cycle_id=sub.first_cycle_id)
    with time_machine.travel(CHARGE_TIME, tick=False):
        assert client.get(page).context["can_close"] is True
        # when
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(municipality, "staff-cycle-close", cycle_id=sub.first_cycle_id))
    # then
    assert response.status_code == 302
    assert said(response) == ["회차를 마감했습니다. 주문 1건의 결제를 시작합니다."]
    assert DeliveryCycle.objects.get(pk=sub.first_cycle_id).status == "closed"
    assert Order.objects.filter(cycle_id=sub.first_cycle_id).count() == 1
    assert delayed == [sub.first_cycle_id]


def test_close_now_before_the_cutoff_is_refused(client, municipality, staff_admin):
    from subscriptions.cycles import cycles_generate

    with time_machine.travel(seoul(2026, 12, 14, 10, 0), tick=False):
        cycles_generate(municipality=municipality)
        cycle = DeliveryCycle.objects.get(municipality=municipality, cadence="weekly", ship_date=date(2026, 12, 24))
        client.force_login(staff_admin)
        response = client.post(url(municipality, "staff-cycle-close", cycle_id=cycle.pk))
    assert said(response) == ["변경 마감(12월 21일(월) 0시) 전이라 마감할 수 없습니다."]
    cycle.refresh_from_db()
    assert cycle.status == "open" and Order.objects.count() == 0


# --- Failed payments ---------------------------------------------------------------------------------------
def test_failed_payments_explain_the_decline_and_what_dunning_does_next(
    client, municipality, staff_admin, failed_order
):
    # given: declined at 11-16 02:05; the +1, +3, +5 day retries follow
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-failed-payments"))
    # then
    body = response.content.decode()
    assert [row.record.pk for row in response.context["table"].rows] == [failed_order.pk]
    assert '카드사가 사유를 밝히지 않고 승인을 거절했습니다.<span class="cell-sub">card_declined</span>' in body
    assert "11월 17일 재시도 (1/3)" in body


def _good_card(order: Order, gateway) -> None:
    """The subscriber saves a good card and makes it the subscription's card."""
    from subscriptions import lifecycle

    _subscriber, _address, good = subscriber_with_card(order.municipality, gateway, user=order.subscriber.user)
    lifecycle.subscription_change_card(subscription=order.subscription, payment_method=good, acting_user=None)


def test_failed_payments_next_step_follows_the_schedule_and_hard_declines(
    client, municipality, staff_admin, stripe_gateway
):
    # given: one order declined twice (first charge and first retry); another refused for a lost card,
    # which the gateway reports as a hard decline (localstripe only says card_declined, so its answer is given)
    declined, lost = closed_orders(municipality, stripe_gateway, 2, number=DECLINING)
    charge(declined, stripe_gateway)
    charge(declined, stripe_gateway, at=CHARGE_TIME + timedelta(days=1, minutes=1))
    with time_machine.travel(CHARGE_TIME, tick=False):
        attempt = charging._attempt_start(lost.pk, now=CHARGE_TIME)
        charging.attempt_record_outcome(
            attempt_id=attempt.pk,
            result=ChargeResult(ChargeResult.Status.FAILED, payment_id="pi_lost", decline_code="lost_card"),
        )
    client.force_login(staff_admin)
    # when
    response = client.get(url(municipality, "staff-failed-payments"), {"sort": "pk"})
    # then
    steps = {row.record.pk: row.get_cell("next_step") for row in response.context["table"].rows}
    assert steps == {declined.pk: "11월 19일 재시도 (2/3)", lost.pk: "재시도 없음 — 상자 취소"}
    body = response.content.decode()
    assert "분실 신고된 카드입니다. 다시 시도하지 않습니다." in body
    hard = client.get(url(municipality, "staff-failed-payments"), {"hard_only": "on"})
    assert [row.record.pk for row in hard.context["table"].rows] == [lost.pk]


def test_recovered_revenue_counts_orders_paid_after_a_decline(client, municipality, staff_admin, stripe_gateway):
    # given: one order declined, then paid after the subscriber changed to a good card; another paid at once
    recovered, at_once = closed_orders(municipality, stripe_gateway, 2, number=DECLINING)
    charge(recovered, stripe_gateway)
    _good_card(recovered, stripe_gateway)
    _good_card(at_once, stripe_gateway)
    assert charge(at_once, stripe_gateway).status == "paid"
    assert charge(recovered, stripe_gateway, at=CHARGE_TIME + timedelta(days=1, minutes=1)).status == "paid"
    client.force_login(staff_admin)
    # when
    with time_machine.travel(CHARGE_TIME + timedelta(days=2), tick=False):
        response = client.get(url(municipality, "staff-failed-payments"))
    # then: one recovery of ₩42,000 (the order paid at once is not a recovery), nothing left failing
    assert response.context["recovered"] == {"count": 1, "total_won": 42_000}
    assert list(response.context["table"].rows) == []
    weeks = response.context["weeks"]
    assert len(weeks) == 8 and weeks[-1] == (date(2026, 11, 16), 1, 1)
    assert "42,000원" in response.content.decode()


def test_failed_payments_query_count_does_not_grow_with_rows(
    client, municipality, staff_admin, stripe_gateway, django_assert_max_num_queries
):
    # given: twenty orders of declining cards; two are charged (and declined) first, then the other eighteen
    orders = closed_orders(municipality, stripe_gateway, 20, number=DECLINING)
    client.force_login(staff_admin)
    page = url(municipality, "staff-failed-payments")
    counts = []
    for batch in (orders[:2], orders[2:]):
        for order in batch:
            charge(order, stripe_gateway)
        # when
        with (
            time_machine.travel(CHARGE_TIME + timedelta(hours=1), tick=False),
            django_assert_max_num_queries(QUERY_BOUND),
            CaptureQueriesContext(connection) as queries,
        ):
            response = client.get(page)
        # then
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["table"].page.object_list) == 20
    assert counts[0] == counts[1]
    assert PaymentAttempt.objects.filter(status="failed").count() == 20


def test_side_navigation_links_to_the_billing_pages(client, municipality, staff_admin, paid_order):
    client.force_login(staff_admin)
    body = client.get(url(municipality, "staff-order", order_id=paid_order.pk)).content.decode()
    for name in LIST_PAGES:
        assert f'href="{url(municipality, name)}"' in body
    # the order page sits under "결제 실패" in the navigation
    link = re.search(rf'<a href="{re.escape(url(municipality, "staff-failed-payments"))}"[^>]*>', body).group(0)
    assert "selected" in link and 'aria-current="true"' in link
