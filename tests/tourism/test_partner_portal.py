import pytest
from django.urls import reverse
from django.utils import timezone

from municipalities.models import Role
from tests.accounts.factories import UserFactory
from tests.municipalities.factories import MembershipFactory
from tests.tourism.factories import OfferFactory, PartnerFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.codes import format_code
from tourism.models import Coupon
from tourism.services import coupon_redeem

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"tourism:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


@pytest.fixture
def partner(municipality):
    return PartnerFactory(municipality=municipality, name="평사리 한옥마을")


@pytest.fixture
def staff_user(partner):
    return partner_user(partner, name="박직원")


@pytest.fixture
def coupon(partner):
    holder = UserFactory(name="홍길동")
    offer = OfferFactory(partner=partner, title="한옥마을 입장권 1매", validity_days=60)
    return issued_coupon(offer, holder=holder, now=timezone.now() - timezone.timedelta(days=1))


def test_scanning_the_qr_url_shows_the_offer_masked_name_and_one_redeem_button(
    client, municipality, staff_user, coupon
):
    # given
    client.force_login(staff_user)
    # when
    response = client.get(url("partner-scan", municipality, code=coupon.code))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "한옥마을 입장권 1매" in body and "홍*동" in body and "홍길동" not in body
    assert body.count('class="krds-btn primary xlarge redeem-button"') == 1
    assert format_code(coupon.code) in body


def test_typed_code_with_spaces_and_lower_case_is_found(client, municipality, staff_user, coupon):
    client.force_login(staff_user)
    typed = format_code(coupon.code).replace("-", " ").lower()
    response = client.get(url("partner-redeem", municipality), {"code": typed})
    assert response.status_code == 200
    assert response.context["coupon"] == coupon


def test_post_redeems_once_and_says_so(client, municipality, partner, staff_user, coupon):
    # given
    client.force_login(staff_user)
    # when
    first = client.post(url("partner-redeem", municipality), {"code": coupon.code})
    second = client.post(url("partner-redeem", municipality), {"code": coupon.code})
    # then
    coupon.refresh_from_db()
    assert first.status_code == 200 and "사용 처리했습니다" in first.content.decode()
    assert coupon.redeemed_by == staff_user and coupon.redeemed_partner == partner
    assert second.status_code == 422
    assert "이미 사용한 쿠폰입니다." in second.content.decode()


def test_redeem_needs_a_post_with_csrf(municipality, staff_user, coupon):
    # given
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    # when
    response = client.post(url("partner-redeem", municipality), {"code": coupon.code})
    # then
    assert response.status_code == 403
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None


def test_typo_is_caught_with_a_clear_message(client, municipality, staff_user, coupon):
    client.force_login(staff_user)
    typo = coupon.code[1] + coupon.code[0] + coupon.code[2:] if coupon.code[0] != coupon.code[1] else "2" * 20
    response = client.get(url("partner-redeem", municipality), {"code": typo})
    assert response.status_code == 422
    assert "코드를 다시 확인해 주세요" in response.content.decode()


def test_partner_a_never_sees_partner_b_redemptions(client, municipality, partner, staff_user, coupon):
    # given: partner B redeemed one of its coupons
    partner_b = PartnerFactory(municipality=municipality, name="악양 떡갈비")
    user_b = partner_user(partner_b)
    coupon_b = issued_coupon(OfferFactory(partner=partner_b, title="떡갈비 정식 5천원 할인"))
    coupon_redeem(coupon=coupon_b, partner=partner_b, acting_user=user_b)
    client.force_login(staff_user)
    # when
    home = client.get(url("partner-home", municipality)).content.decode()
    listing = client.get(url("partner-redemptions", municipality)).content.decode()
    csv_body = client.get(url("partner-redemptions", municipality), {"export": "csv"}).content.decode()
    # then
    for body in (home, listing, csv_body):
        assert "떡갈비 정식" not in body


def test_home_shows_today_and_month_totals(client, municipality, partner, staff_user, coupon):
    # given
    coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user)
    client.force_login(staff_user)
    # when
    response = client.get(url("partner-home", municipality))
    # then
    assert response.context["today"].count == 1
    assert response.context["month"].reimbursement_won == coupon.offer.reimbursement_won
    assert "4,000원" in response.content.decode()


def test_offline_entry_records_the_noted_time_and_place(client, municipality, staff_user, coupon):
    # given
    client.force_login(staff_user)
    noted = timezone.localtime() - timezone.timedelta(hours=3)
    # when
    response = client.post(
        url("partner-offline", municipality),
        {
            "code": format_code(coupon.code),
            "used_on": noted.strftime("%Y-%m-%d"),
            "used_time": noted.strftime("%H:%M"),
            "place": "야외 체험장",
            "note": "정전",
        },
    )
    # then
    assert response.status_code == 302
    coupon.refresh_from_db()
    assert timezone.localtime(coupon.redeemed_at).strftime("%Y-%m-%d %H:%M") == noted.strftime("%Y-%m-%d %H:%M")
    assert (coupon.redeemed_place, coupon.redemption_note) == ("야외 체험장", "정전")


def test_offline_form_bad_input_changes_nothing(client, municipality, staff_user, coupon):
    client.force_login(staff_user)
    response = client.post(
        url("partner-offline", municipality), {"code": coupon.code, "used_on": "어제", "used_time": "25:99"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "날짜를 2026-11-23 처럼 입력해 주세요." in body and "시각을 14:30 처럼 입력해 주세요." in body
    assert Coupon.objects.get(pk=coupon.pk).redeemed_at is None


def test_the_portal_is_only_for_bound_partner_users(client, municipality, other_municipality, coupon):
    # given
    unbound = MembershipFactory(municipality=municipality, role=Role.PARTNER).user
    staff = MembershipFactory(municipality=municipality, role=Role.ADMIN).user
    other_town_partner = partner_user(PartnerFactory(municipality=other_municipality))
    subscriber = coupon.holder
    # then
    client.force_login(unbound)
    assert client.get(url("partner-home", municipality)).status_code == 404
    client.force_login(staff)
    assert client.get(url("partner-home", municipality)).status_code == 403
    client.force_login(other_town_partner)
    assert client.get(url("partner-home", municipality)).status_code == 404
    assert client.get(url("partner-scan", municipality, code=coupon.code)).status_code == 404
    client.force_login(subscriber)
    assert client.get(url("partner-scan", municipality, code=coupon.code)).status_code == 404


def test_another_municipality_code_is_not_found_in_the_portal(client, other_municipality, coupon):
    # given
    other_user = partner_user(PartnerFactory(municipality=other_municipality))
    client.force_login(other_user)
    # when
    response = client.get(url("partner-scan", other_municipality, code=coupon.code))
    # then
    assert response.status_code == 422
    assert "등록되지 않은 쿠폰 번호입니다." in response.content.decode()


def test_redemptions_month_page_lists_and_totals(client, municipality, partner, staff_user, coupon):
    coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user)
    client.force_login(staff_user)
    month = timezone.localdate().strftime("%Y-%m")
    response = client.get(url("partner-redemptions", municipality), {"month": month})
    assert response.context["totals"].count == 1
    assert "홍*동" in response.content.decode()


def test_guessing_codes_in_the_portal_is_throttled(client, municipality, staff_user, coupon):
    # given: ten well-formed codes that do not exist
    from tourism import throttle
    from tourism.codes import generate_code

    client.force_login(staff_user)
    for _ in range(throttle.MAX_FAILURES):
        client.get(url("partner-redeem", municipality), {"code": generate_code()})
    # when: the right code now
    response = client.post(url("partner-redeem", municipality), {"code": coupon.code})
    # then
    assert response.status_code == 422
    assert "잠시 조회를 막았습니다" in response.content.decode()
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None
