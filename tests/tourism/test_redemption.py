import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.subscriptions.helpers import seoul
from tests.tourism.factories import OfferFactory, PartnerFactory, partner_user
from tests.tourism.helpers import issued_coupon
from tourism import throttle
from tourism.codes import format_code, generate_code
from tourism.models import Coupon, Partner
from tourism.services import CouponRejected, Reason, coupon_lookup, coupon_redeem

pytestmark = pytest.mark.django_db

ISSUED = seoul(2026, 11, 1, 9, 0)
NOW = seoul(2026, 11, 23, 14, 5)


@pytest.fixture
def partner(municipality):
    return PartnerFactory(municipality=municipality, name="평사리 한옥마을")


@pytest.fixture
def staff_user(partner):
    return partner_user(partner)


@pytest.fixture
def coupon(partner):
    return issued_coupon(OfferFactory(partner=partner, validity_days=60), now=ISSUED)


def _lookup(municipality, code, user, ip="203.0.113.5"):
    return coupon_lookup(municipality=municipality, raw_code=code, user_id=user.pk, ip=ip)


def _rejected(callable_, *args, **kwargs) -> CouponRejected:
    with pytest.raises(CouponRejected) as caught:
        callable_(*args, **kwargs)
    return caught.value


def test_redeem_records_who_when_where(municipality, partner, staff_user, coupon):
    # when
    found = _lookup(municipality, format_code(coupon.code).lower(), staff_user)
    coupon_redeem(coupon=found, partner=partner, acting_user=staff_user, place="매표소", now=NOW)
    # then
    coupon.refresh_from_db()
    assert coupon.redeemed_at == NOW
    assert coupon.recorded_at == NOW
    assert coupon.redeemed_by == staff_user
    assert coupon.redeemed_partner == partner
    assert coupon.redeemed_place == "매표소"
    assert coupon.status_at(NOW) == Coupon.Status.REDEEMED


def test_already_used_says_when_and_where(municipality, partner, staff_user, coupon):
    # given
    coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user, place="매표소", now=NOW)
    # when
    error = _rejected(
        coupon_redeem, coupon=coupon, partner=partner, acting_user=staff_user, now=NOW + timedelta(hours=1)
    )
    # then
    assert error.reason == Reason.REDEEMED
    assert error.message == (
        "이미 사용한 쿠폰입니다. 2026년 11월 23일 14:05에 평사리 한옥마을 (매표소)에서 사용했습니다."
    )
    coupon.refresh_from_db()
    assert coupon.redeemed_at == NOW


def test_expired_coupon_is_refused_and_unchanged(partner, staff_user, coupon):
    # when
    error = _rejected(
        coupon_redeem, coupon=coupon, partner=partner, acting_user=staff_user, now=seoul(2027, 1, 1, 0, 0)
    )
    # then
    assert error.reason == Reason.EXPIRED
    assert error.message == "유효기간이 지난 쿠폰입니다. 2026년 12월 31일까지 쓸 수 있었습니다."
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None


def test_wrong_partner_is_refused(municipality, coupon):
    # given
    other_partner = PartnerFactory(municipality=municipality, name="악양 떡갈비")
    other_user = partner_user(other_partner)
    # when
    error = _rejected(coupon_redeem, coupon=coupon, partner=other_partner, acting_user=other_user, now=NOW)
    # then
    assert error.reason == Reason.WRONG_PARTNER
    assert error.message == "이 쿠폰은 평사리 한옥마을에서만 쓸 수 있습니다. 이 가게의 쿠폰이 아닙니다."
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None


def test_unknown_code_is_not_found(municipality, staff_user):
    # when
    error = _rejected(_lookup, municipality, generate_code(), staff_user)
    # then
    assert error.reason == Reason.NOT_FOUND
    assert error.message.startswith("등록되지 않은 쿠폰 번호입니다.")


def test_bad_check_character_is_refused_before_any_lookup(municipality, staff_user, coupon, django_assert_num_queries):
    # given: one character mistyped
    typo = ("2" if coupon.code[3] != "2" else "3").join([coupon.code[:3], coupon.code[4:]])
    # when
    with django_assert_num_queries(0):
        error = _rejected(_lookup, municipality, typo, staff_user)
    # then
    assert error.reason == Reason.MALFORMED
    assert error.message.startswith("코드를 다시 확인해 주세요")
    assert not throttle.lookup_is_throttled(user_id=staff_user.pk, ip="203.0.113.5")


def test_another_municipality_code_is_not_found(other_municipality, coupon):
    # given: a partner user of the other municipality, with the real code of this one
    other_user = partner_user(PartnerFactory(municipality=other_municipality))
    # when
    error = _rejected(_lookup, other_municipality, coupon.code, other_user)
    # then
    assert error.reason == Reason.NOT_FOUND


def test_not_yet_valid_window(partner, staff_user):
    # given
    offer = OfferFactory(
        partner=partner, validity_days=None, valid_from=date(2026, 12, 1), valid_until=date(2026, 12, 31)
    )
    coupon = issued_coupon(offer, now=ISSUED)
    # when
    error = _rejected(coupon_redeem, coupon=coupon, partner=partner, acting_user=staff_user, now=NOW)
    # then
    assert error.reason == Reason.NOT_YET_VALID
    assert error.message == "아직 쓸 수 없는 쿠폰입니다. 2026년 12월 1일부터 쓸 수 있습니다."


def test_monthly_cap_is_enforced_at_redemption(partner, staff_user):
    # given
    offer = OfferFactory(partner=partner, monthly_cap=2)
    coupons = [issued_coupon(offer, now=ISSUED) for _ in range(3)]
    for coupon in coupons[:2]:
        coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user, now=NOW)
    # when
    error = _rejected(coupon_redeem, coupon=coupons[2], partner=partner, acting_user=staff_user, now=NOW)
    next_month = coupon_redeem(coupon=coupons[2], partner=partner, acting_user=staff_user, now=seoul(2026, 12, 1, 9, 0))
    # then
    assert error.reason == Reason.CAP_REACHED
    assert error.message == "이 혜택은 이번 달 사용 한도(2건)를 모두 채웠습니다. 다음 달에 사용할 수 있습니다."
    assert next_month.redeemed_at == seoul(2026, 12, 1, 9, 0)


def test_offline_redemption_keeps_the_noted_time_and_place(partner, staff_user, coupon):
    # given
    used_at = NOW - timedelta(days=2)
    # when
    coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user, place="야외 체험장", used_at=used_at, now=NOW)
    # then
    coupon.refresh_from_db()
    assert (coupon.redeemed_at, coupon.recorded_at, coupon.redeemed_place) == (used_at, NOW, "야외 체험장")


def test_offline_redemption_cannot_be_dated_far_back_or_ahead(partner, staff_user, coupon):
    for used_at in (NOW - timedelta(days=8), NOW + timedelta(hours=1), ISSUED - timedelta(minutes=1)):
        error = _rejected(
            coupon_redeem, coupon=coupon, partner=partner, acting_user=staff_user, used_at=used_at, now=NOW
        )
        assert error.reason == Reason.BAD_TIME
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None


def test_offline_redemption_of_a_coupon_expired_at_the_noted_time_is_refused(partner, staff_user):
    # given: valid through Nov 21
    coupon = issued_coupon(OfferFactory(partner=partner, validity_days=20), now=ISSUED)
    # when
    error = _rejected(
        coupon_redeem,
        coupon=coupon,
        partner=partner,
        acting_user=staff_user,
        used_at=seoul(2026, 11, 22, 10, 0),
        now=NOW,
    )
    # then
    assert error.reason == Reason.EXPIRED


def test_failed_lookups_are_rate_limited_per_user(municipality, staff_user, coupon):
    # given
    for _ in range(throttle.MAX_FAILURES):
        _rejected(_lookup, municipality, generate_code(), staff_user, ip=None)
    # when: even the right code is refused for the rest of the window
    error = _rejected(_lookup, municipality, coupon.code, staff_user, ip=None)
    # then
    assert error.reason == Reason.THROTTLED
    assert "15분 뒤에 다시 시도해 주세요" in error.message


def test_failed_lookups_are_rate_limited_per_ip(municipality, partner, coupon):
    # given: failures spread over several partner users from one address
    users = [partner_user(partner) for _ in range(throttle.MAX_FAILURES)]
    for user in users:
        _rejected(_lookup, municipality, generate_code(), user, ip="198.51.100.7")
    fresh = partner_user(partner)
    # when
    from_same_ip = _rejected(_lookup, municipality, coupon.code, fresh, ip="198.51.100.7")
    from_elsewhere = _lookup(municipality, coupon.code, fresh, ip="198.51.100.8")
    # then
    assert from_same_ip.reason == Reason.THROTTLED
    assert from_elsewhere == coupon


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_redemptions_succeed_exactly_once(municipality, partner, staff_user, coupon):
    # given: 40 threads, each with its own database connection, released at once; 100 attempts in all
    threads_count, attempts = 40, 100
    barrier = threading.Barrier(threads_count)
    results: list[str] = []
    lock = threading.Lock()
    backend_pids: set[int] = set()
    shares = [attempts // threads_count + (1 if i < attempts % threads_count else 0) for i in range(threads_count)]

    def attempt(share: int) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            barrier.wait()
            for _ in range(share):
                try:
                    coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user, now=timezone.now())
                    outcome = "ok"
                except CouponRejected as error:
                    outcome = error.reason
                with lock:
                    results.append(outcome)
                    backend_pids.add(pid)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=attempt, args=(share,)) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert len(backend_pids) == threads_count
    assert len(results) == attempts
    assert results.count("ok") == 1
    assert results.count(Reason.REDEEMED) == attempts - 1
    assert Coupon.objects.filter(pk=coupon.pk, redeemed_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_redemption_under_a_monthly_cap_is_given_once(partner, staff_user):
    # given: a cap of 1 and ten different coupons redeemed at the same moment from ten connections
    offer = OfferFactory(partner=partner, monthly_cap=1)
    coupons = [issued_coupon(offer, now=ISSUED) for _ in range(10)]
    barrier = threading.Barrier(len(coupons))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(coupon: Coupon) -> None:
        try:
            barrier.wait()
            try:
                coupon_redeem(coupon=coupon, partner=partner, acting_user=staff_user, now=NOW)
                outcome = "ok"
            except CouponRejected as error:
                outcome = error.reason
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=attempt, args=(coupon,)) for coupon in coupons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(results) == sorted(["ok"] + [Reason.CAP_REACHED] * 9)
    assert Coupon.objects.filter(offer=offer, redeemed_at__isnull=False).count() == 1


def test_a_partner_whose_partnership_ended_cannot_redeem(municipality, partner, staff_user, coupon):
    # given
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    partner.refresh_from_db()
    # when
    error = _rejected(coupon_redeem, coupon=coupon, partner=partner, acting_user=staff_user, now=NOW)
    # then
    assert error.reason == Reason.PARTNER_INACTIVE
    assert error.message == "이 제휴처는 지금 쿠폰을 받을 수 없습니다. 군청 담당자(055-880-2114)에게 문의해 주세요."
    coupon.refresh_from_db()
    assert coupon.redeemed_at is None
