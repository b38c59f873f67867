"""Tagged visits (`?src=`): counted once per session, tag and hour, on tenant pages that answered, with no
personal data kept."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kiosk.models import SourceVisit
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def detail_url(showcase_bundle):
    return reverse(
        "bundles:detail",
        kwargs={"municipality_slug": showcase_bundle.municipality.slug, "bundle_slug": showcase_bundle.slug},
    )


def sources() -> list[str]:
    return list(SourceVisit.objects.order_by("pk").values_list("source", flat=True))


def test_a_visit_is_counted_once_per_session_and_tag(client, municipality, detail_url):
    # when: the same phone opens the tagged page three times, then another tag
    for _ in range(3):
        assert client.get(f"{detail_url}?src=kiosk-7").status_code == 200
    client.get(f"{detail_url}?src=sns-instagram")
    # then
    assert sources() == ["kiosk-7", "sns-instagram"]
    visit = SourceVisit.objects.get(source="kiosk-7")
    assert (visit.municipality, visit.path) == (municipality, detail_url)


def test_another_phone_is_another_visit(client, detail_url):
    # when
    client.get(f"{detail_url}?src=kiosk-7")
    Client().get(f"{detail_url}?src=kiosk-7")
    # then
    assert sources() == ["kiosk-7", "kiosk-7"]
    hashes = set(SourceVisit.objects.values_list("session_hash", flat=True))
    assert len(hashes) == 2 and "" not in hashes


def test_the_same_phone_counts_again_after_an_hour(client, detail_url):
    # given
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(f"{detail_url}?src=kiosk-7")
    # when
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        client.get(f"{detail_url}?src=kiosk-7")
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        client.get(f"{detail_url}?src=kiosk-7")
    # then
    assert sources() == ["kiosk-7", "kiosk-7"]


def test_logging_in_on_the_way_does_not_count_twice(client, municipality, showcase_bundle):
    # given: the checkout sends an anonymous visitor to log in and back
    user = UserFactory()
    checkout = reverse(
        "subscriptions:checkout", kwargs={"municipality_slug": municipality.slug, "bundle_slug": showcase_bundle.slug}
    )
    assert client.get(f"{checkout}?src=kiosk-7").status_code == 302
    # when
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert client.get(f"{checkout}?src=kiosk-7").status_code == 200
    # then
    assert sources() == ["kiosk-7"]


def test_the_visit_keeps_no_personal_data(client, detail_url):
    # given
    user = UserFactory(email="visitor@example.kr", name="정하동")
    client.force_login(user)
    # when
    client.get(f"{detail_url}?src=kiosk-7", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    # then: only the tag, the page, a keyed hash of the session key and the time
    visit = SourceVisit.objects.values().get()
    assert set(visit) == {"id", "municipality_id", "source", "path", "session_hash", "created_at"}
    assert client.session.session_key not in visit["session_hash"]
    assert len(visit["session_hash"]) == 32
    assert not any(
        marker in str(value) for value in visit.values() for marker in ("정하동", "visitor@", "203.0.113", "iPhone")
    )


@pytest.mark.parametrize(
    "src",
    ["<script>", "kiosk 7", "x" * 61, "", "키오스크", "kiosk-7;drop"],
)
def test_a_malformed_tag_is_not_counted(client, detail_url, src):
    # when
    client.get(detail_url, {"src": src})
    # then
    assert sources() == []


def test_errors_posts_and_pages_outside_a_municipality_are_not_counted(client, municipality, detail_url):
    # when
    client.get(f"/{municipality.slug}/bundles/no-such-bundle/?src=kiosk-7")
    client.post(f"{detail_url}?src=kiosk-7")
    client.get(f"{reverse('accounts:login')}?src=kiosk-7")
    client.get("/no-such-municipality/?src=kiosk-7")
    # then
    assert sources() == []
