"""The staff delivery-settings pages: roles admin and logistics only; every bad input refused in Korean with
nothing saved; another municipality's holiday or pickup point is a 404."""

from datetime import date

import pytest
from django.urls import reverse

from delivery.models import DeliveryHoliday, DeliverySettings, PickupPoint
from delivery.options import PickupPointData, pickup_point_save, settings_for
from tests.municipalities.factories import MembershipFactory


def _url(name: str, municipality, **kwargs) -> str:
    return reverse(f"delivery:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def _form(**changes) -> dict:
    data = {"local_postcodes": "", "local_area_names": "", "cold_weekdays": ["0", "1", "2", "3"]}
    data.update(changes)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("logistics", 200), ("curator", 403), ("merchant", 403)])
def test_the_settings_page_is_for_admin_and_logistics(client, municipality, role, status):
    client.force_login(MembershipFactory(municipality=municipality, role=role).user)
    assert client.get(_url("staff-settings", municipality)).status_code == status


@pytest.mark.django_db
def test_someone_without_a_role_here_gets_a_404(client, municipality, other_municipality):
    client.force_login(MembershipFactory(municipality=other_municipality, role="admin").user)
    assert client.get(_url("staff-settings", municipality)).status_code == 404


@pytest.mark.django_db
def test_staff_save_the_local_area_and_weekdays(client, municipality, staff_admin):
    client.force_login(staff_admin)
    response = client.post(
        _url("staff-settings", municipality),
        _form(allow_local="on", local_postcodes="52300-52399\n52405", local_area_names="하동읍, 악양면"),
    )
    assert response.status_code == 302
    saved = DeliverySettings.objects.get(municipality=municipality)
    assert saved.allow_local is True
    assert saved.local_postcode_ranges == [["52300", "52399"], ["52405", "52405"]]
    assert saved.local_area_names == ["하동읍", "악양면"]
    page = client.get(_url("staff-settings", municipality)).content.decode()
    assert "52300-52399\n52405" in page


@pytest.mark.django_db
def test_bad_postcodes_are_listed_and_nothing_is_saved(client, municipality, staff_admin):
    client.force_login(staff_admin)
    response = client.post(
        _url("staff-settings", municipality),
        _form(allow_local="on", local_postcodes="52300-52399\n5230x", local_area_names="하동군"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "2번째 줄 ‘5230x’" in html
    assert "1번째 줄 ‘하동군’" in html
    assert settings_for(municipality=municipality).allow_local is False


@pytest.mark.django_db
def test_pickup_without_a_point_and_no_cold_weekday_are_refused(client, municipality, staff_admin):
    client.force_login(staff_admin)
    response = client.post(_url("staff-settings", municipality), _form(allow_pickup="on", cold_weekdays=[]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "방문 수령을 허용하려면 먼저 운영 중인 수령 장소를 하나 이상 등록해 주세요." in html
    assert "냉장·냉동 상자를 보낼 요일을 하나 이상 골라 주세요." in html
    assert settings_for(municipality=municipality).allow_pickup is False


@pytest.mark.django_db
def test_holidays_are_added_refused_twice_and_removed(client, municipality, other_municipality, staff_admin):
    client.force_login(staff_admin)
    assert (
        client.post(_url("staff-holiday-add", municipality), {"day": "2027-02-06", "name": "설날"}).status_code == 302
    )
    again = client.post(_url("staff-holiday-add", municipality), {"day": "2027-02-06", "name": "설"})
    assert again.status_code == 400
    assert "2027-02-06은(는) 이미 휴일로 등록되어 있습니다." in again.content.decode()
    holiday = DeliveryHoliday.objects.get(municipality=municipality)
    assert (holiday.date, holiday.name) == (date(2027, 2, 6), "설날")
    # another municipality's holiday id is a 404 here
    theirs = DeliveryHoliday.objects.create(municipality=other_municipality, date=date(2027, 2, 7), name="x")
    assert client.post(_url("staff-holiday-delete", municipality, holiday_id=theirs.pk)).status_code == 404
    assert client.post(_url("staff-holiday-delete", municipality, holiday_id=holiday.pk)).status_code == 302
    assert not DeliveryHoliday.objects.filter(municipality=municipality).exists()
    assert DeliveryHoliday.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_pickup_points_are_made_and_edited_and_others_are_404(client, municipality, other_municipality, staff_admin):
    client.force_login(staff_admin)
    made = client.post(
        _url("staff-pickup-point-create", municipality),
        {"name": "하동시장 고객센터", "address": "하동읍 시장길 1", "hours": "매일 8~20시", "is_active": "on"},
    )
    assert made.status_code == 302
    point = PickupPoint.objects.get(municipality=municipality)
    clash = client.post(
        _url("staff-pickup-point-create", municipality),
        {"name": "하동시장 고객센터", "address": "다른 곳", "hours": "평일", "is_active": "on"},
    )
    assert clash.status_code == 400
    assert "이미 있습니다" in clash.content.decode()
    edited = client.post(
        _url("staff-pickup-point", municipality, point_id=point.pk),
        {"name": "하동시장 고객센터", "address": "하동읍 시장길 1", "hours": "평일 9~18시"},
    )
    assert edited.status_code == 302
    point.refresh_from_db()
    assert (point.hours, point.is_active) == ("평일 9~18시", False)
    theirs = pickup_point_save(
        municipality=other_municipality, data=PickupPointData("남의 곳", "주소", "평일"), acting_user=None
    )
    assert client.get(_url("staff-pickup-point", municipality, point_id=theirs.pk)).status_code == 404
