"""Box ratings: after a box is delivered its subscriber rates it 1–5 with an optional comment, and may
change it for RATING_DAYS days. Read back for the staff dashboard (average, distribution, latest comments)
and for merchants (the average of the boxes that held each of their products)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.utils.translation import gettext as _

from accounts.models import User
from bundles.models import Merchant
from delivery.models import BoxRating, Shipment
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import OrderItem

RATING_DAYS = 14
SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX = 500


class RatingNotAllowed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def rating_deadline(shipment: Shipment) -> datetime | None:
    """Until when the box may be rated or its rating changed (None: not delivered)."""
    if shipment.status != Shipment.Status.DELIVERED or shipment.delivered_at is None:
        return None
    return shipment.delivered_at + timedelta(days=RATING_DAYS)


def can_rate(shipment: Shipment, *, now: datetime | None = None) -> bool:
    deadline = rating_deadline(shipment)
    return deadline is not None and (now or clock.now()) <= deadline


def _score(value: object) -> int:
    try:
        score = int(str(value))
    except (TypeError, ValueError):
        score = 0
    if score not in SCORES:
        raise RatingNotAllowed(_("별점을 1점부터 5점 중에서 골라 주세요."))
    return score


@transaction.atomic
def box_rating_save(*, shipment: Shipment, user: User, score: object, comment: str = "") -> BoxRating:
    """Rate a delivered box, or change its rating, as the subscriber who owns it.

    Refused with RatingNotAllowed (a Korean message; nothing changes): someone else's box, a box not
    delivered (or returned since), after RATING_DAYS days from delivery, a score outside 1–5, a comment
    over COMMENT_MAX characters. Locks the shipment row so a double tap makes one rating; saving the same
    score and comment again changes nothing."""
    locked = Shipment.objects.select_for_update().select_related("order").get(pk=shipment.pk)
    if locked.order.subscriber.user_id != user.pk:
        raise RatingNotAllowed(_("본인이 받은 상자만 평가할 수 있습니다."))
    if locked.status != Shipment.Status.DELIVERED:
        raise RatingNotAllowed(_("배송이 완료된 상자만 평가할 수 있습니다."))
    if not can_rate(locked):
        raise RatingNotAllowed(
            _("평가는 받은 날부터 %(days)d일 동안 남기거나 고칠 수 있습니다. 기간이 지났습니다.")
            % {"days": RATING_DAYS}
        )
    value = _score(score)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise RatingNotAllowed(_("한마디는 %(max)d자까지 적을 수 있습니다.") % {"max": COMMENT_MAX})
    now = clock.now()
    rating = BoxRating.objects.filter(municipality_id=locked.municipality_id, shipment_id=locked.pk).first()
    if rating is None:
        return BoxRating.objects.create(
            municipality_id=locked.municipality_id,
            shipment=locked,
            score=value,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
    if (rating.score, rating.comment) != (value, comment):
        rating.score, rating.comment, rating.updated_at = value, comment, now
        rating.save(update_fields=["score", "comment", "updated_at"])
    return rating


def _one_decimal(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: Decimal | None
    distribution: list[tuple[int, int]]  # (score, how many), 1 to 5
    latest: list[BoxRating]


def ratings_summary(*, municipality: Municipality, since: datetime | None = None, latest: int = 5) -> RatingSummary:
    """The staff dashboard's numbers: one GROUP BY for the distribution, one query for the latest comments."""
    ratings = BoxRating.objects.filter(municipality_id=municipality.pk)
    if since is not None:
        ratings = ratings.filter(updated_at__gte=since)
    counts = dict(ratings.order_by().values_list("score").annotate(n=Count("pk")))
    total = sum(counts.values())
    average = _one_decimal(sum(score * n for score, n in counts.items()) / total) if total else None
    comments = list(
        ratings.exclude(comment="").select_related("shipment__order").order_by("-updated_at", "-pk")[:latest]
    )
    return RatingSummary(total, average, [(score, counts.get(score, 0)) for score in SCORES], comments)


@dataclass(frozen=True)
class ProductRating:
    product_id: int
    product_name: str
    average: Decimal
    count: int


def merchant_product_ratings(*, merchant: Merchant) -> list[ProductRating]:
    """For each of the merchant's products that was in a rated box: the average score of those boxes and how
    many there were. One GROUP BY over order items (an order holds a product at most once, so a box counts
    once per product)."""
    rows = (
        OrderItem.objects.filter(
            municipality_id=merchant.municipality_id,
            merchant_id=merchant.pk,
            order__shipments__ratings__isnull=False,
        )
        .order_by()
        .values("product_id", "product__name")
        .annotate(average=Avg("order__shipments__ratings__score"), count=Count("order__shipments__ratings"))
        .order_by("product__name", "product_id")
    )
    return [ProductRating(r["product_id"], r["product__name"], _one_decimal(r["average"]), r["count"]) for r in rows]
