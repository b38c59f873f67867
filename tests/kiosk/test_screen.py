"""The kiosk screen, its content, heartbeat and service worker: who may open them (only the live token),
what they show (public catalog data only) and what they never do (set cookies, show a broken image)."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bundles.services import bundle_update
from kiosk.models import Kiosk
from kiosk.services import kiosk_create, kiosk_token_reissue, kiosk_token_revoke, kiosk_update
from subscriptions.services import address_add, subscriber_ensure
from tests.accounts.factories import UserFactory
from tests.kiosk.factories import KioskFactory
from tests.kiosk.helpers import screen_url
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.helpers import published_bundle

pytestmark = pytest.mark.django_db

ENDPOINTS = ["screen", "content", "service-worker"]


def all_statuses(client, kiosk: Kiosk, token: str | None = None) -> dict[str, int]:
    statuses = {name: client.get(screen_url(kiosk, name, token)).status_code for name in ENDPOINTS}
    statuses["heartbeat"] = client.post(screen_url(kiosk, "heartbeat", token)).status_code
    return statuses


def test_live_token_opens_the_screen_its_content_heartbeat_and_service_worker(client, kiosk):
    # when
    statuses = all_statuses(client, kiosk)
    # then
    assert statuses == {"screen": 200, "content": 200, "service-worker": 200, "heartbeat": 200}


def test_revoked_token_is_404_for_page_content_heartbeat_and_service_worker(client, kiosk):
    # given
    kiosk_token_revoke(kiosk=kiosk, acting_user=None)
    # when
    statuses = all_statuses(client, kiosk)
    # then
    assert statuses == {"screen": 404, "content": 404, "service-worker": 404, "heartbeat": 404}
    kiosk.refresh_from_db()
    assert kiosk.last_heartbeat_at is None


def test_reissued_token_retires_the_old_url_and_opens_the_new_one(client, kiosk):
    # given
    old_token = kiosk.token
    # when
    kiosk = kiosk_token_reissue(kiosk=kiosk, acting_user=None)
    # then
    assert kiosk.token != old_token and len(kiosk.token) == 43
    assert set(all_statuses(client, kiosk, token=old_token).values()) == {404}
    assert client.get(screen_url(kiosk)).status_code == 200


def test_revoking_twice_keeps_the_first_moment(kiosk):
    # given
    first = kiosk_token_revoke(kiosk=kiosk, acting_user=None).token_revoked_at
    # when
    again = kiosk_token_revoke(kiosk=kiosk, acting_user=None)
    # then
    assert again.token_revoked_at == first


def test_unknown_token_switched_off_kiosk_and_another_municipalitys_token_are_404(
    client, municipality, other_municipality, kiosk
):
    # given
    foreign = KioskFactory(municipality=other_municipality)
    kiosk_update(kiosk=kiosk, acting_user=None, is_active=False)
    # when / then
    assert client.get(screen_url(kiosk, token="x" * 43)).status_code == 404
    assert client.get(screen_url(kiosk)).status_code == 404
    # the other municipality's live token does not open anything under this municipality's slug
    assert client.get(screen_url(kiosk, token=foreign.token)).status_code == 404
    assert client.get(screen_url(foreign)).status_code == 200


def test_screen_shows_nothing_personal_and_sets_no_cookies(client, municipality, kiosk, showcase_bundle):
    # given: a subscriber with an address, a staff member, and the subscriber logged in on that browser
    person = UserFactory(email="jeong.hadong@example.kr", name="정하동", phone="010-3456-7890")
    subscriber = subscriber_ensure(municipality=municipality, user=person, name="정하동", phone="010-3456-7890")
    address_add(
        subscriber=subscriber,
        recipient="정하동",
        phone="010-3456-7890",
        postcode="52351",
        road_address="경상남도 하동군 화개면 쌍계로 59",
        detail="202호",
        memo="경비실에 맡겨 주세요",
    )
    staff = MembershipFactory(municipality=municipality, role="admin", user__name="김담당").user
    merchant = showcase_bundle.items.get().product.merchant
    client.force_login(person)
    # when
    page = client.get(screen_url(kiosk))
    content = client.get(screen_url(kiosk, "content"))
    # then
    assert page.status_code == 200 and content.status_code == 200
    private = [
        person.name,
        person.email,
        person.phone,
        "3456-7890",
        "쌍계로 59",
        "경비실",
        staff.name,
        staff.email,
        merchant.representative,
        merchant.phone,
        merchant.account_number,
        merchant.business_registration_number,
    ]
    for response in (page, content):
        text = response.content.decode()
        assert [value for value in private if value in text] == []
        assert response.cookies == {}
        assert "csrfmiddlewaretoken" not in text
    assert showcase_bundle.name in page.content.decode()
    assert page["Cache-Control"] == "no-cache, private"
    assert page["Referrer-Policy"] == "no-referrer"


def test_screen_works_without_any_session(client, kiosk, showcase_bundle):
    # when
    response = client.get(screen_url(kiosk))
    # then
    assert response.status_code == 200
    assert response.cookies == {}
    assert "sessionid" not in client.cookies
    html = response.content.decode()
    assert f'data-bundle-id="{showcase_bundle.pk}"' in html
    assert "한 상자 39,000원부터" in html
    assert "휴대폰 카메라로 찍으면 구독 페이지가 열려요" in html


def test_bundle_without_a_picture_is_skipped(client, municipality, kiosk, showcase_bundle):
    # given: a second featured bundle with no picture
    bare = published_bundle(municipality, cadences=("monthly",))
    bundle_update(bundle=bare, acting_user=None, featured=True)
    type(bare).objects.filter(pk=bare.pk).update(hero_image="")
    # when
    content = client.get(screen_url(kiosk, "content")).json()
    # then
    assert content["loop"] == [showcase_bundle.pk]
    assert [bundle["id"] for bundle in content["bundles"]] == [showcase_bundle.pk]


def test_no_bundle_to_show_gives_the_municipalitys_brand_screen(client, municipality):
    # given: nothing featured
    published_bundle(municipality)
    kiosk = KioskFactory(municipality=municipality)
    # when
    response = client.get(screen_url(kiosk))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-mode="brand"' in html
    assert '<section id="brand" class="brand-screen" aria-labelledby="brand-title">' in html
    assert '<article class="slide' not in html
    assert municipality.mall_name in html


def test_content_follows_the_kiosks_selection(client, municipality, showcase_bundle):
    # given: two more bundles, one of them tea
    tea = published_bundle(municipality, cadences=("monthly",))
    bundle_update(bundle=tea, acting_user=None, category="tea")
    other = published_bundle(municipality, cadences=("monthly",))
    by_category = KioskFactory(municipality=municipality, selection=Kiosk.Selection.CATEGORY, category="tea")
    picked = kiosk_create(
        municipality=municipality,
        acting_user=None,
        name="관광안내소",
        place="화개장터",
        orientation=Kiosk.Orientation.PORTRAIT,
        selection=Kiosk.Selection.HAND_PICKED,
        category="",
        bundles=[other, showcase_bundle],
        rotation_seconds=8,
        idle_seconds=30,
    )
    # when
    featured_loop = client.get(screen_url(KioskFactory(municipality=municipality), "content")).json()["loop"]
    category_loop = client.get(screen_url(by_category, "content")).json()["loop"]
    picked_content = client.get(screen_url(picked, "content")).json()
    # then
    assert featured_loop == [showcase_bundle.pk]
    assert category_loop == [tea.pk]
    assert picked_content["loop"] == [other.pk, showcase_bundle.pk]
    assert picked_content["kiosk"] == {
        "id": picked.pk,
        "orientation": "portrait",
        "rotation_seconds": 8,
        "idle_seconds": 30,
    }
    # every published bundle with a picture can be browsed, by category (featured first)
    browse = {category["value"]: category["ids"] for category in picked_content["categories"]}
    assert browse == {"produce": [showcase_bundle.pk, other.pk], "tea": [tea.pk]}


def test_content_json_carries_pictures_prices_items_and_qr_codes(client, municipality, kiosk, showcase_bundle):
    # when
    response = client.get(screen_url(kiosk, "content"))
    # then
    assert response["Content-Type"] == "application/json"
    content = json.loads(response.content)
    [bundle] = content["bundles"]
    item = showcase_bundle.items.get()
    assert bundle["name"] == showcase_bundle.name
    assert bundle["image"] == showcase_bundle.hero_image.url
    assert (bundle["price_won"], bundle["price_text"]) == (39_000, "한 상자 39,000원부터")
    assert bundle["items"] == [f"{item.product.name} {item.product.unit}"]
    assert bundle["subscribe_url"].endswith(f"?src=kiosk-{kiosk.pk}")
    assert bundle["qr"].startswith("data:image/png;base64,")
    assert content["brand"]["mall_name"] == municipality.mall_name
    assert len(content["version"]) == 16


def test_content_version_changes_only_with_the_content(client, municipality, kiosk, showcase_bundle):
    # given
    first = client.get(screen_url(kiosk, "content")).json()["version"]
    again = client.get(screen_url(kiosk, "content")).json()["version"]
    # when
    bundle_update(bundle=showcase_bundle, acting_user=None, summary="가을 햇차를 한 상자에")
    changed = client.get(screen_url(kiosk, "content")).json()["version"]
    # then
    assert first == again != changed


def test_screen_content_runs_a_fixed_number_of_queries(client, municipality, kiosk, django_assert_max_num_queries):
    # given: many bundles on the loop
    for _ in range(6):
        bundle_update(bundle=published_bundle(municipality, cadences=("monthly",)), acting_user=None, featured=True)
    # when / then: tenant lookup, kiosk, loop (+ items), browse (+ items), and nothing per bundle
    with django_assert_max_num_queries(7):
        assert client.get(screen_url(kiosk, "content")).status_code == 200


def test_service_worker_is_javascript_scoped_to_the_kiosk(client, kiosk):
    # when
    response = client.get(screen_url(kiosk, "service-worker"))
    # then
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == screen_url(kiosk)
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert f'"screen": "{screen_url(kiosk)}"' in body
    assert f'"content": "{screen_url(kiosk, "content")}"' in body
    assert "/static/kiosk/kiosk." in body


def test_heartbeat_records_the_contact_and_is_rate_limited(kiosk):
    # given: a screen has no CSRF cookie; the token in the URL is its credential
    client = Client(enforce_csrf_checks=True)
    # when
    first = client.post(screen_url(kiosk, "heartbeat"))
    kiosk.refresh_from_db()
    seen = kiosk.last_heartbeat_at
    second = client.post(screen_url(kiosk, "heartbeat"))
    # then
    assert first.status_code == 200 and first.json() == {"ok": True}
    assert seen is not None and timezone.now() - seen < timedelta(seconds=5)
    assert second.status_code == 429 and second["Retry-After"] == "20"
    kiosk.refresh_from_db()
    assert kiosk.last_heartbeat_at == seen
    # and only POST is accepted, without any CSRF token
    assert client.get(screen_url(kiosk, "heartbeat")).status_code == 405
