"""Staff promotions: creating and stopping promo codes, shipping-support campaigns and their forecast."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from municipalities.models import Role
from subscriptions.models import DeliveryCycle, PromoCode, ShippingSupportCampaign, ShippingSupportDraw
from subscriptions.promotions import promo_code_create, promo_code_set_active, shipping_support_draw
from subscriptions.selectors import support_campaign_forecast, support_draws_by_week
from subscriptions.services import subscription_create
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.helpers import SEOUL, subscriber_with_card

pytestmark = pytest.mark.django_db


def url(municipality, name: str, **kwargs) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role: str):
    # A name no subscriber has, so the header's "내 정보: <name>" never looks like leaked data.
    return MembershipFactory(municipality=municipality, role=role, user__name="정담당").user


def local_input(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def promo_post(**overrides) -> dict:
    start = timezone.now().replace(second=0, microsecond=0)
    data = {
        "code": "WINTER-2026",
        "description": "겨울 SNS 캠페인",
        "kind": "percent",
        "percent": "12.5",
        "amount_won": "",
        "boxes": "2",
        "valid_from": local_input(start),
        "valid_until": local_input(start + timedelta(days=30)),
        "max_uses": "100",
        "max_uses_per_subscriber": "1",
    }
    return {**data, **overrides}


def promo_fields(municipality, **overrides) -> dict:
    now = timezone.now()
    fields = {
        "municipality": municipality,
        "acting_user": None,
        "code": "WINTER-2026",
        "description": "",
        "kind": "percent",
        "amount": 1000,
        "boxes": None,
        "valid_from": now,
        "valid_until": now + timedelta(days=30),
        "max_uses": None,
        "max_uses_per_subscriber": 1,
        "bundles": [],
    }
    return {**fields, **overrides}


def snapshot() -> list[dict]:
    return [model_to_dict(p, exclude=["bundles"]) for p in PromoCode.objects.order_by("pk")]


# --- Promo codes: creation ----------------------------------------------------------------------------------
def test_curator_creates_a_percent_code_converted_exactly_to_basis_points(client, municipality, bundle):
    # given
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    response = client.post(url(municipality, "staff-promo-create"), promo_post(bundles=[bundle.pk]))
    # then
    promo = PromoCode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(municipality, "staff-promo", promo_id=promo.pk)
    assert (promo.municipality, promo.code, promo.kind, promo.amount) == (municipality, "WINTER-2026", "percent", 1250)
    assert (promo.boxes, promo.max_uses, promo.max_uses_per_subscriber, promo.uses_count) == (2, 100, 1, 0)
    assert list(promo.bundles.all()) == [bundle]
    assert promo.valid_until - promo.valid_from == timedelta(days=30)


@pytest.mark.parametrize(("percent", "basis_points"), [("0.01", 1), ("33.33", 3333), ("100", 10000), ("7.1", 710)])
def test_percent_to_basis_points_is_exact(client, municipality, percent, basis_points):
    client.force_login(staff(municipality, Role.ADMIN))
    client.post(url(municipality, "staff-promo-create"), promo_post(percent=percent))
    assert PromoCode.objects.get().amount == basis_points


def test_fixed_code_is_in_won_and_listed_as_won(client, municipality):
    # given
    client.force_login(staff(municipality, Role.ADMIN))
    client.post(url(municipality, "staff-promo-create"), promo_post(kind="fixed", percent="", amount_won="5000"))
    client.post(url(municipality, "staff-promo-create"), promo_post(code="TEN", boxes="", max_uses="", percent="10"))
    # when
    response = client.get(url(municipality, "staff-promos"))
    # then
    assert sorted(PromoCode.objects.values_list("code", "kind", "amount")) == [
        ("TEN", "percent", 1000),
        ("WINTER-2026", "fixed", 5000),
    ]
    body = response.content.decode()
    assert "5,000원" in body and "10%" in body
    assert "첫 2회" in body and "모든 회차" in body
    assert "0 / 100" in body and "0 / 제한 없음" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"valid_from": "2026-12-31T09:00", "valid_until": "2026-12-01T09:00"},
            "종료 일시는 시작 일시보다 뒤여야 합니다.",
        ),
        (
            {"valid_from": "2026-12-01T09:00", "valid_until": "2026-12-01T09:00"},
            "종료 일시는 시작 일시보다 뒤여야 합니다.",
        ),
        ({"percent": "100.01"}, "할인율은 100%를 넘을 수 없습니다."),
        ({"percent": "150"}, "할인율은 100%를 넘을 수 없습니다."),
        ({"percent": "12.345"}, "할인율은 소수점 둘째 자리까지만 쓸 수 있습니다."),
        ({"percent": ""}, "정률 할인은 할인율을 입력해 주세요."),
        ({"kind": "fixed", "percent": "", "amount_won": ""}, "정액 할인은 할인액을 입력해 주세요."),
        ({"code": "겨울 할인"}, "코드는 영문, 숫자, 하이픈(-), 밑줄(_)만 쓸 수 있습니다."),
    ],
)
def test_bad_promo_input_is_explained_and_creates_nothing(client, municipality, overrides, message):
    # given
    client.force_login(staff(municipality, Role.ADMIN))
    # when
    response = client.post(url(municipality, "staff-promo-create"), promo_post(**overrides))
    # then
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PromoCode.objects.count() == 0


def test_a_code_taken_in_another_case_is_refused_and_nothing_changes(client, municipality):
    # given
    client.force_login(staff(municipality, Role.ADMIN))
    client.post(url(municipality, "staff-promo-create"), promo_post())
    before = snapshot()
    # when
    response = client.post(url(municipality, "staff-promo-create"), promo_post(code="winter-2026", percent="50"))
    # then
    assert response.status_code == 200
    assert "이미 있는 코드입니다(대소문자는 구분하지 않습니다): winter-2026" in response.content.decode()
    assert snapshot() == before


def test_the_same_code_may_exist_in_another_municipality(municipality, other_municipality):
    promo_code_create(**promo_fields(other_municipality))
    promo = promo_code_create(**promo_fields(municipality, code="winter-2026"))
    assert PromoCode.objects.filter(code__iexact="winter-2026").count() == 2
    assert promo.municipality == municipality


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"valid_until": timezone.now() - timedelta(days=1)},
            {"valid_until": ["종료 일시는 시작 일시보다 뒤여야 합니다."]},
        ),
        ({"amount": 10_001}, {"amount": ["할인율은 100%를 넘을 수 없습니다."]}),
        ({"amount": 0}, {"amount": ["할인 값은 0보다 커야 합니다."]}),
        ({"code": "WINTER 2026"}, {"code": ["코드는 영문, 숫자, 하이픈(-), 밑줄(_)만 쓸 수 있습니다."]}),
        ({"code": "Winter-2026"}, {"code": ["이미 있는 코드입니다(대소문자는 구분하지 않습니다): Winter-2026"]}),
    ],
)
def test_promo_code_create_refuses_and_changes_nothing(municipality, overrides, errors):
    # given
    promo_code_create(**promo_fields(municipality))
    before = snapshot()
    # when
    with pytest.raises(ValidationError) as raised:
        promo_code_create(**promo_fields(municipality, **overrides))
    # then
    assert raised.value.message_dict == errors
    assert snapshot() == before


def test_bundles_of_another_municipality_are_refused(municipality, other_municipality):
    from tests.subscriptions.helpers import published_bundle

    theirs = published_bundle(other_municipality)
    with pytest.raises(ValidationError) as raised:
        promo_code_create(**promo_fields(municipality, bundles=[theirs]))
    assert raised.value.message_dict == {"bundles": ["선택할 수 없는 꾸러미가 있습니다."]}
    assert PromoCode.objects.count() == 0


@pytest.mark.parametrize("role", [Role.FINANCE, Role.LOGISTICS])
def test_only_admin_and_curator_create_codes(client, municipality, role):
    client.force_login(staff(municipality, role))
    assert client.get(url(municipality, "staff-promo-create")).status_code == 403
    assert client.post(url(municipality, "staff-promo-create"), promo_post()).status_code == 403
    assert PromoCode.objects.count() == 0


# --- Promo codes: detail and stopping ---------------------------------------------------------------------------
def test_stopping_and_restarting_a_code(client, municipality, staff_admin):
    # given
    promo = promo_code_create(**promo_fields(municipality))
    client.force_login(staff_admin)
    page = url(municipality, "staff-promo", promo_id=promo.pk)
    # when
    stopped = client.post(page, {"is_active": "0"})
    promo.refresh_from_db()
    # then
    assert stopped.status_code == 302 and promo.is_active is False
    client.post(page, {"is_active": "1"})
    promo.refresh_from_db()
    assert promo.is_active is True


def test_setting_the_state_a_code_has_changes_nothing(municipality):
    promo = promo_code_create(**promo_fields(municipality))
    again = promo_code_set_active(promo=promo, is_active=True)
    assert again.is_active is True and snapshot() == [model_to_dict(promo, exclude=["bundles"])]


def test_logistics_may_read_a_code_but_not_stop_it(client, municipality):
    # given
    promo = promo_code_create(**promo_fields(municipality))
    client.force_login(staff(municipality, Role.LOGISTICS))
    page = url(municipality, "staff-promo", promo_id=promo.pk)
    # when / then
    assert client.get(page).status_code == 200
    assert "이 코드 중지하기" not in client.get(page).content.decode()
    assert client.post(page, {"is_active": "0"}).status_code == 403
    promo.refresh_from_db()
    assert promo.is_active is True


def test_promo_detail_lists_its_uses_with_the_subscriber_masked(client, municipality, bundle, stripe_gateway):
    # given: 홍길동 subscribed with the code
    promo = promo_code_create(**promo_fields(municipality))
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway, user=UserFactory(name="홍길동"))
    sub = subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence="monthly"),
        term_boxes=1,
        address=address,
        payment_method=card,
        promo_code="winter-2026",
        acting_user=subscriber.user,
    )
    client.force_login(staff(municipality, Role.ADMIN))
    # when
    response = client.get(url(municipality, "staff-promo", promo_id=promo.pk))
    # then
    body = response.content.decode()
    assert [row.record.subscription_id for row in response.context["table"].rows] == [sub.pk]
    assert f'href="{url(municipality, "staff-subscription", subscription_id=sub.pk)}"' in body
    assert "홍*동" in body and "홍길동" not in body
    assert "1 / 제한 없음" in body


# --- Shipping support -------------------------------------------------------------------------------------------
def at(day: date, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=SEOUL)


def campaign_for(municipality, *, budget_won: int, starts_on: date, ends_on: date) -> ShippingSupportCampaign:
    return ShippingSupportCampaign.objects.create(
        municipality=municipality,
        name="2026 겨울 배송비 지원",
        budget_won=budget_won,
        per_box_cap_won=3_000,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def draw_at(subscription, moments: list[datetime]) -> None:
    """Draw ₩3,000 for one box per moment (each on its own cycle, through the real service), then move
    each draw's created_at to its moment."""
    cycles = DeliveryCycle.objects.for_tenant(subscription.municipality_id).order_by("cadence", "ship_date")
    for cycle, moment in zip(cycles, moments, strict=False):
        draw = shipping_support_draw(subscription=subscription, cycle=cycle, shipping_fee_won=3_000)
        ShippingSupportDraw.objects.filter(pk=draw.pk).update(created_at=moment)
    assert ShippingSupportDraw.objects.count() == len(moments)


def test_forecast_from_the_last_14_days_is_exact(municipality, subscription):
    # given: ₩20,000 budget; five boxes of ₩3,000 drawn: four in the window (today and the 13 days
    # before it, from 00:00 of its first day), one a second before the window
    today = timezone.localdate()
    campaign = campaign_for(
        municipality, budget_won=20_000, starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=60)
    )
    draw_at(
        subscription,
        [
            at(today - timedelta(days=1)),
            at(today - timedelta(days=3)),
            at(today - timedelta(days=10)),
            at(today - timedelta(days=13), 0, 0, 0),
            at(today - timedelta(days=14), 23, 59, 59),
        ],
    )
    campaign.refresh_from_db()
    # when
    forecast = support_campaign_forecast(campaign=campaign, today=today)
    # then: 12,000 over 14 days = 857.14/day; 5,000 left lasts ceil(5,000 × 14 / 12,000) = 6 days
    assert forecast == {
        "remaining_won": 5_000,
        "spent_in_window_won": 12_000,
        "window_days": 14,
        "daily_average_won": Decimal("857.14"),
        "projected_exhaustion_on": today + timedelta(days=6),
        "exhausted": False,
        "low_budget": False,
        "runs_out_before_end": True,
        "warn": True,
    }


def test_forecast_of_a_young_campaign_averages_over_its_own_days(municipality, subscription):
    # given: started 3 days ago (4 days with today), ₩6,000 drawn, ₩94,000 left, ends in 30 days
    today = timezone.localdate()
    campaign = campaign_for(
        municipality, budget_won=100_000, starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=30)
    )
    draw_at(subscription, [at(today - timedelta(days=2)), at(today, 0, 30)])
    campaign.refresh_from_db()
    # when
    forecast = support_campaign_forecast(campaign=campaign, today=today)
    # then: 1,500/day; ceil(94,000 / 1,500) = 63 days, after the end: no warning
    assert (forecast["window_days"], forecast["daily_average_won"]) == (4, Decimal("1500.00"))
    assert forecast["projected_exhaustion_on"] == today + timedelta(days=63)
    assert (forecast["runs_out_before_end"], forecast["low_budget"], forecast["warn"]) == (False, False, False)


def test_forecast_warns_when_less_than_a_tenth_is_left(municipality, subscription):
    # given: ₩3,200 budget, one box drawn 20 days ago: ₩200 left, nothing spent lately
    today = timezone.localdate()
    campaign = campaign_for(
        municipality, budget_won=3_200, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30)
    )
    draw_at(subscription, [at(today - timedelta(days=20))])
    campaign.refresh_from_db()
    # when
    forecast = support_campaign_forecast(campaign=campaign, today=today)
    # then
    assert (forecast["remaining_won"], forecast["daily_average_won"]) == (200, Decimal("0.00"))
    assert forecast["projected_exhaustion_on"] is None
    assert (forecast["low_budget"], forecast["warn"]) == (True, True)


def test_a_campaign_without_draws_has_no_forecast(municipality):
    today = timezone.localdate()
    campaign = campaign_for(municipality, budget_won=50_000, starts_on=today, ends_on=today + timedelta(days=10))
    forecast = support_campaign_forecast(campaign=campaign, today=today)
    assert (forecast["remaining_won"], forecast["projected_exhaustion_on"], forecast["warn"]) == (50_000, None, False)
    assert support_draws_by_week(campaign=campaign) == []


def test_draws_by_week_fill_the_weeks_without_draws(municipality, subscription):
    # given: two boxes on the Wednesday two weeks ago, none last week, one on this Monday at 00:10 (Seoul)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    campaign = campaign_for(
        municipality, budget_won=100_000, starts_on=monday - timedelta(days=20), ends_on=today + timedelta(days=30)
    )
    draw_at(subscription, [at(monday - timedelta(days=12)), at(monday - timedelta(days=12)), at(monday, 0, 10)])
    # when
    weeks = support_draws_by_week(campaign=campaign)
    # then
    assert weeks == [
        (monday - timedelta(days=14), 6_000),
        (monday - timedelta(days=7), 0),
        (monday, 3_000),
    ]


def test_support_page_shows_budget_use_warning_and_chart_data(client, municipality, subscription):
    # given: the history of the exact-forecast test
    today = timezone.localdate()
    campaign = campaign_for(
        municipality, budget_won=20_000, starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=60)
    )
    draw_at(subscription, [at(today - timedelta(days=d)) for d in (1, 3, 10, 12, 20)])
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    response = client.get(url(municipality, "staff-support"))
    # then
    body = response.content.decode()
    exhausted_on = today + timedelta(days=6)
    assert "예산이 곧 소진됩니다" in body
    assert f"예상 소진일 {exhausted_on.month}월 {exhausted_on.day}일" in body
    assert 'max="20000" value="15000">75%</progress>' in body
    assert "75% 사용 (20,000원 중 15,000원)" in body
    assert f'id="campaign-{campaign.pk}-chart" type="application/json"' in body
    assert "vendor/chartjs/chart.umd.min" in body
    assert "주별 지원액 표로 보기" in body
    item = response.context["campaigns"][0]
    assert sum(value for value in item["chart"]["values"]) == 15_000


# --- Shipping support: creating campaigns ---------------------------------------------------------------------
def campaign_post(**overrides) -> dict:
    data = {
        "name": "2026 겨울 배송비 지원",
        "budget_won": "5000000",
        "per_box_cap_won": "3000",
        "starts_on": "2026-12-01",
        "ends_on": "2027-02-28",
    }
    return {**data, **overrides}


def test_finance_creates_a_campaign(client, municipality):
    # given
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    response = client.post(url(municipality, "staff-support-create"), campaign_post())
    # then
    assert response.status_code == 302
    campaign = ShippingSupportCampaign.objects.get()
    assert (campaign.municipality, campaign.budget_won, campaign.spent_won, campaign.per_box_cap_won) == (
        municipality,
        5_000_000,
        0,
        3_000,
    )
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 12, 1), date(2027, 2, 28))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2026-11-30"}, "종료일은 시작일과 같거나 뒤여야 합니다."),
        ({"budget_won": "0"}, "예산은 0원보다 커야 합니다."),
        ({"budget_won": "2000"}, "1상자 지원 한도는 예산보다 클 수 없습니다."),
    ],
)
def test_bad_campaign_input_is_explained_and_creates_nothing(client, municipality, overrides, message):
    client.force_login(staff(municipality, Role.ADMIN))
    response = client.post(url(municipality, "staff-support-create"), campaign_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ShippingSupportCampaign.objects.count() == 0


def test_logistics_cannot_create_a_campaign(client, municipality):
    client.force_login(staff(municipality, Role.LOGISTICS))
    assert client.post(url(municipality, "staff-support-create"), campaign_post()).status_code == 403
    assert ShippingSupportCampaign.objects.count() == 0
