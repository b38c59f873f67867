import base64
import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from municipalities import area_ui
from tests.accounts.factories import UserFactory
from tests.subscriptions.helpers import published_bundle
from tests.tourism.factories import AttachmentFactory, OfferFactory, PartnerFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.services import coupon_redeem

pytestmark = pytest.mark.django_db


def _qr_texts(body: str) -> list[str]:
    texts = []
    for encoded in re.findall(r'src="data:image/png;base64,([^"]+)"', body):
        image = Image.open(io.BytesIO(base64.b64decode(encoded)))
        texts += [result.text for result in zxingcpp.read_barcodes(image)]
    return texts


def test_wallet_qr_decodes_to_the_coupon_redemption_url(client, municipality):
    # given
    holder = UserFactory()
    coupon = issued_coupon(OfferFactory(partner=PartnerFactory(municipality=municipality)), holder=holder)
    client.force_login(holder)
    # when
    response = client.get(reverse("tourism:wallet", kwargs={"municipality_slug": municipality.slug}))
    # then
    assert response.status_code == 200
    expected = f"{settings.SITE_URL}/hadong/partner/c/{coupon.code}/"
    assert _qr_texts(response.content.decode()) == [expected]


def test_wallet_lists_status_sorted_by_expiry_with_location_and_terms(client, municipality):
    # given
    holder = UserFactory()
    partner = PartnerFactory(municipality=municipality, name="평사리 한옥마을", address="하동군 악양면 평사리길 66")
    soon = issued_coupon(
        OfferFactory(partner=partner, title="곧 만료", validity_days=5, terms="1인 1매"), holder=holder
    )
    later = issued_coupon(OfferFactory(partner=partner, title="나중 만료", validity_days=50), holder=holder)
    used = issued_coupon(OfferFactory(partner=partner, title="쓴 쿠폰"), holder=holder)
    expired = issued_coupon(
        OfferFactory(partner=partner, title="지난 쿠폰", validity_days=1),
        holder=holder,
        now=timezone.now() - timedelta(days=5),
    )
    coupon_redeem(coupon=used, partner=partner, acting_user=partner_user(partner))
    issued_coupon(OfferFactory(partner=partner, title="남의 쿠폰"))
    client.force_login(holder)
    # when
    response = client.get(reverse("tourism:wallet", kwargs={"municipality_slug": municipality.slug}))
    # then
    body = response.content.decode()
    assert [card.coupon for card in response.context["cards"]] == [soon, later, used, expired]
    assert [card.status for card in response.context["cards"]] == ["usable", "usable", "redeemed", "expired"]
    assert "평사리 한옥마을에서 사용함" in body and "기한 만료" in body
    assert "하동군 악양면 평사리길 66" in body and "map.kakao.com" in body and "1인 1매" in body
    assert "남의 쿠폰" not in body
    assert len(_qr_texts(body)) == 2


def test_wallet_needs_login_and_shows_only_this_municipality(client, municipality, other_municipality):
    # given
    holder = UserFactory()
    issued_coupon(
        OfferFactory(partner=PartnerFactory(municipality=other_municipality), title="남해 쿠폰"), holder=holder
    )
    path = reverse("tourism:wallet", kwargs={"municipality_slug": municipality.slug})
    # then
    assert client.get(path).status_code == 302
    client.force_login(holder)
    response = client.get(path)
    assert response.context["cards"] == []
    assert "남해 쿠폰" not in response.content.decode()


def test_wallet_link_is_on_my_subscriptions_area():
    names = [link.url_name for link in area_ui._links if link.area == "my"]
    assert "tourism:wallet" in names


def test_bundle_page_shows_the_offers_it_includes_in_constant_queries(
    client, municipality, django_assert_max_num_queries
):
    # given

    bundle = published_bundle(municipality)
    AttachmentFactory(offer__partner__municipality=municipality, offer__title="한옥마을 입장권", bundle=bundle)
    path = bundle.get_absolute_url()
    client.get(path)
    with CaptureQueriesContext(connection) as one:
        first = client.get(path)
    for _ in range(5):
        AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle)
    AttachmentFactory(
        offer__partner__municipality=municipality, offer__is_active=False, offer__title="중지 혜택", bundle=bundle
    )
    # when
    with django_assert_max_num_queries(len(one)):
        response = client.get(path)
    # then
    assert "한옥마을 입장권" in first.content.decode()
    body = response.content.decode()
    assert "함께 드리는 관광 혜택" in body and "중지 혜택" not in body
