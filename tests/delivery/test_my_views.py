"""The subscriber's box pages (list, detail with timeline and tracking, rating) and the delivery-method page:
the owner only; anyone else's box or another municipality's is a 404; refusals are Korean and change nothing."""

from datetime import date

import pytest
import time_machine
from django.test import RequestFactory
from django.urls import reverse

from delivery.courier import tracking_import
from delivery.models import BoxRating, DeliveryPreference, Shipment
from delivery.options import PickupPointData, delivery_settings_update, holiday_add, pickup_point_save
from delivery.ratings import box_rating_save
from delivery.services import shipment_move, shipments_create_for_cycle
from municipalities import area_ui
from tests.accounts.factories import UserFactory
from tests.bundles.factories import ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, shipped_cycle, subscribe


def _url(name: str, municipality, **kwargs) -> str:
    return reverse(f"delivery:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


@pytest.fixture
def box(municipality, stripe_gateway) -> Shipment:
    _cycle, orders = shipped_cycle(municipality, stripe_gateway, 1)
    return Shipment.objects.select_related("order__subscriber__user", "order__subscription").get(order=orders[0])


def _deliver(box: Shipment) -> Shipment:
    tracking_import(
        municipality=box.municipality,
        raw=f"주문번호,택배사,운송장번호\n{box.order_id},CJ대한통운,123456789012\n".encode(),
        acting_user=None,
    )
    return shipment_move(shipment=Shipment.objects.get(pk=box.pk), to="delivered", acting_user=None)


@pytest.mark.django_db
def test_the_owner_sees_the_box_with_timeline_tracking_link_and_contents(client, box):
    # given
    box = _deliver(box)
    client.force_login(box.order.subscriber.user)
    # when
    response = client.get(_url("my-shipment", box.municipality, shipment_id=box.pk))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert box.order.bundle_name in html
    assert "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012" in html
    assert html.count('class="ship-step is-done"') == 4  # delivered: every step done
    assert 'aria-current="step"' in html
    for item in box.order.items.all():
        assert item.product_name in html
    assert 'name="score"' in html  # delivered: the rating form is there


@pytest.mark.django_db
def test_the_list_shows_only_the_signed_in_subscribers_boxes(client, municipality, stripe_gateway):
    _cycle, orders = shipped_cycle(municipality, stripe_gateway, 2)
    mine, theirs = (Shipment.objects.get(order=o) for o in orders)
    client.force_login(orders[0].subscriber.user)
    response = client.get(_url("my-shipments", municipality))
    assert response.status_code == 200
    html = response.content.decode()
    assert _url("my-shipment", municipality, shipment_id=mine.pk) in html
    assert _url("my-shipment", municipality, shipment_id=theirs.pk) not in html


@pytest.mark.django_db
def test_someone_elses_box_is_a_404(client, box):
    client.force_login(UserFactory())
    assert client.get(_url("my-shipment", box.municipality, shipment_id=box.pk)).status_code == 404


@pytest.mark.django_db
def test_a_box_under_another_municipalitys_address_is_a_404(client, box, other_municipality):
    client.force_login(box.order.subscriber.user)
    assert client.get(_url("my-shipment", other_municipality, shipment_id=box.pk)).status_code == 404


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client, box):
    response = client.get(_url("my-shipment", box.municipality, shipment_id=box.pk))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_one_tap_rating_after_delivery(client, box):
    box = _deliver(box)
    client.force_login(box.order.subscriber.user)
    response = client.post(_url("my-shipment-rate", box.municipality, shipment_id=box.pk), {"score": "5"})
    assert response.status_code == 302
    assert list(BoxRating.objects.values_list("score", "comment")) == [(5, "")]


@pytest.mark.django_db
def test_rating_a_box_not_delivered_is_refused_in_korean(client, box):
    client.force_login(box.order.subscriber.user)
    response = client.post(_url("my-shipment-rate", box.municipality, shipment_id=box.pk), {"score": "5"})
    assert response.status_code == 400
    assert "배송이 완료된 상자만 평가할 수 있습니다." in response.content.decode()
    assert not BoxRating.objects.exists()


@pytest.mark.django_db
def test_rating_someone_elses_box_is_a_404(client, box):
    box = _deliver(box)
    client.force_login(UserFactory())
    response = client.post(_url("my-shipment-rate", box.municipality, shipment_id=box.pk), {"score": "5"})
    assert response.status_code == 404
    assert not BoxRating.objects.exists()


@pytest.mark.django_db
def test_a_rating_without_a_score_asks_for_one(client, box):
    box = _deliver(box)
    client.force_login(box.order.subscriber.user)
    response = client.post(_url("my-shipment-rate", box.municipality, shipment_id=box.pk), {"comment": "좋아요"})
    assert response.status_code == 400
    assert "별점을 1점부터 5점 중에서 골라 주세요." in response.content.decode()
    assert not BoxRating.objects.exists()


# --- Delivery method -----------------------------------------------------------------------------------------
@pytest.fixture
def options_open(municipality):
    point = pickup_point_save(
        municipality=municipality, data=PickupPointData("하동시장", "시장길 1", "매일"), acting_user=None
    )
    delivery_settings_update(
        municipality=municipality,
        allow_local=True,
        allow_pickup=True,
        local_postcode_ranges=[],
        local_area_names=["악양면"],
        cold_weekdays=[0, 1, 2, 3],
        acting_user=None,
    )
    return point


@pytest.mark.django_db
def test_the_subscriber_chooses_pickup_at_a_point(client, box, options_open):
    sub = box.order.subscription
    client.force_login(box.order.subscriber.user)
    url = _url("my-delivery-method", box.municipality, subscription_id=sub.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert "하동시장" in page.content.decode()
    response = client.post(url, {"method": "pickup", "pickup_point": options_open.pk})
    assert response.status_code == 302
    preference = DeliveryPreference.objects.get(subscription=sub)
    assert (preference.method, preference.pickup_point_id) == ("pickup", options_open.pk)


@pytest.mark.django_db
def test_local_delivery_outside_the_area_is_refused_on_the_page(client, box, options_open):
    # the helpers' address is 하동읍 52302; the area is 악양면 only
    sub = box.order.subscription
    client.force_login(box.order.subscriber.user)
    response = client.post(_url("my-delivery-method", box.municipality, subscription_id=sub.pk), {"method": "local"})
    assert response.status_code == 400
    assert "직접 배송 지역 밖이라 지역 직접 배송을 고를 수 없습니다" in response.content.decode()
    assert not DeliveryPreference.objects.filter(subscription=sub).exists()


@pytest.mark.django_db
def test_a_method_the_municipality_does_not_offer_is_refused(client, box):
    sub = box.order.subscription
    client.force_login(box.order.subscriber.user)
    response = client.post(_url("my-delivery-method", box.municipality, subscription_id=sub.pk), {"method": "local"})
    assert response.status_code == 400
    assert not DeliveryPreference.objects.filter(subscription=sub).exists()


@pytest.mark.django_db
def test_another_subscribers_delivery_method_page_is_a_404(client, box, other_municipality):
    sub = box.order.subscription
    client.force_login(UserFactory())
    assert client.get(_url("my-delivery-method", box.municipality, subscription_id=sub.pk)).status_code == 404
    client.force_login(box.order.subscriber.user)
    assert client.get(_url("my-delivery-method", other_municipality, subscription_id=sub.pk)).status_code == 404


# --- Sections on other apps' pages ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_my_subscription_shows_the_delivery_method_and_recent_boxes(client, box, options_open):
    sub = box.order.subscription
    client.force_login(box.order.subscriber.user)
    response = client.get(
        reverse(
            "subscriptions:my-detail", kwargs={"municipality_slug": box.municipality.slug, "subscription_id": sub.pk}
        )
    )
    html = response.content.decode()
    assert "받는 방법" in html
    assert _url("my-delivery-method", box.municipality, subscription_id=sub.pk) in html
    assert _url("my-shipment", box.municipality, shipment_id=box.pk) in html


@pytest.mark.django_db
def test_the_staff_dashboard_shows_the_ratings_widget(client, box, staff_admin):
    box = _deliver(box)
    box_rating_save(shipment=box, user=box.order.subscriber.user, score=4, comment="포장이 꼼꼼해요")
    client.force_login(staff_admin)
    response = client.get(reverse("municipalities:staff-home", kwargs={"municipality_slug": box.municipality.slug}))
    html = response.content.decode()
    assert "상자 평가" in html
    assert "4.0점" in html
    assert "포장이 꼼꼼해요" in html
    assert 'id="ratings-chart-data"' in html


@pytest.mark.django_db
def test_the_merchant_home_shows_its_products_ratings(client, box):
    box = _deliver(box)
    box_rating_save(shipment=box, user=box.order.subscriber.user, score=3)
    item = box.order.items.select_related("merchant", "product").first()
    rendered = area_ui.sections_for("merchant_home", _request(box.municipality), item.merchant)
    assert any(item.product.name in html and "3.0점" in html for html in rendered)


def _request(municipality):
    request = RequestFactory().get("/")
    request.municipality = municipality
    request.resolver_match = None
    request.roles = frozenset({"merchant"})
    return request


@pytest.mark.django_db
def test_a_cold_box_waiting_for_an_allowed_day_says_when_and_why(client, municipality, stripe_gateway):
    # given: a chilled box of the Thursday cycle, with Friday a holiday
    holiday_add(municipality=municipality, day=date(2026, 11, 20), name="임시 휴일", acting_user=None)
    product = ProductFactory(merchant__municipality=municipality, storage_class="chilled")
    plan = bundle_with(municipality, [(product, 1)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        sub = subscribe(municipality, stripe_gateway, plan)
    close_and_charge(sub.first_cycle, stripe_gateway)
    shipments_create_for_cycle(cycle=sub.first_cycle)
    box = Shipment.objects.get(order__subscription=sub)
    client.force_login(sub.subscriber.user)
    # when
    with time_machine.travel(BEFORE, tick=False):
        html = client.get(_url("my-shipment", municipality, shipment_id=box.pk)).content.decode()
    # then
    assert "11월 23일(월) 발송" in html
    assert "11월 23일(월) 예정" in html
    assert "냉장·냉동 상자는 주말이나 휴일 전날에 보내지 않습니다" in html
    assert 'name="score"' not in html  # not delivered: no rating yet
