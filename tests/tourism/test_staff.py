from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from municipalities.models import PersonalDataAccess, Role
from tests.bundles.factories import BundleFactory
from tests.municipalities.factories import MembershipFactory
from tests.tourism.factories import AttachmentFactory, OfferFactory, PartnerFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism.models import Offer, OfferAttachment, Partner
from tourism.services import coupon_redeem

pytestmark = pytest.mark.django_db


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"tourism:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role=Role.ADMIN):
    return MembershipFactory(municipality=municipality, role=role).user


PARTNER_POST = {
    "section": "profile",
    "name": "화개 차 체험관",
    "kind": "experience",
    "representative": "김다인",
    "business_registration_number": "1018100022",
    "phone": "055-883-0000",
    "address": "경상남도 하동군 화개면 쌍계로 100",
    "latitude": "35.190000",
    "longitude": "127.620000",
    "hours": "10:00~17:00",
    "description": "덖음차 만들기",
    "is_active": "on",
}


def _valid_brn() -> str:
    from tests.bundles.factories import _valid_brn as make

    return make(9999)


def test_curator_creates_a_partner(client, municipality):
    client.force_login(staff(municipality, Role.CURATOR))
    response = client.post(
        url("staff-partner-create", municipality), PARTNER_POST | {"business_registration_number": _valid_brn()}
    )
    partner = Partner.objects.get(municipality=municipality)
    assert response.status_code == 302
    assert (partner.name, partner.kind, str(partner.latitude)) == ("화개 차 체험관", "experience", "35.190000")


def test_partner_form_bad_input_shows_korean_errors_and_saves_nothing(client, municipality):
    client.force_login(staff(municipality))
    response = client.post(
        url("staff-partner-create", municipality),
        PARTNER_POST | {"business_registration_number": "123-45-67890", "latitude": "35.1", "longitude": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "사업자등록번호가 올바르지 않습니다." in body
    assert "위도와 경도는 함께 입력하거나 함께 비워 주세요." in body
    assert not Partner.objects.exists()


def test_partner_list_with_counts_and_csv(client, municipality, other_municipality):
    # given
    partner = PartnerFactory(municipality=municipality, name="평사리 한옥마을")
    offer = OfferFactory(partner=partner, reimbursement_won=4_000)
    coupons = [issued_coupon(offer) for _ in range(3)]
    coupon_redeem(coupon=coupons[0], partner=partner, acting_user=partner_user(partner))
    PartnerFactory(municipality=other_municipality, name="남해 독일마을")
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    page = client.get(url("staff-partners", municipality))
    export = client.get(url("staff-partners", municipality), {"export": "csv"})
    # then
    row = page.context["table"].rows[0].record
    assert (row.offer_count, row.issued_count, row.redeemed_count, row.reimbursed_won) == (1, 3, 1, 4_000)
    text = export.content.decode("utf-8-sig")
    assert "평사리 한옥마을" in text and ",3,1,4000," in text
    assert "남해 독일마을" not in page.content.decode() + text


def test_offer_form_bad_input(client, municipality):
    # given
    partner = PartnerFactory(municipality=municipality)
    client.force_login(staff(municipality))
    # when
    response = client.post(
        url("staff-offer-create", municipality),
        {
            "partner": partner.pk,
            "kind": "percent_discount",
            "title": "체험비 할인",
            "face_value_won": "5000",
            "reimbursement_won": "-1",
            "valid_from": "2026-12-10",
            "valid_until": "2026-12-01",
        },
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert not Offer.objects.exists()
    assert "0보다 크거나 같아야 합니다" in body or "0 이상" in body


def test_offer_service_rules_show_on_the_form(client, municipality):
    partner = PartnerFactory(municipality=municipality)
    client.force_login(staff(municipality))
    response = client.post(
        url("staff-offer-create", municipality),
        {
            "partner": partner.pk,
            "kind": "percent_discount",
            "title": "할인",
            "face_value_won": "5000",
            "reimbursement_won": "3000",
        },
    )
    body = response.content.decode()
    assert "발급 후 사용 일수나 사용 시작일·종료일 중 하나는 정해 주세요." in body
    assert "정률 할인은 할인율(1~100%)을 입력해 주세요." in body
    assert not Offer.objects.exists()


def test_offer_of_another_municipality_partner_is_refused(client, municipality, other_municipality):
    other_partner = PartnerFactory(municipality=other_municipality)
    client.force_login(staff(municipality))
    response = client.post(
        url("staff-offer-create", municipality),
        {
            "partner": other_partner.pk,
            "kind": "free_item",
            "title": "x",
            "face_value_won": "1",
            "reimbursement_won": "1",
            "validity_days": "3",
        },
    )
    assert response.status_code == 200
    assert not Offer.objects.exists()


def test_attach_offer_to_bundles_and_welcome(client, municipality, other_municipality):
    # given
    offer = OfferFactory(partner=PartnerFactory(municipality=municipality))
    box_bundle, welcome_bundle = BundleFactory(municipality=municipality), BundleFactory(municipality=municipality)
    foreign = BundleFactory(municipality=other_municipality)
    client.force_login(staff(municipality, Role.CURATOR))
    # when
    response = client.post(
        url("staff-offer", municipality, offer_id=offer.pk),
        {"section": "attachments", "bundles": [box_bundle.pk], "welcome_bundles": [welcome_bundle.pk]},
    )
    refused = client.post(
        url("staff-offer", municipality, offer_id=offer.pk), {"section": "attachments", "bundles": [foreign.pk]}
    )
    # then
    assert response.status_code == 302
    assert refused.status_code == 200
    assert set(OfferAttachment.objects.values_list("bundle_id", "is_welcome")) == {
        (box_bundle.pk, False),
        (welcome_bundle.pk, True),
    }


def test_reimbursement_cannot_change_after_a_redemption(client, municipality):
    # given
    partner = PartnerFactory(municipality=municipality)
    offer = OfferFactory(partner=partner, reimbursement_won=4_000)
    coupon_redeem(coupon=issued_coupon(offer), partner=partner, acting_user=partner_user(partner))
    client.force_login(staff(municipality))
    # when
    response = client.post(
        url("staff-offer", municipality, offer_id=offer.pk),
        {
            "section": "offer",
            "partner": partner.pk,
            "kind": offer.kind,
            "title": offer.title,
            "face_value_won": "5000",
            "reimbursement_won": "4500",
            "validity_days": "30",
            "is_active": "on",
        },
    )
    # then
    assert response.status_code == 200
    assert "정산 금액은 바꿀 수 없습니다" in response.content.decode().replace("제휴처와 정산 금액을", "정산 금액은")
    offer.refresh_from_db()
    assert offer.reimbursement_won == 4_000


def test_finance_sees_bank_in_full_and_it_is_logged_others_masked(client, municipality):
    partner = PartnerFactory(
        municipality=municipality, bank_code="011", account_number="302-1234-5678-91", account_holder="김다인"
    )
    client.force_login(staff(municipality, Role.CURATOR))
    curator_body = client.get(url("staff-partner", municipality, partner_id=partner.pk)).content.decode()
    assert "302-1234-5678-91" not in curator_body and "***-****-**78-91" in curator_body
    assert (
        client.post(url("staff-partner", municipality, partner_id=partner.pk), {"section": "bank"}).status_code == 403
    )
    client.force_login(staff(municipality, Role.FINANCE))
    finance_body = client.get(url("staff-partner", municipality, partner_id=partner.pk)).content.decode()
    assert "302-1234-5678-91" in finance_body
    assert PersonalDataAccess.objects.filter(subject_id=str(partner.pk)).count() == 1


def test_bind_a_partner_user_by_email(client, municipality):
    from tests.accounts.factories import UserFactory

    partner = PartnerFactory(municipality=municipality)
    person = UserFactory(email="ticket@example.kr")
    client.force_login(staff(municipality))
    ok = client.post(
        url("staff-partner", municipality, partner_id=partner.pk), {"section": "member", "email": "TICKET@example.kr"}
    )
    missing = client.post(
        url("staff-partner", municipality, partner_id=partner.pk), {"section": "member", "email": "nobody@example.kr"}
    )
    assert ok.status_code == 302
    assert person.memberships.get(municipality=municipality).role == Role.PARTNER
    assert "이 이메일로 가입한 사용자가 없습니다." in missing.content.decode()


def test_staff_pages_are_tenant_scoped_and_closed_to_partners(client, municipality, other_municipality):
    # given
    other_partner = PartnerFactory(municipality=other_municipality)
    other_offer = OfferFactory(partner=other_partner)
    own_partner = PartnerFactory(municipality=municipality)
    client.force_login(staff(municipality))
    # then
    assert client.get(url("staff-partner", municipality, partner_id=other_partner.pk)).status_code == 404
    assert client.get(url("staff-offer", municipality, offer_id=other_offer.pk)).status_code == 404
    client.force_login(partner_user(own_partner))
    for name in ("staff-partners", "staff-offers", "staff-report"):
        assert client.get(url(name, municipality)).status_code == 403
    client.force_login(staff(other_municipality))
    assert client.get(url("staff-partners", municipality)).status_code == 404
    logistics = staff(municipality, Role.LOGISTICS)
    client.force_login(logistics)
    assert client.get(url("staff-partners", municipality)).status_code == 403


def test_report_budget_per_month_caps_near_end_and_csv(client, municipality):
    # given
    partner = PartnerFactory(municipality=municipality)
    user = partner_user(partner)
    capped = OfferFactory(partner=partner, monthly_cap=2, reimbursement_won=3_000, title="한정 체험")
    plain = OfferFactory(partner=partner, reimbursement_won=10_000)
    now = timezone.now()
    coupon_redeem(coupon=issued_coupon(capped, now=now - timedelta(days=3)), partner=partner, acting_user=user)
    coupon_redeem(coupon=issued_coupon(capped, now=now - timedelta(days=3)), partner=partner, acting_user=user)
    coupon_redeem(coupon=issued_coupon(plain, now=now - timedelta(days=3)), partner=partner, acting_user=user)
    issued_coupon(plain)
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    response = client.get(url("staff-report", municipality))
    export = client.get(url("staff-report", municipality), {"export": "csv"}).content.decode("utf-8-sig")
    # then
    budget = response.context["budget"]
    assert len(budget) == 12
    assert (budget[-1].count, budget[-1].reimbursement_won) == (3, 16_000)
    assert sum(row.reimbursement_won for row in budget[:-1]) == 0
    assert [offer.title for offer in response.context["near_cap"]] == ["한정 체험"]
    assert response.context["chart"]["values"][-1] == 16_000
    assert f"{timezone.localdate():%Y-%m},3,16000" in export


def test_dashboard_widget_shows_this_month(client, municipality):
    partner = PartnerFactory(municipality=municipality)
    offer = OfferFactory(partner=partner, reimbursement_won=7_000)
    coupon_redeem(coupon=issued_coupon(offer), partner=partner, acting_user=partner_user(partner))
    client.force_login(staff(municipality))
    body = client.get(
        reverse("municipalities:staff-home", kwargs={"municipality_slug": municipality.slug})
    ).content.decode()
    assert "관광 쿠폰" in body and "7,000원" in body


def test_offer_list_shows_rates_and_caps(client, municipality):
    partner = PartnerFactory(municipality=municipality)
    offer = OfferFactory(partner=partner, monthly_cap=1)
    AttachmentFactory(offer=offer)
    coupon_redeem(coupon=issued_coupon(offer), partner=partner, acting_user=partner_user(partner))
    issued_coupon(offer)
    client.force_login(staff(municipality, Role.CURATOR))
    response = client.get(url("staff-offers", municipality))
    record = response.context["table"].rows[0].record
    assert (record.issued_count, record.redeemed_count, record.month_redeemed, record.bundle_count) == (2, 1, 1, 1)
    body = response.content.decode()
    assert "50.0%" in body and "1 / 1" in body


def test_staff_lists_do_not_grow_queries_with_rows(client, municipality, django_assert_max_num_queries):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    partner = PartnerFactory(municipality=municipality)
    issued_coupon(OfferFactory(partner=partner))
    client.force_login(staff(municipality))
    counts = {}
    for name in ("staff-partners", "staff-offers", "staff-report"):
        with CaptureQueriesContext(connection) as queries:
            client.get(url(name, municipality))
        counts[name] = len(queries)
    for _ in range(6):
        more = PartnerFactory(municipality=municipality)
        issued_coupon(OfferFactory(partner=more))
    # then
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            client.get(url(name, municipality))
