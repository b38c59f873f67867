import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bundles.models import Merchant
from bundles.services import merchant_member_bind
from municipalities.models import Role
from tests.accounts.factories import UserFactory
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"bundles:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def merchant(municipality):
    return MerchantFactory(municipality=municipality, name="화개제다", story="우전 녹차를 덖습니다.")


@pytest.fixture
def merchant_user(merchant):
    user = UserFactory()
    merchant_member_bind(merchant=merchant, user=user)
    return user


def test_merchant_sees_own_profile_and_products_only(client, municipality, merchant, merchant_user):
    # given
    ProductFactory(merchant=merchant, name="우전 녹차", supply_price_won=18_000, stock_per_cycle=40)
    ProductFactory(merchant=MerchantFactory(municipality=municipality, name="악양곶감"), name="대봉 곶감")
    client.force_login(merchant_user)
    # when
    response = client.get(url("merchant-home", municipality))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["merchant"] == merchant
    assert [product.name for product, _season in response.context["products"]] == ["우전 녹차"]
    assert "우전 녹차" in body and "18,000원" in body and "40개" in body
    assert "악양곶감" not in body and "대봉 곶감" not in body


def test_merchant_sees_own_account_masked(client, municipality, merchant, merchant_user):
    client.force_login(merchant_user)
    body = client.get(url("merchant-home", municipality)).content.decode()
    assert "***-****-**78-91" in body
    assert "302-1234-5678-91" not in body


@pytest.mark.parametrize("page", ["staff-merchants", "staff-products", "staff-bundles", "staff-plans"])
def test_merchant_user_gets_403_on_staff_lists(client, municipality, merchant_user, page):
    client.force_login(merchant_user)
    assert client.get(url(page, municipality)).status_code == 403


def test_merchant_user_cannot_open_another_merchant_through_staff_pages(client, municipality, merchant_user):
    # given
    other = MerchantFactory(municipality=municipality, name="악양곶감")
    client.force_login(merchant_user)
    # when
    responses = [
        client.get(url("staff-merchant", municipality, merchant_id=other.pk)),
        client.post(url("staff-merchant", municipality, merchant_id=other.pk), {"section": "profile", "name": "x"}),
        client.get(url("staff-product-export", municipality, merchant_id=other.pk)),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert Merchant.objects.get(pk=other.pk).name == "악양곶감"


def test_merchant_role_without_a_binding_gets_404(client, municipality):
    user = MembershipFactory(municipality=municipality, role=Role.MERCHANT).user
    client.force_login(user)
    assert client.get(url("merchant-home", municipality)).status_code == 404
    assert client.get(url("merchant-profile", municipality)).status_code == 404


def test_merchant_of_one_town_gets_404_in_another_towns_portal(client, other_municipality, merchant_user):
    client.force_login(merchant_user)
    assert client.get(url("merchant-home", other_municipality)).status_code == 404
    assert client.get(url("merchant-profile", other_municipality)).status_code == 404


def test_merchant_bound_in_another_town_does_not_see_that_merchant_here(
    client, municipality, other_municipality, merchant_user
):
    # given: the same person is also a merchant-role member here, but bound to nobody here
    MembershipFactory(municipality=other_municipality, user=merchant_user, role=Role.MERCHANT)
    client.force_login(merchant_user)
    # when
    response = client.get(url("merchant-home", other_municipality))
    # then
    assert response.status_code == 404


def test_staff_roles_do_not_open_the_merchant_portal(client, municipality, staff_admin):
    client.force_login(staff_admin)
    assert client.get(url("merchant-home", municipality)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, municipality):
    response = client.get(url("merchant-home", municipality))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_merchant_edits_story_phone_address_and_photo(client, municipality, merchant, merchant_user):
    # given
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 180, 40)).save(buffer, format="JPEG")
    client.force_login(merchant_user)
    # when
    response = client.post(
        url("merchant-profile", municipality),
        {
            "story": "3대째 차를 덖습니다.",
            "phone": "055-883-9999",
            "address": "경상남도 하동군 화개면 화개로 1",
            "photo": SimpleUploadedFile("shop.jpg", buffer.getvalue(), content_type="image/jpeg"),
        },
    )
    # then
    merchant.refresh_from_db()
    assert response.status_code == 302
    assert response.url == url("merchant-home", municipality)
    assert (merchant.story, merchant.phone, merchant.address) == (
        "3대째 차를 덖습니다.",
        "055-883-9999",
        "경상남도 하동군 화개면 화개로 1",
    )
    assert merchant.photo.name.startswith("merchants/")


def test_merchant_cannot_change_business_number_account_or_active_flag(client, municipality, merchant, merchant_user):
    # given
    before = Merchant.objects.values(
        "name", "business_registration_number", "bank_code", "account_number", "account_holder", "is_active"
    ).get(pk=merchant.pk)
    client.force_login(merchant_user)
    # when
    response = client.post(
        url("merchant-profile", municipality),
        {
            "story": "새 이야기",
            "phone": merchant.phone,
            "address": merchant.address,
            "name": "바뀐 상호",
            "business_registration_number": "123-45-67890",
            "bank_code": "004",
            "account_number": "999-999-999999",
            "account_holder": "다른사람",
            "is_active": "",
        },
    )
    # then
    assert response.status_code == 302
    after = Merchant.objects.values(*before).get(pk=merchant.pk)
    assert after == before
    assert Merchant.objects.get(pk=merchant.pk).story == "새 이야기"


def test_a_broken_photo_is_refused_in_korean_and_changes_nothing(client, municipality, merchant, merchant_user):
    # given
    client.force_login(merchant_user)
    # when
    response = client.post(
        url("merchant-profile", municipality),
        {
            "story": "바뀌면 안 됨",
            "phone": merchant.phone,
            "address": merchant.address,
            "photo": SimpleUploadedFile("shop.jpg", b"not a picture", content_type="image/jpeg"),
        },
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == ["이미지 파일이 아니거나 손상된 파일입니다."]
    merchant.refresh_from_db()
    assert (merchant.story, merchant.photo.name) == ("우전 녹차를 덖습니다.", "")
