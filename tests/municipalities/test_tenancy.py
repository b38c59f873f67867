import pytest
from django.urls import reverse

from municipalities.models import Membership, Role
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def staff_url(name: str, municipality, **kwargs) -> str:
    return reverse(f"municipalities:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def test_staff_member_sees_own_staff_home(client, municipality, staff_admin):
    # given
    client.force_login(staff_admin)
    # when
    response = client.get(staff_url("staff-home", municipality))
    # then
    assert response.status_code == 200
    assert response.context["municipality"] == municipality


@pytest.mark.parametrize("page", ["staff-home", "staff-members", "staff-access-log"])
def test_staff_of_a_gets_404_on_staff_pages_of_b(client, municipality, other_municipality, staff_admin, page):
    # given: an admin of A only
    client.force_login(staff_admin)
    # when
    response = client.get(staff_url(page, other_municipality))
    # then
    assert response.status_code == 404


def test_object_of_another_tenant_is_404_through_own_tenant_url(client, municipality, other_municipality, staff_admin):
    # given: a member of B, fetched by id through A's staff URL
    member_of_b = MembershipFactory(municipality=other_municipality, role=Role.FINANCE)
    client.force_login(staff_admin)
    # when
    response = client.get(staff_url("staff-member", municipality, membership_id=member_of_b.pk))
    # then
    assert response.status_code == 404
    assert member_of_b.user.name.encode() not in response.content


def test_own_member_detail_is_200(client, municipality, staff_admin):
    member = MembershipFactory(municipality=municipality, role=Role.CURATOR)
    client.force_login(staff_admin)
    response = client.get(staff_url("staff-member", municipality, membership_id=member.pk))
    assert response.status_code == 200


def test_member_list_only_lists_own_tenant(client, municipality, other_municipality, staff_admin):
    MembershipFactory(municipality=other_municipality, role=Role.ADMIN, user__email="b-admin@example.kr")
    client.force_login(staff_admin)
    response = client.get(staff_url("staff-members", municipality))
    listed = {row.record.pk for row in response.context["table"].rows}
    assert listed == set(Membership.objects.filter(municipality=municipality).values_list("pk", flat=True))


def test_unknown_or_inactive_municipality_is_404(client, other_municipality):
    other_municipality.is_active = False
    other_municipality.save()
    assert client.get("/no-such-town/").status_code == 404
    assert client.get(f"/{other_municipality.slug}/").status_code == 404


def test_anonymous_user_is_sent_to_login(client, municipality):
    response = client.get(staff_url("staff-home", municipality))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_subscriber_without_role_gets_404_on_staff_pages(client, municipality, user):
    client.force_login(user)
    assert client.get(staff_url("staff-home", municipality)).status_code == 404


@pytest.mark.parametrize("role", [Role.MERCHANT, Role.PARTNER])
def test_merchant_and_partner_cannot_open_staff_pages(client, municipality, role):
    # given
    member = MembershipFactory(municipality=municipality, role=role)
    client.force_login(member.user)
    # when
    response = client.get(staff_url("staff-home", municipality))
    # then
    assert response.status_code == 403
    assert "권한" in response.content.decode()


@pytest.mark.parametrize("role", [Role.CURATOR, Role.FINANCE, Role.LOGISTICS])
def test_only_admin_opens_the_access_log(client, municipality, role):
    member = MembershipFactory(municipality=municipality, role=role)
    client.force_login(member.user)
    assert client.get(staff_url("staff-access-log", municipality)).status_code == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CURATOR, Role.FINANCE, Role.LOGISTICS])
def test_every_staff_role_opens_staff_home(client, municipality, role):
    member = MembershipFactory(municipality=municipality, role=role)
    client.force_login(member.user)
    assert client.get(staff_url("staff-home", municipality)).status_code == 200


def test_staff_home_shows_the_widgets_other_apps_register(client, municipality, staff_admin):
    client.force_login(staff_admin)
    response = client.get(staff_url("staff-home", municipality))
    body = response.content.decode()
    assert len(response.context["widgets"]) >= 2
    assert "30" in body and "100" in body  # the catalog's program goals
