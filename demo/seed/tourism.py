"""Demo tourism: partner venues of 하동 and 남해 with their offers attached to published bundles, a login
for each venue, and coupons in the history — welcome coupons of the demo subscriptions, box coupons of
the shipments, and about a third of the older ones redeemed at the venue — all through the real services
(tourism.services), at the times they would have happened.

Two steps: `seed_tourism_partners` before the shipments are made (so the delivery step issues each box's
coupons with it), `seed_tourism_history` after. Both are safe to run again: partners and offers are found
by name, attachments are set to the same bundles, coupons are unique per (shipment, offer) and per
(subscription, offer), and a coupon already redeemed is left alone.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from bundles.models import Bundle
from core.validators import is_valid_business_number
from demo.seed.tenants import demo_user
from municipalities.models import Municipality
from tourism.models import Coupon, Offer, Partner, PartnerMember
from tourism.services import (
    Box,
    CouponRejected,
    coupon_redeem,
    coupons_issue_for_boxes,
    coupons_issue_welcome,
    offer_attachments_set,
    offer_create,
    partner_create,
    partner_member_bind,
)

K = Partner.Kind
OK = Offer.Kind

# name, kind, address, (lat, lng), hours, phone, description, [offers]
# offer: (kind, title, face_value_won, discount_percent, reimbursement_won, validity_days, monthly_cap, terms)
PARTNERS: dict[str, list[tuple]] = {
    "hadong": [
        (
            "평사리 최참판댁 한옥마을",
            K.ATTRACTION,
            "경상남도 하동군 악양면 평사리길 66-7",
            ("35.160820", "127.690650"),
            "매일 09:00~18:00",
            "055-880-2960",
            "소설 『토지』의 무대. 한옥 14동과 섬진강 들판이 내려다보이는 마을.",
            [(OK.FREE_ADMISSION, "한옥마을 입장권 1매", 2_000, None, 1_600, 60, None, "1인 1매, 매표소에서 QR 제시")],
        ),
        (
            "하동 떡갈비 명가",
            K.RESTAURANT,
            "경상남도 하동군 하동읍 중앙로 58",
            ("35.067430", "127.751210"),
            "11:00~21:00 (월요일 휴무)",
            "055-883-5252",
            "지리산 한우로 빚은 떡갈비 정식.",
            [
                (
                    OK.FIXED_DISCOUNT,
                    "떡갈비 정식 5천 원 할인",
                    5_000,
                    None,
                    5_000,
                    45,
                    300,
                    "2인 이상 정식 주문 시",
                )
            ],
        ),
        (
            "화개 덖음차 체험관",
            K.EXPERIENCE,
            "경상남도 하동군 화개면 쌍계로 325",
            ("35.214330", "127.624890"),
            "10:00~17:00 (예약제)",
            "055-883-6767",
            "가마솥에 찻잎을 직접 덖고 비벼 나만의 녹차를 만드는 체험.",
            [
                (
                    OK.PERCENT_DISCOUNT,
                    "차 만들기 체험 30% 할인",
                    9_000,
                    30,
                    6_000,
                    60,
                    120,
                    "예약 시 알려 주세요",
                )
            ],
        ),
        (
            "쌍계 녹차 찻집",
            K.RESTAURANT,
            "경상남도 하동군 화개면 쌍계사길 15",
            ("35.236870", "127.646010"),
            "09:30~19:00",
            "055-883-1144",
            "쌍계사 아래 차 시배지의 찻집.",
            [(OK.FREE_ITEM, "우전 녹차 한 잔", 6_000, None, 4_000, 30, None, "1인 1잔")],
        ),
        (
            "하동 섬진강 레일바이크",
            K.ATTRACTION,
            "경상남도 하동군 적량면 동산리 1-1",
            ("35.103880", "127.772760"),
            "09:00~17:00 (매시 정각 출발)",
            "055-884-7788",
            "옛 북천역 철길 따라 코스모스·메밀꽃 사이를 달리는 레일바이크.",
            [(OK.PERCENT_DISCOUNT, "레일바이크 2인승 20% 할인", 6_000, 20, 5_000, 60, 200, "2인승 기준, 현장 결제 시")],
        ),
        (
            "화개장터 상인회",
            K.MARKET,
            "경상남도 하동군 화개면 쌍계로 15",
            ("35.188900", "127.626100"),
            "매일 08:00~19:00",
            "055-883-5722",
            "영호남이 만나는 장터. 산나물·녹차·재첩을 파는 가게들.",
            [(OK.FIXED_DISCOUNT, "장터 3천 원 상품권", 3_000, None, 3_000, 90, None, "2만 원 이상 구매 시, 참여 점포")],
        ),
        (
            "청학동 삼성궁",
            K.ATTRACTION,
            "경상남도 하동군 청암면 삼성궁길 86-15",
            ("35.273300", "127.712800"),
            "08:30~17:30",
            "055-884-1279",
            "돌탑 1,500여 개가 늘어선 지리산 자락의 수행 도량.",
            [(OK.FREE_ADMISSION, "삼성궁 입장권 1매", 8_000, None, 6_000, 60, 150, "1인 1매")],
        ),
        (
            "섬진강 재첩국 식당",
            K.RESTAURANT,
            "경상남도 하동군 하동읍 섬진강대로 2263",
            ("35.062100", "127.755300"),
            "07:00~20:00",
            "055-882-1369",
            "섬진강에서 잡은 재첩으로 끓인 맑은 국.",
            [(OK.FIXED_DISCOUNT, "재첩 정식 3천 원 할인", 3_000, None, 3_000, 45, None, "1인 1매")],
        ),
        (
            "하동 송림 한옥스테이",
            K.LODGING,
            "경상남도 하동군 하동읍 섬진강대로 2223",
            ("35.060400", "127.757900"),
            "체크인 15:00 / 체크아웃 11:00",
            "055-884-3030",
            "송림공원 옆 한옥 민박.",
            [
                (
                    OK.FIXED_DISCOUNT,
                    "숙박 1만 원 할인",
                    10_000,
                    None,
                    10_000,
                    90,
                    40,
                    "주중 1박 이상",
                )
            ],
        ),
    ],
    "namhae": [
        (
            "남해 독일마을 파독전시관",
            K.ATTRACTION,
            "경상남도 남해군 삼동면 독일로 89-7",
            ("34.800600", "128.041600"),
            "09:00~18:00 (월요일 휴관)",
            "055-860-3540",
            "파독 광부·간호사의 삶을 전하는 전시관.",
            [(OK.FREE_ADMISSION, "전시관 입장권 1매", 3_000, None, 2_400, 60, None, "1인 1매")],
        ),
        (
            "다랭이마을 농가 맛집",
            K.RESTAURANT,
            "경상남도 남해군 남면 남면로679번길 21",
            ("34.726500", "127.893700"),
            "10:00~19:00",
            "055-862-8811",
            "계단식 논이 바다로 내려가는 마을의 멸치쌈밥.",
            [(OK.FIXED_DISCOUNT, "멸치쌈밥 4천 원 할인", 4_000, None, 4_000, 45, 200, "2인 이상 주문 시")],
        ),
        (
            "남해 편백자연휴양림 숲체험",
            K.EXPERIENCE,
            "경상남도 남해군 삼동면 금암로 658",
            ("34.809800", "127.994700"),
            "09:00~18:00",
            "055-867-7881",
            "편백숲 해설 산책과 목공 체험.",
            [(OK.PERCENT_DISCOUNT, "목공 체험 25% 할인", 5_000, 25, 4_000, 60, None, "체험 접수처에서 QR 제시")],
        ),
        (
            "남해전통시장",
            K.MARKET,
            "경상남도 남해군 남해읍 화전로78번길 12",
            ("34.837200", "127.892100"),
            "매일 07:00~19:00 (2·7일 장날)",
            "055-864-2556",
            "마늘·시금치·건어물이 나는 읍내 장터.",
            [(OK.FIXED_DISCOUNT, "시장 2천 원 상품권", 2_000, None, 2_000, 90, None, "1만 원 이상 구매 시")],
        ),
    ],
}
# How many published bundles (by name) each offer comes with, and how many of those get a welcome coupon.
BUNDLES_PER_OFFER = 6
WELCOME_OFFERS = 2
REDEEM_SHARE = 0.35


def _brn(seed: int) -> str:
    """A business registration number with a valid check digit, the same for the same seed."""
    base = f"{610 + seed % 80:03d}87{seed % 10000:04d}"
    check = next(d for d in range(10) if is_valid_business_number(f"{base}{d}"))
    return f"{base[:3]}-{base[3:5]}-{base[5:]}{check}"


def _partner_login(municipality: Municipality, index: int) -> str:
    return f"partner{index:02d}@{municipality.slug}.demo"


def _ensure_partner(municipality: Municipality, index: int, spec: tuple) -> Partner:
    name, kind, address, (lat, lng), hours, phone, description, _offers = spec
    partner = Partner.objects.for_tenant(municipality).filter(name=name).first()
    if partner is None:
        partner = partner_create(
            municipality=municipality,
            name=name,
            kind=kind,
            representative=name[:2] + "대표",
            business_registration_number=_brn(index * 37 + (0 if municipality.slug == "hadong" else 500)),
            address=address,
            latitude=Decimal(lat),
            longitude=Decimal(lng),
            hours=hours,
            phone=phone,
            description=description,
            is_active=True,
            bank_code="039",
            account_number=f"5{index:02d}-21-{40000 + index * 7:06d}",
            account_holder=name[:10],
        )
    user = demo_user(_partner_login(municipality, index), f"{name[:6]} 직원", f"010-7{index:03d}-{2000 + index:04d}")
    if not PartnerMember.objects.filter(membership__user=user, municipality=municipality).exists():
        partner_member_bind(partner=partner, user=user)
    return partner


def _ensure_offer(partner: Partner, spec: tuple) -> Offer:
    kind, title, face, percent, reimbursement, days, cap, terms = spec
    offer = Offer.objects.filter(partner=partner, title=title).first()
    if offer is None:
        offer = offer_create(
            partner=partner,
            kind=kind,
            title=title,
            face_value_won=face,
            discount_percent=percent,
            reimbursement_won=reimbursement,
            validity_days=days,
            terms=terms,
            monthly_cap=cap,
            is_active=True,
        )
    return offer


def seed_tourism_partners(progress=None) -> list[str]:
    """Partners, their offers and logins, and the bundles each offer comes with."""
    lines: list[str] = []
    for municipality in Municipality.objects.filter(slug__in=PARTNERS).order_by("slug"):
        bundles = list(Bundle.objects.for_tenant(municipality).filter(status=Bundle.Status.PUBLISHED).order_by("name"))
        specs = PARTNERS[municipality.slug]
        offer_count = 0
        for index, spec in enumerate(specs, start=1):
            partner = _ensure_partner(municipality, index, spec)
            for offer_spec in spec[7]:
                offer = _ensure_offer(partner, offer_spec)
                offer_count += 1
                if bundles:
                    # Each offer rides with a different run of bundles, so most bundles carry one or two.
                    start = (index - 1) * 3 % len(bundles)
                    chosen = [bundles[(start + k) % len(bundles)] for k in range(min(BUNDLES_PER_OFFER, len(bundles)))]
                    welcome = chosen[:1] if index <= WELCOME_OFFERS else []
                    offer_attachments_set(offer=offer, bundles=chosen, welcome_bundles=welcome)
            if progress:
                progress(f"{municipality.slug} 제휴처", index, len(specs))
        lines.append(
            f"  {municipality.name} 관광 제휴처 {len(specs)}곳, 혜택 {offer_count}개 / tourism partners and offers"
        )
        lines.append(
            f"    제휴처 로그인 / partner login: {_partner_login(municipality, 1)} ({specs[0][0]}) → "
            f"{settings.SITE_URL}/{municipality.slug}/partner/"
        )
    return lines


def _issue_history(municipality: Municipality) -> None:
    """Welcome coupons of every demo subscription, and box coupons of shipments made before the offers
    existed, each at the moment it would have been issued."""
    from delivery.models import Shipment
    from subscriptions.models import Subscription

    for sub_id, bundle_id, user_id, created_at in Subscription.objects.for_tenant(municipality).values_list(
        "pk", "bundle_id", "subscriber__user_id", "created_at"
    ):
        coupons_issue_welcome(
            municipality=municipality, subscription_id=sub_id, bundle_id=bundle_id, holder_id=user_id, now=created_at
        )
    batches: dict[datetime, list[Box]] = {}
    rows = (
        Shipment.objects.for_tenant(municipality)
        .filter(order__subscription__isnull=False)
        .values_list("pk", "order__subscription_id", "order__bundle_id", "order__subscriber__user_id", "created_at")
    )
    for shipment_id, sub_id, bundle_id, user_id, created_at in rows:
        batches.setdefault(created_at, []).append(Box(shipment_id, sub_id, bundle_id, user_id))
    for created_at, boxes in sorted(batches.items()):
        coupons_issue_for_boxes(municipality=municipality, boxes=boxes, now=created_at)


def _redeem_history(municipality: Municipality, now: datetime) -> int:
    """Redeem about a third of the coupons issued at least two days ago, at the venue, some days after
    they were issued, during opening hours — through the redemption service, so caps and expiry hold."""
    staff_by_partner = {
        partner_id: user
        for partner_id, user in (
            (member.partner_id, member.membership.user)
            for member in PartnerMember.objects.for_tenant(municipality).select_related("membership__user")
        )
    }
    candidates = (
        Coupon.objects.for_tenant(municipality)
        .filter(redeemed_at__isnull=True, issued_at__lte=now - timedelta(days=2))
        .select_related("offer__partner")
        .order_by("issued_at", "pk")
    )
    redeemed = 0
    for coupon in candidates:
        rng = random.Random(f"coupon-{coupon.pk}")
        if rng.random() >= REDEEM_SHARE or coupon.offer.partner_id not in staff_by_partner:
            continue
        latest = min(coupon.expires_at, now) - coupon.issued_at
        days = rng.randint(1, max(1, latest.days - 1))
        local_day = timezone.localdate(coupon.issued_at) + timedelta(days=days)
        moment = timezone.make_aware(datetime.combine(local_day, time(rng.randint(10, 16), rng.randint(0, 59))))
        if not coupon.issued_at < moment < min(coupon.expires_at, now):
            continue
        try:
            coupon_redeem(
                coupon=coupon,
                partner=coupon.offer.partner,
                acting_user=staff_by_partner[coupon.offer.partner_id],
                place=coupon.offer.partner.name,
                now=moment,
            )
        except CouponRejected:
            # A monthly cap already reached that month: the venue turned the coupon away, as it would.
            continue
        redeemed += 1
    return redeemed


def seed_tourism_history(progress=None) -> list[str]:
    lines: list[str] = []
    now = timezone.now()
    municipalities = list(Municipality.objects.filter(slug__in=PARTNERS).order_by("slug"))
    for number, municipality in enumerate(municipalities, start=1):
        _issue_history(municipality)
        _redeem_history(municipality, now)
        coupons = Coupon.objects.for_tenant(municipality)
        lines.append(
            f"  {municipality.name} 관광 쿠폰 / coupons: 발급 {coupons.count()}장, "
            f"사용 {coupons.filter(redeemed_at__isnull=False).count()}장"
        )
        if progress:
            progress("관광 쿠폰", number, len(municipalities))
    return lines
