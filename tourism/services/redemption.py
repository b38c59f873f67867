"""Redeeming coupons at a venue: find a code, check it, use it once.

Invariants:
- A coupon is used at most once. `coupon_redeem` locks the coupon row (SELECT … FOR UPDATE) and decides
  on the locked row, so of many simultaneous attempts exactly one sets `redeemed_at`; the others wait for
  the lock, then read the row as the winner left it and are told it is already used.
- The monthly cap of an offer is checked with the offer row locked too, so two last redemptions of a
  month cannot both slip under it. Locks are always taken coupon first, then offer.
- Every refusal is a CouponRejected with a reason and a Korean message saying what to do; nothing is
  written on a refusal. A code whose check character is wrong is refused before any lookup; a lookup
  of a well-formed code that does not exist in this municipality counts against the rate limit.
"""

import enum
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from municipalities.models import Municipality
from tourism import throttle
from tourism.codes import is_well_formed, normalize_code
from tourism.models import Coupon, Offer, Partner

# An offline venue enters noted codes later; a redemption may be dated back at most this far, so a
# coupon cannot be slipped in long after it expired by dating it to when it was still good.
OFFLINE_MAX_DAYS = 7


class Reason(enum.StrEnum):
    THROTTLED = "throttled"
    MALFORMED = "malformed"
    NOT_FOUND = "not_found"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    WRONG_PARTNER = "wrong_partner"
    CAP_REACHED = "cap_reached"
    PARTNER_INACTIVE = "partner_inactive"
    BAD_TIME = "bad_time"


class CouponRejected(Exception):
    def __init__(self, reason: Reason, message: str, coupon: Coupon | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.coupon = reason, message, coupon


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y년 n월 j일 H:i")


def _day(moment: datetime) -> str:
    return date_format(timezone.localdate(moment), "Y년 n월 j일")


def malformed_message() -> str:
    return _("코드를 다시 확인해 주세요. 글자가 하나 틀렸거나 두 글자의 순서가 바뀌었습니다.")


def coupon_lookup(*, municipality: Municipality, raw_code: str, user_id: int, ip: str | None) -> Coupon:
    """The coupon of this municipality with the typed or scanned code, offer and partner selected.

    Refuses (CouponRejected) a throttled caller, a code with a wrong check character (before any lookup),
    and a code that does not exist here — a coupon of another municipality included — which counts as a
    failed lookup for the user and the IP.
    """
    if throttle.lookup_is_throttled(user_id=user_id, ip=ip):
        raise CouponRejected(
            Reason.THROTTLED,
            _("없는 쿠폰 번호를 여러 번 입력해 잠시 조회를 막았습니다. %(minutes)d분 뒤에 다시 시도해 주세요.")
            % {"minutes": throttle.WINDOW_SECONDS // 60},
        )
    code = normalize_code(raw_code)
    if not is_well_formed(code):
        raise CouponRejected(Reason.MALFORMED, malformed_message())
    coupon = (
        Coupon.objects.for_tenant(municipality)
        .select_related("offer__partner", "redeemed_partner", "holder")
        .filter(code=code)
        .first()
    )
    if coupon is None:
        throttle.lookup_failure_record(user_id=user_id, ip=ip)
        raise CouponRejected(
            Reason.NOT_FOUND, _("등록되지 않은 쿠폰 번호입니다. 번호를 다시 확인하거나 손님께 QR 코드를 요청해 주세요.")
        )
    return coupon


def _month_bounds(moment: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(moment)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def offer_month_redemptions(*, offer: Offer, moment: datetime) -> int:
    start, end = _month_bounds(moment)
    return Coupon.objects.filter(offer_id=offer.pk, redeemed_at__gte=start, redeemed_at__lt=end).count()


def coupon_check(*, coupon: Coupon, partner: Partner, at: datetime) -> None:
    """Refuse (CouponRejected) a coupon that `partner` cannot redeem at `at`; the order of the checks is
    the order in which a person at the counter needs to hear them."""
    if coupon.redeemed_at is not None:
        where = coupon.redeemed_partner.name
        if coupon.redeemed_place:
            where = f"{where} ({coupon.redeemed_place})"
        raise CouponRejected(
            Reason.REDEEMED,
            _("이미 사용한 쿠폰입니다. %(when)s에 %(where)s에서 사용했습니다.")
            % {"when": _when(coupon.redeemed_at), "where": where},
            coupon,
        )
    if not partner.is_active:
        raise CouponRejected(
            Reason.PARTNER_INACTIVE,
            _("이 제휴처는 지금 쿠폰을 받을 수 없습니다. 군청 담당자(%(phone)s)에게 문의해 주세요.")
            % {"phone": partner.municipality.contact_phone},
            coupon,
        )
    if coupon.offer.partner_id != partner.pk:
        raise CouponRejected(
            Reason.WRONG_PARTNER,
            _("이 쿠폰은 %(partner)s에서만 쓸 수 있습니다. 이 가게의 쿠폰이 아닙니다.")
            % {"partner": coupon.offer.partner.name},
            coupon,
        )
    if at >= coupon.expires_at:
        raise CouponRejected(
            Reason.EXPIRED,
            _("유효기간이 지난 쿠폰입니다. %(day)s까지 쓸 수 있었습니다.")
            % {"day": _day(coupon.expires_at - timedelta(microseconds=1))},
            coupon,
        )
    valid_from = coupon.offer.valid_from
    if valid_from and timezone.localdate(at) < valid_from:
        raise CouponRejected(
            Reason.NOT_YET_VALID,
            _("아직 쓸 수 없는 쿠폰입니다. %(day)s부터 쓸 수 있습니다.")
            % {"day": date_format(valid_from, "Y년 n월 j일")},
            coupon,
        )
    cap = coupon.offer.monthly_cap
    if cap is not None and offer_month_redemptions(offer=coupon.offer, moment=at) >= cap:
        raise CouponRejected(
            Reason.CAP_REACHED,
            _("이 혜택은 이번 달 사용 한도(%(cap)d건)를 모두 채웠습니다. 다음 달에 사용할 수 있습니다.") % {"cap": cap},
            coupon,
        )


@transaction.atomic
def coupon_redeem(
    *,
    coupon: Coupon,
    partner: Partner,
    acting_user: User,
    place: str = "",
    used_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Coupon:
    """Use `coupon` at `partner`, recorded as done by `acting_user` at `used_at` (default: now) at `place`.

    Locks the coupon row, then (when the offer has a monthly cap) the offer row, and decides on what the
    locks show: exactly one of any number of simultaneous calls succeeds, the others are refused as
    already used. `used_at` earlier than now is an offline redemption entered later: it must fall within
    the last OFFLINE_MAX_DAYS days and after the coupon was issued, and validity is judged at that time.
    """
    now = now or timezone.now()
    used_at = used_at or now
    # No joins in the locking query: when it waits for a concurrent redemption, PostgreSQL re-reads the
    # locked coupon row but not the rows joined to it, so a joined `redeemed_partner` would come back empty.
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk, municipality_id=partner.municipality_id)
    locked.offer = Offer.objects.select_related("partner").get(pk=locked.offer_id)
    if used_at > now + timedelta(minutes=1) or used_at < now - timedelta(days=OFFLINE_MAX_DAYS):
        raise CouponRejected(
            Reason.BAD_TIME,
            _("사용한 시각은 지금부터 %(days)d일 전까지만 입력할 수 있습니다.") % {"days": OFFLINE_MAX_DAYS},
            locked,
        )
    if used_at < locked.issued_at:
        raise CouponRejected(
            Reason.BAD_TIME,
            _("사용한 시각이 쿠폰 발급(%(issued)s)보다 앞섭니다. 시각을 다시 확인해 주세요.")
            % {"issued": _when(locked.issued_at)},
            locked,
        )
    if locked.offer.monthly_cap is not None:
        Offer.objects.select_for_update().filter(pk=locked.offer_id).values_list("pk", flat=True).get()
    coupon_check(coupon=locked, partner=partner, at=used_at)
    locked.redeemed_at = used_at
    locked.redeemed_by = acting_user
    locked.redeemed_partner = partner
    locked.redeemed_place = place.strip()[:120]
    locked.redemption_note = note.strip()[:200]
    locked.recorded_at = now
    locked.save(
        update_fields=[
            "redeemed_at",
            "redeemed_by",
            "redeemed_partner",
            "redeemed_place",
            "redemption_note",
            "recorded_at",
        ]
    )
    return locked
