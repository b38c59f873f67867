"""Staff pages of kiosks and campaign links: who may do what, the silence warning, re-issuing and
revoking the screen URL, campaign links with their QR code — and another municipality's ids are 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kiosk.models import CampaignLink, Kiosk
from kiosk.services import campaign_link_create, kiosk_heartbeat
from tests.kiosk.factories import KioskFactory
from tests.kiosk.helpers import decode_qr_png, screen_url
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def staff_url(municipality, name: str, **kwargs) -> str:
    return reverse(f"kiosk:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def member(municipality, role: str):
    return MembershipFactory(municipality=municipality, role=role).user


def test_list_warns_about_kiosks_silent_for_more_than_ten_minutes(client, municipality, staff_admin):
    # given
    now = timezone.now()
    KioskFactory(municipality=municipality, name="가 홍보관")
    late = KioskFactory(municipality=municipality, name="나 관광안내소")
    kiosk_heartbeat(kiosk=late, at=now - timedelta(minutes=11))
    fine = KioskFactory(municipality=municipality, name="다 도서관")
    kiosk_heartbeat(kiosk=fine, at=now - timedelta(minutes=2))
    client.force_login(staff_admin)
    # when
    html = client.get(staff_url(municipality, "staff-kiosks")).content.decode()
    # then
    rows = html.split("<tr")[2:]
    assert [("가 홍보관" in row, "연결된 적 없음" in row) for row in rows][0] == (True, True)
    assert "나 관광안내소" in rows[1] and "10분 넘게 연결 없음" in rows[1]
    assert "다 도서관" in rows[2] and "2분 전" in rows[2] and "연결 없음" not in rows[2]


def test_admin_registers_a_kiosk_and_sees_its_screen_url(client, settings, municipality, staff_admin, showcase_bundle):
    # given
    client.force_login(staff_admin)
    # when
    response = client.post(
        staff_url(municipality, "staff-kiosk-create"),
        {
            "name": "시청 1층 구독경제 홍보관",
            "place": "하동군청 1층 로비",
            "orientation": "portrait",
            "selection": "hand_picked",
            "category": "",
            "bundles": [str(showcase_bundle.pk)],
            "rotation_seconds": "10",
            "idle_seconds": "45",
        },
        follow=True,
    )
    # then
    kiosk = Kiosk.objects.get()
    assert response.redirect_chain == [(staff_url(municipality, "staff-kiosk", kiosk_id=kiosk.pk), 302)]
    assert (kiosk.orientation, kiosk.selection, kiosk.rotation_seconds, kiosk.idle_seconds) == (
        "portrait",
        "hand_picked",
        10,
        45,
    )
    assert list(kiosk.bundles.all()) == [showcase_bundle]
    assert kiosk.created_by == staff_admin and len(kiosk.token) == 43
    html = response.content.decode()
    assert f'value="{settings.SITE_URL}{screen_url(kiosk)}"' in html
    assert "연결된 적 없음" in html


def test_form_asks_for_a_category_or_bundles_and_saves_nothing(client, municipality, staff_admin):
    # given
    client.force_login(staff_admin)
    data = {
        "name": "홍보관",
        "place": "로비",
        "orientation": "landscape",
        "rotation_seconds": "10",
        "idle_seconds": "60",
    }
    # when
    by_category = client.post(staff_url(municipality, "staff-kiosk-create"), {**data, "selection": "category"})
    by_hand = client.post(staff_url(municipality, "staff-kiosk-create"), {**data, "selection": "hand_picked"})
    # then
    assert "보여 줄 분류를 고르세요." in by_category.content.decode()
    assert "보여 줄 꾸러미를 하나 이상 고르세요." in by_hand.content.decode()
    assert Kiosk.objects.count() == 0


def test_curator_edits_and_finance_only_reads(client, municipality):
    # given
    kiosk = KioskFactory(municipality=municipality, name="홍보관")
    url = staff_url(municipality, "staff-kiosk", kiosk_id=kiosk.pk)
    data = {
        "name": "새 이름",
        "place": "2층",
        "orientation": "landscape",
        "selection": "category",
        "category": "tea",
        "rotation_seconds": "15",
        "idle_seconds": "90",
        "is_active": "on",
    }
    # when: finance looks, and tries to change it
    client.force_login(member(municipality, "finance"))
    finance_page = client.get(url)
    finance_post = client.post(url, data)
    finance_create = client.get(staff_url(municipality, "staff-kiosk-create"))
    finance_reissue = client.post(staff_url(municipality, "staff-kiosk-reissue", kiosk_id=kiosk.pk))
    # then
    assert finance_page.status_code == 200 and 'name="name"' not in finance_page.content.decode()
    assert (finance_post.status_code, finance_create.status_code, finance_reissue.status_code) == (403, 403, 403)
    assert Kiosk.objects.get().name == "홍보관"
    # when: a curator changes it
    client.force_login(member(municipality, "curator"))
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    kiosk = Kiosk.objects.get()
    assert (kiosk.name, kiosk.selection, kiosk.category, kiosk.rotation_seconds) == ("새 이름", "category", "tea", 15)


def test_reissue_asks_first_then_retires_the_old_url(client, municipality, staff_admin, kiosk):
    # given
    client.force_login(staff_admin)
    old_token = kiosk.token
    reissue = staff_url(municipality, "staff-kiosk-reissue", kiosk_id=kiosk.pk)
    # when
    confirm = client.get(reissue)
    # then: asking changes nothing
    assert "지금 주소는 바로 열리지 않게 되므로" in confirm.content.decode()
    assert Kiosk.objects.get().token == old_token
    # when
    response = client.post(reissue)
    # then
    kiosk.refresh_from_db()
    assert response.status_code == 302 and kiosk.token != old_token
    assert client.get(screen_url(kiosk, token=old_token)).status_code == 404
    assert client.get(screen_url(kiosk)).status_code == 200


def test_revoke_turns_the_screen_off(client, municipality, staff_admin, kiosk):
    # given
    client.force_login(staff_admin)
    # when
    client.post(staff_url(municipality, "staff-kiosk-revoke", kiosk_id=kiosk.pk))
    # then
    kiosk.refresh_from_db()
    assert kiosk.token_revoked_at is not None
    assert client.get(screen_url(kiosk)).status_code == 404
    page = client.get(staff_url(municipality, "staff-kiosk", kiosk_id=kiosk.pk)).content.decode()
    assert "화면 주소를" in page and "폐기했습니다" in page
    assert screen_url(kiosk) not in page


def test_another_municipalitys_kiosks_and_links_are_404(client, municipality, other_municipality, staff_admin):
    # given
    foreign = KioskFactory(municipality=other_municipality)
    foreign_link = campaign_link_create(
        municipality=other_municipality, acting_user=None, label="남해 배너", target_path="/namhae/", tag="banner"
    )
    client.force_login(staff_admin)
    # when
    statuses = [
        client.get(staff_url(municipality, "staff-kiosk", kiosk_id=foreign.pk)).status_code,
        client.post(staff_url(municipality, "staff-kiosk", kiosk_id=foreign.pk), {"name": "x"}).status_code,
        client.get(staff_url(municipality, "staff-kiosk-reissue", kiosk_id=foreign.pk)).status_code,
        client.post(staff_url(municipality, "staff-kiosk-reissue", kiosk_id=foreign.pk)).status_code,
        client.post(staff_url(municipality, "staff-kiosk-revoke", kiosk_id=foreign.pk)).status_code,
        client.get(staff_url(municipality, "staff-campaign", link_id=foreign_link.pk)).status_code,
        client.get(staff_url(municipality, "staff-campaign-qr", link_id=foreign_link.pk)).status_code,
    ]
    listing = client.get(staff_url(municipality, "staff-kiosks")).content.decode()
    # then
    assert statuses == [404] * 7
    other = Kiosk.objects.get(pk=foreign.pk)
    assert (other.token, other.token_revoked_at) == (foreign.token, None)
    assert foreign.name not in listing
    # and someone with no role here does not learn the area exists
    client.force_login(member(other_municipality, "admin"))
    assert client.get(staff_url(municipality, "staff-kiosks")).status_code == 404


def test_campaign_link_gives_a_full_url_and_a_printable_qr(
    client, settings, municipality, staff_admin, showcase_bundle
):
    # given
    client.force_login(staff_admin)
    # when
    response = client.post(
        staff_url(municipality, "staff-campaigns"),
        {"label": "11월 군정 소식지", "target": f"subscribe:{showcase_bundle.pk}", "tag": "newsletter-2026-11"},
        follow=True,
    )
    # then
    link = CampaignLink.objects.get()
    expected = f"{settings.SITE_URL}/{municipality.slug}/subscribe/{showcase_bundle.slug}/?src=newsletter-2026-11"
    assert link.url == expected and link.created_by == staff_admin
    assert f'value="{expected}"' in response.content.decode()
    download = client.get(staff_url(municipality, "staff-campaign-qr", link_id=link.pk))
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"] == 'attachment; filename="qr-newsletter-2026-11.png"'
    assert decode_qr_png(download.content) == expected


def test_campaign_tag_is_made_up_when_empty_and_kiosk_tags_are_refused(client, municipality, staff_admin):
    # given
    client.force_login(staff_admin)
    url = staff_url(municipality, "staff-campaigns")
    # when
    client.post(url, {"label": "인스타그램", "target": "home", "tag": ""})
    refused = client.post(url, {"label": "가짜", "target": "home", "tag": "kiosk-3"})
    duplicate = client.post(url, {"label": "또", "target": "home", "tag": CampaignLink.objects.get().tag})
    # then
    link = CampaignLink.objects.get()
    assert link.tag.startswith("campaign-") and link.target_path == f"/{municipality.slug}/"
    assert "키오스크가 씁니다" in refused.content.decode()
    assert "이미 쓰고 있는 태그입니다" in duplicate.content.decode()
    assert CampaignLink.objects.count() == 1


def test_dashboard_shows_the_kiosks(client, municipality, staff_admin):
    # given
    KioskFactory(municipality=municipality, name="시청 홍보관")
    client.force_login(staff_admin)
    # when
    html = client.get(reverse("municipalities:staff-home", kwargs={"municipality_slug": municipality.slug}))
    # then
    text = html.content.decode()
    assert "시청 홍보관" in text and "연결된 적 없음" in text
    assert 'href="/hadong/staff/kiosks/"' in text and 'href="/hadong/staff/attribution/"' in text
