"""Higher apps add links and sections to lower apps' pages through municipalities.area_ui."""

import pytest
from django.urls import reverse

from bundles.services import merchant_member_bind
from municipalities import area_ui
from tests.accounts.factories import UserFactory
from tests.bundles.factories import MerchantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test, so the real apps' registrations stay as they were."""
    monkeypatch.setattr(area_ui, "_links", [])
    monkeypatch.setattr(area_ui, "_sections", [])
    return area_ui


def test_merchant_home_shows_registered_links_and_sections(client, municipality, registry, settings, tmp_path):
    merchant = MerchantFactory(municipality=municipality, name="화개제다")
    user = UserFactory()
    merchant_member_bind(merchant=merchant, user=user)
    registry.register_link(
        area="merchant",
        label="가게 정보 고치기",
        url_name="bundles:merchant-profile",
        order=1,
        description="사진과 소개",
    )
    registry.register_link(area="my", label="다른 영역", url_name="bundles:storefront", order=2)
    seen = []

    def context(request, obj):
        seen.append(obj)
        return {"municipality": request.municipality}

    registry.register_section(
        area="merchant_home", template_name="partials/_language_switcher.html", context=context, order=1
    )
    registry.register_section(area="merchant_home", template_name="404.html", context=lambda r, o: None, order=2)
    client.force_login(user)

    response = client.get(reverse("bundles:merchant-home", kwargs={"municipality_slug": municipality.slug}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "가게 정보 고치기" in html and "사진과 소개" in html
    assert reverse("bundles:merchant-profile", kwargs={"municipality_slug": municipality.slug}) in html
    assert "다른 영역" not in html
    assert seen == [merchant]


def test_registering_twice_keeps_one(registry):
    for _ in range(2):
        registry.register_link(area="my", label="쿠폰함", url_name="bundles:storefront", order=1)
    assert len(registry._links) == 1
