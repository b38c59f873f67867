"""Delivery settings, the local area, cold-chain days and the subscriber's choice of method."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from delivery.models import DeliveryHoliday, DeliveryPreference, DeliverySettings, PickupPoint
from delivery.options import (
    DeliveryChoiceNotAllowed,
    PickupPointData,
    cold_ship_on,
    delivery_preference_set,
    delivery_settings_update,
    effective_choice,
    holiday_add,
    in_local_area,
    parse_area_names,
    parse_postcode_ranges,
    pickup_point_save,
    settings_for,
)
from subscriptions.models import Subscription
from tests.delivery.helpers import BEFORE, subscribe_at
from tests.subscriptions.helpers import published_bundle

MON, THU, FRI, SAT, SUN = (
    date(2026, 11, 16),
    date(2026, 11, 19),
    date(2026, 11, 20),
    date(2026, 11, 21),
    date(2026, 11, 22),
)
DEFAULT = [0, 1, 2, 3]


# --- Parsing the local area ----------------------------------------------------------------------------------
def test_postcodes_take_single_codes_and_ranges_sorted_without_duplicates():
    assert parse_postcode_ranges("52300-52399\n52305, 52305\n 48000 ~ 48010 ") == [
        ["48000", "48010"],
        ["52300", "52399"],
        ["52305", "52305"],
    ]
    assert parse_postcode_ranges("  \n") == []


def test_every_bad_postcode_is_reported_with_its_line():
    with pytest.raises(ValidationError) as error:
        parse_postcode_ranges("52300\n5230\n52399-52300\n하동")
    assert error.value.messages == [
        "2번째 줄 ‘5230’: 우편번호는 숫자 5자리(52305) 또는 범위(52300-52399)로 적어 주세요.",
        "3번째 줄 ‘52399-52300’: 범위의 시작이 끝보다 큽니다.",
        "4번째 줄 ‘하동’: 우편번호는 숫자 5자리(52305) 또는 범위(52300-52399)로 적어 주세요.",
    ]


def test_area_names_keep_their_order_and_refuse_what_is_not_a_place():
    assert parse_area_names("하동읍, 악양면\n종로1가\n하동읍") == ["하동읍", "악양면", "종로1가"]
    with pytest.raises(ValidationError) as error:
        parse_area_names("하동읍\n하동군\nhadong-eup")
    assert [m.split(":")[0] for m in error.value.messages] == ["2번째 줄 ‘하동군’", "3번째 줄 ‘hadong-eup’"]


def test_an_address_is_in_the_area_by_postcode_range_or_by_a_whole_place_name():
    settings = DeliverySettings(local_postcode_ranges=[["52300", "52310"]], local_area_names=["악양면", "세종로"])
    assert in_local_area(settings, postcode="52300", road_address="어디든")
    assert in_local_area(settings, postcode="52310", road_address="어디든")
    assert not in_local_area(settings, postcode="52311", road_address="경상남도 하동군 화개면 쌍계로 1")
    assert in_local_area(settings, postcode="99999", road_address="경상남도 하동군 악양면 평사리길 1")
    assert in_local_area(settings, postcode="99999", road_address="x", jibun_address="경상남도 하동군 악양면 평사리 1")
    # a 동 in the brackets of a road address counts; a name inside another word does not
    assert in_local_area(settings, postcode="03000", road_address="서울특별시 종로구 세종대로 209 (세종로)")
    assert not in_local_area(settings, postcode="99999", road_address="경상남도 하동군 신악양면 1")


# --- Cold-chain days -----------------------------------------------------------------------------------------
def test_cold_boxes_ship_monday_to_thursday_by_default_and_wait_for_the_next_allowed_day():
    assert cold_ship_on(ship_date=THU, weekdays=DEFAULT, holidays=set()) == THU
    assert cold_ship_on(ship_date=FRI, weekdays=DEFAULT, holidays=set()) == date(2026, 11, 23)
    assert cold_ship_on(ship_date=SAT, weekdays=DEFAULT, holidays=set()) == date(2026, 11, 23)
    assert cold_ship_on(ship_date=SUN, weekdays=DEFAULT, holidays=set()) == date(2026, 11, 23)


def test_no_cold_box_ships_on_a_holiday_or_the_day_before_one():
    # the eve of a Friday holiday
    assert cold_ship_on(ship_date=THU, weekdays=DEFAULT, holidays={FRI}) == date(2026, 11, 23)
    # a holiday on Monday: Sunday is its eve (not a weekday anyway), Monday itself is out, Tuesday goes
    assert cold_ship_on(ship_date=FRI, weekdays=DEFAULT, holidays={date(2026, 11, 23)}) == date(2026, 11, 24)
    # 추석 연휴 of three days from Wednesday: Tuesday is an eve, the next free Monday–Thursday day is Monday
    chuseok = {date(2026, 11, 25), date(2026, 11, 26), date(2026, 11, 27)}
    assert cold_ship_on(ship_date=date(2026, 11, 24), weekdays=DEFAULT, holidays=chuseok) == date(2026, 11, 30)


def test_the_municipality_can_allow_other_weekdays():
    assert cold_ship_on(ship_date=FRI, weekdays=[0, 1, 2, 3, 4], holidays=set()) == FRI
    assert cold_ship_on(ship_date=MON, weekdays=[2], holidays=set()) == date(2026, 11, 18)


# --- Staff settings ------------------------------------------------------------------------------------------
def _update(municipality, **changes):
    values = {
        "allow_local": False,
        "allow_pickup": False,
        "local_postcode_ranges": [],
        "local_area_names": [],
        "cold_weekdays": DEFAULT,
        "acting_user": None,
    }
    values.update(changes)
    return delivery_settings_update(municipality=municipality, **values)


@pytest.mark.django_db
def test_settings_are_made_once_with_defaults(municipality):
    first = settings_for(municipality=municipality)
    again = settings_for(municipality=municipality)
    assert first.pk == again.pk
    assert (first.allow_local, first.allow_pickup, first.cold_weekdays) == (False, False, DEFAULT)
    assert DeliverySettings.objects.filter(municipality=municipality).count() == 1


@pytest.mark.django_db
def test_local_delivery_needs_an_area_and_pickup_needs_an_open_point(municipality, staff_admin):
    # given
    before = settings_for(municipality=municipality)
    # when / then
    with pytest.raises(ValidationError) as error:
        _update(municipality, allow_local=True, allow_pickup=True, cold_weekdays=[])
    assert error.value.messages == [
        "지역 직접 배송을 허용하려면 직접 배송 지역(우편번호 또는 읍·면·동)을 하나 이상 적어 주세요.",
        "방문 수령을 허용하려면 먼저 운영 중인 수령 장소를 하나 이상 등록해 주세요.",
        "냉장·냉동 상자를 보낼 요일을 하나 이상 골라 주세요.",
    ]
    after = DeliverySettings.objects.get(pk=before.pk)
    assert (after.allow_local, after.allow_pickup, after.cold_weekdays) == (False, False, DEFAULT)


@pytest.mark.django_db
def test_settings_are_saved_when_valid(municipality, staff_admin):
    pickup_point_save(
        municipality=municipality,
        data=PickupPointData("하동군청 민원실", "군청로 23", "평일"),
        acting_user=None,
    )
    saved = _update(
        municipality,
        allow_local=True,
        allow_pickup=True,
        local_postcode_ranges=[["52300", "52399"]],
        local_area_names=["하동읍"],
        cold_weekdays=[2, 0, 1],
        acting_user=staff_admin,
    )
    saved.refresh_from_db()
    assert (saved.allow_local, saved.allow_pickup) == (True, True)
    assert saved.local_postcode_ranges == [["52300", "52399"]]
    assert saved.cold_weekdays == [0, 1, 2]
    assert saved.updated_by == staff_admin


@pytest.mark.django_db
def test_a_holiday_date_is_listed_once_and_needs_a_name(municipality):
    holiday_add(municipality=municipality, day=date(2027, 2, 6), name="설날", acting_user=None)
    with pytest.raises(ValidationError) as error:
        holiday_add(municipality=municipality, day=date(2027, 2, 6), name="설 연휴", acting_user=None)
    assert error.value.messages == ["2027-02-06은(는) 이미 휴일로 등록되어 있습니다."]
    with pytest.raises(ValidationError) as error:
        holiday_add(municipality=municipality, day=date(2027, 2, 7), name="  ", acting_user=None)
    assert error.value.messages == ["휴일 이름을 적어 주세요. (예: 추석)"]
    assert list(DeliveryHoliday.objects.filter(municipality=municipality).values_list("name", flat=True)) == ["설날"]


@pytest.mark.django_db
def test_pickup_point_names_are_unique_and_the_last_open_point_stays_open_while_pickup_is_on(municipality):
    point = pickup_point_save(
        municipality=municipality, data=PickupPointData("하동읍 행정복지센터", "주소", "평일"), acting_user=None
    )
    with pytest.raises(ValidationError) as error:
        pickup_point_save(
            municipality=municipality, data=PickupPointData("하동읍 행정복지센터", "b", "c"), acting_user=None
        )
    assert error.value.messages == ["‘하동읍 행정복지센터’ 수령 장소가 이미 있습니다. 다른 이름을 적어 주세요."]
    _update(municipality, allow_pickup=True)
    with pytest.raises(ValidationError):
        pickup_point_save(
            municipality=municipality,
            point=point,
            data=PickupPointData("하동읍 행정복지센터", "주소", "평일", is_active=False),
            acting_user=None,
        )
    point.refresh_from_db()
    assert point.is_active is True
    assert PickupPoint.objects.filter(municipality=municipality).count() == 1


# --- The subscriber's choice ---------------------------------------------------------------------------------
IN_AREA = {"postcode": "52302", "road_address": "경상남도 하동군 하동읍 군청로 23"}
OUTSIDE = {"postcode": "06000", "road_address": "서울특별시 강남구 테헤란로 1"}


@pytest.fixture
def open_options(municipality):
    point = pickup_point_save(
        municipality=municipality,
        data=PickupPointData("하동시장 고객센터", "시장길 1", "매일"),
        acting_user=None,
    )
    _update(municipality, allow_local=True, allow_pickup=True, local_postcode_ranges=[["52300", "52399"]])
    return point


def _subscription(municipality, gateway, address):
    with time_machine.travel(BEFORE, tick=False):
        plan = published_bundle(municipality, cadences=("weekly",)).plans.get()
        return subscribe_at(municipality, gateway, plan, **address)


@pytest.mark.django_db
def test_a_subscriber_in_the_area_chooses_local_delivery_then_pickup(municipality, stripe_gateway, open_options):
    sub = _subscription(municipality, stripe_gateway, IN_AREA)
    user = sub.subscriber.user
    delivery_preference_set(subscription=sub, method="local", acting_user=user)
    assert effective_choice(subscription=sub).method == "local"
    delivery_preference_set(subscription=sub, method="pickup", pickup_point_id=open_options.pk, acting_user=user)
    preference = DeliveryPreference.objects.get(subscription=sub)
    assert (preference.method, preference.pickup_point, preference.updated_by) == ("pickup", open_options, user)
    choice = effective_choice(subscription=sub)
    assert (choice.method, choice.pickup_point) == ("pickup", open_options)


@pytest.mark.django_db
def test_local_delivery_outside_the_area_is_refused_and_nothing_changes(municipality, stripe_gateway, open_options):
    sub = _subscription(municipality, stripe_gateway, OUTSIDE)
    with pytest.raises(DeliveryChoiceNotAllowed) as error:
        delivery_preference_set(subscription=sub, method="local", acting_user=None)
    assert error.value.message.startswith("배송지(서울특별시 강남구 테헤란로 1)가 직접 배송 지역 밖이라")
    assert not DeliveryPreference.objects.filter(subscription=sub).exists()


@pytest.mark.django_db
def test_methods_the_municipality_does_not_offer_are_refused(municipality, stripe_gateway):
    # given: nothing but courier is offered; a pickup point exists but pickup is off
    point = pickup_point_save(municipality=municipality, data=PickupPointData("센터", "주소", "평일"), acting_user=None)
    sub = _subscription(municipality, stripe_gateway, IN_AREA)
    delivery_preference_set(subscription=sub, method="courier", acting_user=None)
    # when / then
    with pytest.raises(DeliveryChoiceNotAllowed) as error:
        delivery_preference_set(subscription=sub, method="local", acting_user=None)
    assert error.value.message == "이 지역에서는 지역 직접 배송을 고를 수 없습니다."
    with pytest.raises(DeliveryChoiceNotAllowed) as error:
        delivery_preference_set(subscription=sub, method="pickup", pickup_point_id=point.pk, acting_user=None)
    assert error.value.message == "이 지역에서는 방문 수령을 고를 수 없습니다."
    with pytest.raises(DeliveryChoiceNotAllowed):
        delivery_preference_set(subscription=sub, method="drone", acting_user=None)
    assert list(DeliveryPreference.objects.filter(subscription=sub).values_list("method", flat=True)) == ["courier"]


@pytest.mark.django_db
def test_pickup_at_a_closed_or_another_municipalitys_point_is_refused(
    municipality, other_municipality, stripe_gateway, open_options
):
    theirs = pickup_point_save(
        municipality=other_municipality, data=PickupPointData("남의 센터", "주소", "평일"), acting_user=None
    )
    closed = pickup_point_save(
        municipality=municipality, data=PickupPointData("닫은 곳", "주소", "평일", is_active=False), acting_user=None
    )
    sub = _subscription(municipality, stripe_gateway, IN_AREA)
    for point in (theirs, closed):
        with pytest.raises(DeliveryChoiceNotAllowed) as error:
            delivery_preference_set(subscription=sub, method="pickup", pickup_point_id=point.pk, acting_user=None)
        assert error.value.message == "받으실 수령 장소를 골라 주세요."
    assert not DeliveryPreference.objects.filter(subscription=sub).exists()


@pytest.mark.django_db
def test_the_next_box_falls_back_to_courier_when_the_choice_no_longer_holds(municipality, stripe_gateway, open_options):
    sub = _subscription(municipality, stripe_gateway, IN_AREA)
    delivery_preference_set(subscription=sub, method="local", acting_user=None)
    # the subscriber moves out of the area
    type(sub.address).objects.filter(pk=sub.address_id).update(**OUTSIDE)
    sub.address.refresh_from_db()
    choice = effective_choice(subscription=sub)
    assert (choice.method, choice.asked_method) == ("courier", "local")
    assert choice.note == "배송지가 직접 배송 지역 밖이라 택배로 보내 드립니다."


@pytest.mark.django_db
def test_a_canceled_subscription_keeps_its_method(municipality, stripe_gateway, open_options):
    sub = _subscription(municipality, stripe_gateway, IN_AREA)
    Subscription.objects.filter(pk=sub.pk).update(status=Subscription.Status.CANCELED)
    sub.refresh_from_db()
    with pytest.raises(DeliveryChoiceNotAllowed) as error:
        delivery_preference_set(subscription=sub, method="local", acting_user=None)
    assert error.value.message == "해지한 구독은 받는 방법을 바꿀 수 없습니다."
    assert not DeliveryPreference.objects.filter(subscription=sub).exists()
