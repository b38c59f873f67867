"""Demo delivery options and box ratings, through the real services.

Two steps of seed_demo:
- seed_delivery_options (before the shipments are made, so the boxes take the methods chosen): 하동's local
  area (하동읍 by name, 악양면 by its postcodes), two pickup points, the coming holidays; some 하동
  subscribers choose local delivery (only those the area takes) or pickup.
- seed_box_ratings (after the shipments step; with no shipments it does nothing): five in nine of
  the delivered boxes rated 1–5, a few with a comment, a day or so after delivery.

Safe to run again: settings are saved to the same values, a subscription that has a choice keeps it, and a
box already rated is left alone.
"""

import random
from datetime import date, timedelta

from delivery.models import BoxRating, DeliveryHoliday, DeliveryPreference, PickupPoint, Shipment
from delivery.options import (
    DeliveryChoiceNotAllowed,
    PickupPointData,
    delivery_preference_set,
    delivery_settings_update,
    holiday_add,
    pickup_point_save,
)
from delivery.ratings import RatingNotAllowed, box_rating_save
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import Subscription

SLUG = "hadong"
PICKUP_POINTS = [
    PickupPointData("하동군청 민원실", "경상남도 하동군 하동읍 군청로 23 (1층 민원실)", "평일 09:00~18:00"),
    PickupPointData("하동공설시장 고객센터", "경상남도 하동군 하동읍 시장1길 12", "매일 08:00~19:00 (명절 당일 휴무)"),
]
HOLIDAYS = [
    (date(2026, 12, 25), "성탄절"),
    (date(2027, 1, 1), "신정"),
    (date(2027, 2, 6), "설날 연휴"),
    (date(2027, 2, 7), "설날"),
    (date(2027, 2, 8), "설날 연휴"),
    (date(2027, 2, 9), "대체공휴일"),
    (date(2027, 3, 1), "삼일절"),
]
# Five boxes in nine are rated (by id, so a second run picks the same ones).
RATED_OF_NINE = {0, 2, 3, 5, 6}
SCORE_WEIGHTS = {1: 3, 2: 5, 3: 14, 4: 36, 5: 42}
COMMENTS = {
    1: ["상자가 찌그러져 왔고 배가 조금 상해 있었어요."],
    2: ["녹차는 좋았는데 밤이 덜 여물었어요.", "배송이 하루 늦었어요."],
    3: ["무난했어요. 양이 조금 더 많았으면 좋겠어요."],
    4: ["재첩국이 정말 시원했어요.", "포장이 꼼꼼해서 좋았습니다.", "부모님이 좋아하셨어요."],
    5: ["하동 녹차 향이 진해요. 다음 달도 기대됩니다!", "신선하고 양도 넉넉해요.", "농부님 손편지에 감동했어요."],
}


def seed_delivery_options(progress=None) -> list[str]:
    municipality = Municipality.objects.filter(slug=SLUG).first()
    if municipality is None:
        return []
    points = {p.name: p for p in PickupPoint.objects.for_tenant(municipality)}
    for data in PICKUP_POINTS:
        if data.name not in points:
            points[data.name] = pickup_point_save(municipality=municipality, data=data, acting_user=None)
    delivery_settings_update(
        municipality=municipality,
        allow_local=True,
        allow_pickup=True,
        local_postcode_ranges=[["52320", "52329"]],
        local_area_names=["하동읍"],
        cold_weekdays=[0, 1, 2, 3],
        acting_user=None,
    )
    listed = set(DeliveryHoliday.objects.for_tenant(municipality).values_list("date", flat=True))
    for day, name in HOLIDAYS:
        if day not in listed:
            holiday_add(municipality=municipality, day=day, name=name, acting_user=None)
    chosen = set(DeliveryPreference.objects.for_tenant(municipality).values_list("subscription_id", flat=True))
    subs = list(
        Subscription.objects.for_tenant(municipality)
        .exclude(status=Subscription.Status.CANCELED)
        .select_related("address", "subscriber__user")
        .order_by("pk")
    )
    point_ids = [points[data.name].pk for data in PICKUP_POINTS]
    for index, sub in enumerate(subs, start=1):
        if sub.pk in chosen:
            continue
        turn = sub.pk % 6
        try:
            if turn in (0, 1):
                delivery_preference_set(subscription=sub, method="local", acting_user=sub.subscriber.user)
            elif turn == 2:
                delivery_preference_set(
                    subscription=sub,
                    method="pickup",
                    pickup_point_id=point_ids[sub.pk % len(point_ids)],
                    acting_user=sub.subscriber.user,
                )
        except DeliveryChoiceNotAllowed:
            pass  # outside the local area: this subscriber keeps the courier
        if progress:
            progress(f"{SLUG} 배송 방법", index, len(subs))
    counts = {
        method: DeliveryPreference.objects.for_tenant(municipality).filter(method=method).count()
        for method in ("local", "pickup")
    }
    return [
        f"  {municipality.name} 배송 방법 / delivery choices: 지역 직접 배송 {counts['local']}, "
        f"방문 수령 {counts['pickup']} (수령 장소 {len(points)}곳)"
    ]


def seed_box_ratings(progress=None) -> list[str]:
    lines = []
    now = clock.now()
    for municipality in Municipality.objects.filter(is_active=True).order_by("slug"):
        boxes = list(
            Shipment.objects.for_tenant(municipality)
            .filter(status=Shipment.Status.DELIVERED, ratings__isnull=True)
            .select_related("order__subscriber__user")
            .order_by("pk")
        )
        for index, box in enumerate(boxes, start=1):
            rng = random.Random(f"rating-{box.pk}")
            if box.pk % 9 in RATED_OF_NINE:
                score = rng.choices(list(SCORE_WEIGHTS), weights=list(SCORE_WEIGHTS.values()))[0]
                comment = rng.choice(COMMENTS[score]) if rng.random() < 0.3 else ""
                at = min(box.delivered_at + timedelta(hours=rng.randint(2, 40)), now)
                try:
                    with clock.frozen(at):
                        box_rating_save(shipment=box, user=box.order.subscriber.user, score=score, comment=comment)
                except RatingNotAllowed:
                    pass  # delivered too long ago for the rating window
            if progress:
                progress(f"{municipality.slug} 평가", index, len(boxes))
        rated = BoxRating.objects.for_tenant(municipality).count()
        if rated:
            lines.append(f"  {municipality.name} 상자 평가 / box ratings: {rated}")
    return lines
