"""Box ratings: only the owner, only after delivery, for RATING_DAYS days, 1–5; the staff summary and the
merchant's product averages."""

from datetime import timedelta

import pytest
import time_machine

from delivery.models import BoxRating, Shipment
from delivery.ratings import (
    RATING_DAYS,
    RatingNotAllowed,
    box_rating_save,
    merchant_product_ratings,
    ratings_summary,
)
from delivery.services import shipment_move, shipments_create_for_cycle
from tests.accounts.factories import UserFactory
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, shipped_cycle, subscribe


def delivered(shipment: Shipment) -> Shipment:
    for to in ("shipped", "delivered"):
        shipment = shipment_move(shipment=shipment, to=to, acting_user=None)
    return shipment


@pytest.fixture
def box(municipality, stripe_gateway) -> Shipment:
    _cycle, orders = shipped_cycle(municipality, stripe_gateway, 1)
    return Shipment.objects.select_related("order__subscriber").get(order=orders[0])


@pytest.mark.django_db
def test_the_owner_rates_a_delivered_box_and_changes_it(box):
    # given
    box = delivered(box)
    owner = box.order.subscriber.user
    # when
    first = box_rating_save(shipment=box, user=owner, score="4", comment="  싱싱했어요 ")
    again = box_rating_save(shipment=box, user=owner, score=5, comment="아주 싱싱했어요")
    # then
    assert first.pk == again.pk
    rating = BoxRating.objects.get(shipment=box)
    assert (rating.score, rating.comment, rating.municipality_id) == (5, "아주 싱싱했어요", box.municipality_id)


@pytest.mark.django_db
def test_a_box_not_yet_delivered_cannot_be_rated(box):
    owner = box.order.subscriber.user
    for to in (None, "shipped"):
        if to:
            box = shipment_move(shipment=box, to=to, acting_user=None)
        with pytest.raises(RatingNotAllowed) as error:
            box_rating_save(shipment=box, user=owner, score=5)
        assert error.value.message == "배송이 완료된 상자만 평가할 수 있습니다."
    assert not BoxRating.objects.exists()


@pytest.mark.django_db
def test_someone_elses_box_cannot_be_rated(box):
    box = delivered(box)
    with pytest.raises(RatingNotAllowed) as error:
        box_rating_save(shipment=box, user=UserFactory(), score=5)
    assert error.value.message == "본인이 받은 상자만 평가할 수 있습니다."
    assert not BoxRating.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, "", "다섯", None])
def test_a_score_outside_one_to_five_is_refused(box, score):
    box = delivered(box)
    with pytest.raises(RatingNotAllowed) as error:
        box_rating_save(shipment=box, user=box.order.subscriber.user, score=score)
    assert error.value.message == "별점을 1점부터 5점 중에서 골라 주세요."
    assert not BoxRating.objects.exists()


@pytest.mark.django_db
def test_a_long_comment_is_refused_and_the_old_rating_stays(box):
    box = delivered(box)
    owner = box.order.subscriber.user
    box_rating_save(shipment=box, user=owner, score=3, comment="보통")
    with pytest.raises(RatingNotAllowed) as error:
        box_rating_save(shipment=box, user=owner, score=1, comment="가" * 501)
    assert error.value.message == "한마디는 500자까지 적을 수 있습니다."
    assert list(BoxRating.objects.values_list("score", "comment")) == [(3, "보통")]


@pytest.mark.django_db
def test_ratings_can_be_left_or_changed_only_for_the_set_days_after_delivery(box):
    box = delivered(box)
    owner = box.order.subscriber.user
    box_rating_save(shipment=box, user=owner, score=2)
    late = box.delivered_at + timedelta(days=RATING_DAYS, minutes=1)
    with time_machine.travel(late), pytest.raises(RatingNotAllowed) as error:
        box_rating_save(shipment=box, user=owner, score=5)
    assert error.value.message.startswith(f"평가는 받은 날부터 {RATING_DAYS}일 동안")
    assert BoxRating.objects.get().score == 2


@pytest.mark.django_db
def test_the_staff_summary_counts_every_score_and_lists_the_latest_comments(
    municipality, other_municipality, stripe_gateway, django_assert_max_num_queries
):
    # given: four delivered boxes rated 5, 5, 4, 1, one of them with a comment
    _cycle, orders = shipped_cycle(municipality, stripe_gateway, 4)
    for order, score in zip(orders, (5, 5, 4, 1), strict=True):
        shipment = delivered(Shipment.objects.get(order=order))
        box_rating_save(
            shipment=shipment, user=order.subscriber.user, score=score, comment="늦었어요" if score == 1 else ""
        )
    # when
    with django_assert_max_num_queries(2):
        summary = ratings_summary(municipality=municipality)
        latest = list(summary.latest)
    # then
    assert summary.count == 4
    assert str(summary.average) == "3.8"
    assert summary.distribution == [(1, 1), (2, 0), (3, 0), (4, 1), (5, 2)]
    assert [(r.score, r.comment) for r in latest] == [(1, "늦었어요")]
    assert ratings_summary(municipality=other_municipality).count == 0


@pytest.mark.django_db
def test_a_merchant_sees_the_average_of_the_boxes_holding_each_of_its_products(municipality, stripe_gateway):
    # given: merchant A's 쌀 in two boxes (rated 5 and 2), A's 녹차 and B's 밤 in one of them
    merchant_a, merchant_b = MerchantFactory(municipality=municipality), MerchantFactory(municipality=municipality)
    rice = ProductFactory(merchant=merchant_a, name="하동 쌀")
    tea = ProductFactory(merchant=merchant_a, name="하동 녹차")
    chestnut = ProductFactory(merchant=merchant_b, name="하동 밤")
    full = bundle_with(municipality, [(rice, 1), (tea, 1), (chestnut, 1)])
    rice_only = bundle_with(municipality, [(rice, 2)])
    with time_machine.travel(BEFORE, tick=False):
        sub_full = subscribe(municipality, stripe_gateway, full.plans.get())
        sub_rice = subscribe(municipality, stripe_gateway, rice_only.plans.get())
    close_and_charge(sub_full.first_cycle, stripe_gateway)
    shipments_create_for_cycle(cycle=sub_full.first_cycle)
    for sub, score in ((sub_full, 5), (sub_rice, 2)):
        shipment = delivered(Shipment.objects.get(order__subscription=sub))
        box_rating_save(shipment=shipment, user=sub.subscriber.user, score=score)
    # when
    rows = merchant_product_ratings(merchant=merchant_a)
    # then
    assert [(r.product_name, str(r.average), r.count) for r in rows] == [("하동 녹차", "5.0", 1), ("하동 쌀", "3.5", 2)]
    assert [(r.product_name, r.count) for r in merchant_product_ratings(merchant=merchant_b)] == [("하동 밤", 1)]
