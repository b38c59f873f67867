"""The QR codes on the kiosk screen decode to the bundle's subscribe page, tagged with the kiosk."""

from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from bundles.services import bundle_create, bundle_publish, bundle_set_hero_image, bundle_set_item, plan_set
from demo.seed.images import picture_jpeg
from kiosk.models import Kiosk
from kiosk.qr import qr_png
from kiosk.services import kiosk_create
from tests.bundles.factories import ProductFactory
from tests.kiosk.helpers import decode_data_uri, decode_qr_png, screen_url, slide_qr_codes

pytestmark = pytest.mark.django_db


def checkout_url(settings, bundle, kiosk: Kiosk) -> str:
    path = reverse(
        "subscriptions:checkout", kwargs={"municipality_slug": bundle.municipality.slug, "bundle_slug": bundle.slug}
    )
    return f"{settings.SITE_URL}{path}?src=kiosk-{kiosk.pk}"


def test_qr_on_the_page_decodes_to_the_subscribe_url_with_the_kiosks_source(client, settings, kiosk, showcase_bundle):
    # given
    settings.SITE_URL = "https://kkureomi.example.kr"
    # when
    html = client.get(screen_url(kiosk)).content.decode()
    # then
    assert slide_qr_codes(html) == [checkout_url(settings, showcase_bundle, kiosk)]


def test_qr_in_the_content_json_is_the_same(client, settings, kiosk, showcase_bundle):
    # when
    [bundle] = client.get(screen_url(kiosk, "content")).json()["bundles"]
    # then
    assert decode_data_uri(bundle["qr"]) == bundle["subscribe_url"] == checkout_url(settings, showcase_bundle, kiosk)


def test_brand_screen_qr_opens_the_mall_tagged_with_the_kiosk(client, settings, municipality):
    # given: a kiosk with nothing to show
    kiosk = kiosk_create(
        municipality=municipality,
        acting_user=None,
        name="관광안내소",
        place="화개장터",
        orientation="portrait",
        selection="featured",
        category="",
        rotation_seconds=10,
        idle_seconds=60,
    )
    # when
    brand = client.get(screen_url(kiosk, "content")).json()["brand"]
    # then
    assert decode_data_uri(brand["qr"]) == f"{settings.SITE_URL}/{municipality.slug}/?src=kiosk-{kiosk.pk}"


def test_a_korean_slug_is_encoded_and_the_scanned_url_opens_the_checkout(client, settings, tmp_path, municipality):
    # given: a bundle named in Korean (so its address is Korean), published with a real picture
    settings.MEDIA_ROOT = tmp_path
    bundle = bundle_create(
        municipality=municipality,
        acting_user=None,
        name="섬진강 재첩 꾸러미",
        summary="맑은 재첩국 한 상자",
        category="seafood",
        featured=True,
    )
    picture = picture_jpeg(title=bundle.name, subtitle=bundle.summary, category="seafood", size=(600, 400))
    bundle_set_hero_image(bundle=bundle, upload=ContentFile(picture, name="b.jpg"), acting_user=None)
    product = ProductFactory(merchant__municipality=municipality)
    bundle_set_item(bundle=bundle, product=product, quantity=2, acting_user=None)
    plan_set(bundle=bundle, cadence="monthly", acting_user=None, price_won=35_000, shipping_fee_won=3_000)
    bundle = bundle_publish(bundle=bundle, acting_user=None)
    kiosk = kiosk_create(
        municipality=municipality,
        acting_user=None,
        name="시청 홍보관",
        place="군청 로비",
        orientation="landscape",
        selection="featured",
        category="",
        rotation_seconds=10,
        idle_seconds=60,
    )
    # when
    html = client.get(screen_url(kiosk)).content.decode()
    [scanned] = slide_qr_codes(html)
    # then
    assert bundle.slug == "섬진강-재첩-꾸러미"
    assert scanned == checkout_url(settings, bundle, kiosk) and scanned.isascii()
    assert f"{product.name} {product.unit} × 2" in html
    parts = urlsplit(scanned)
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302  # the checkout asks a visitor to log in first, keeping the way back
    assert "kiosk-" in response["Location"]


def test_qr_png_round_trips_any_url():
    # given
    url = "https://kkureomi.example.kr/hadong/subscribe/%EC%84%AC%EC%A7%84%EA%B0%95/?src=campaign-1a2b3c4d"
    # when / then
    assert decode_qr_png(qr_png(url)) == url
    assert decode_qr_png(qr_png(url, box_size=24)) == url
