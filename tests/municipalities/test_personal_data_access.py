import pytest
from django.urls import reverse

from municipalities.models import PersonalDataAccess, Role
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def member_url(municipality, membership) -> str:
    return reverse(
        "municipalities:staff-member",
        kwargs={"municipality_slug": municipality.slug, "membership_id": membership.pk},
    )


def test_admin_viewing_full_personal_data_is_logged(client, municipality, staff_admin):
    # given
    person = MembershipFactory(
        municipality=municipality, role=Role.CURATOR, user__name="홍길동", user__phone="010-1234-5678"
    )
    client.force_login(staff_admin)
    # when
    response = client.get(member_url(municipality, person), REMOTE_ADDR="203.0.113.7")
    # then
    body = response.content.decode()
    assert "홍길동" in body and "010-1234-5678" in body
    log = PersonalDataAccess.objects.get()
    assert log.municipality == municipality
    assert log.accessor == staff_admin
    assert log.subject_id == str(person.user.pk)
    assert log.subject_label == f"홍*동 (#{person.user.pk})"
    assert log.page == member_url(municipality, person)
    assert log.ip_address == "203.0.113.7"
    assert log.purpose == "구성원 정보 조회"


def test_curator_sees_masked_data_and_nothing_is_logged(client, municipality):
    # given
    curator = MembershipFactory(municipality=municipality, role=Role.CURATOR, user__name="이철수").user
    person = MembershipFactory(
        municipality=municipality, role=Role.LOGISTICS, user__name="홍길동", user__phone="010-1234-5678"
    )
    client.force_login(curator)
    # when
    response = client.get(member_url(municipality, person))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "홍*동" in body and "010-****-5678" in body
    assert "홍길동" not in body and "010-1234-5678" not in body
    assert PersonalDataAccess.objects.count() == 0


def test_member_list_masks_names_for_curators(client, municipality):
    curator = MembershipFactory(municipality=municipality, role=Role.CURATOR, user__name="이철수").user
    MembershipFactory(municipality=municipality, role=Role.FINANCE, user__name="박민지")
    client.force_login(curator)
    url = reverse("municipalities:staff-members", kwargs={"municipality_slug": municipality.slug})
    body = client.get(url).content.decode()
    assert "박*지" in body and "박민지" not in body


def test_access_log_page_lists_the_entries_of_this_tenant_only(client, municipality, other_municipality, staff_admin):
    # given: one view in A, one in B
    person_a = MembershipFactory(municipality=municipality, role=Role.CURATOR)
    admin_b = MembershipFactory(municipality=other_municipality, role=Role.ADMIN).user
    person_b = MembershipFactory(municipality=other_municipality, role=Role.CURATOR)
    client.force_login(admin_b)
    client.get(member_url(other_municipality, person_b))
    client.force_login(staff_admin)
    client.get(member_url(municipality, person_a))
    # when
    response = client.get(reverse("municipalities:staff-access-log", kwargs={"municipality_slug": municipality.slug}))
    # then
    rows = list(response.context["table"].rows)
    assert [row.record.subject_id for row in rows] == [str(person_a.user.pk)]
