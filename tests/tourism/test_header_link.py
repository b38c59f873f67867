import pytest
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.tourism.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def test_a_partner_finds_the_partner_screen_in_the_header(client, municipality):
    partner = PartnerFactory(municipality=municipality)
    client.force_login(partner_user(partner))
    html = client.get(reverse("bundles:storefront", kwargs={"municipality_slug": municipality.slug})).content.decode()
    assert "제휴처 화면" in html
    assert reverse("tourism:partner-home", kwargs={"municipality_slug": municipality.slug}) in html


def test_someone_without_the_partner_role_does_not(client, municipality):
    client.force_login(UserFactory())
    html = client.get(reverse("bundles:storefront", kwargs={"municipality_slug": municipality.slug})).content.decode()
    assert "제휴처 화면" not in html
