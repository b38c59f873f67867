import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from subscriptions.models import PromoCode, PromoRedemption, ShippingSupportCampaign, ShippingSupportDraw, Subscription
from subscriptions.promotions import PromoInvalid, promo_find, shipping_support_draw
from subscriptions.quotes import quote
from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, subscriber_with_card


def make_promo(municipality, **fields) -> PromoCode:
    now = timezone.now()
    defaults = {
        "code": "HADONG10",
        "kind": "percent",
        "amount": 1000,
        "valid_from": now - timedelta(days=1),
        "valid_until": now + timedelta(days=30),
    }
    return PromoCode.objects.create(municipality=municipality, **{**defaults, **fields})


def run_concurrently(*calls) -> list:
    """Run each call in its own thread (each with its own database connection) released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_racing_for_the_last_use_one_wins(municipality, stripe_gateway):
    # given: a code with one use left, two subscribers ready to check out
    bundle = published_bundle(municipality)
    plan = bundle.plans.get(cadence="monthly")
    promo = make_promo(municipality, max_uses=1)
    buyers = [subscriber_with_card(municipality, stripe_gateway) for _ in range(2)]

    def checkout(subscriber, address, card):
        return lambda: subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=1,
            address=address,
            payment_method=card,
            promo_code="hadong10",
            acting_user=subscriber.user,
        )

    # when
    results = run_concurrently(*(checkout(*b) for b in buyers))
    # then
    winners = [r for r in results if isinstance(r, Subscription)]
    losers = [r for r in results if isinstance(r, PromoInvalid)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert str(losers[0]) == "선착순 사용이 모두 끝난 프로모션 코드입니다."
    promo.refresh_from_db()
    assert promo.uses_count == 1
    assert PromoRedemption.objects.count() == 1
    assert Subscription.objects.count() == 1  # the loser's checkout saved nothing


@pytest.mark.django_db(transaction=True)
def test_shipping_support_is_never_overdrawn_under_concurrency(municipality, stripe_gateway):
    # given: ₩10,000 of budget, ₩3,000 a box, eight boxes drawing at once
    bundle = published_bundle(municipality)
    plan = bundle.plans.get(cadence="monthly")
    today = timezone.localdate()
    ShippingSupportCampaign.objects.create(
        municipality=municipality,
        name="배송비 지원",
        budget_won=10_000,
        per_box_cap_won=3_000,
        starts_on=today,
        ends_on=today + timedelta(days=30),
    )
    subscriptions = []
    for _ in range(8):
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        subscriptions.append(
            subscription_create(
                subscriber=subscriber,
                plan=plan,
                term_boxes=1,
                address=address,
                payment_method=card,
                acting_user=subscriber.user,
            )
        )
    # when
    results = run_concurrently(
        *(
            (lambda s=s: shipping_support_draw(subscription=s, cycle=s.first_cycle, shipping_fee_won=3_000))
            for s in subscriptions
        )
    )
    # then: 3 + 3 + 3 + 1 = 10,000 exactly, never more
    assert not [r for r in results if isinstance(r, Exception)], results
    campaign = ShippingSupportCampaign.objects.get()
    assert campaign.spent_won == 10_000
    assert sorted(d.amount_won for d in ShippingSupportDraw.objects.all()) == [1_000, 3_000, 3_000, 3_000]


@pytest.mark.django_db
def test_drawing_twice_for_one_box_draws_once(municipality, subscription):
    today = timezone.localdate()
    ShippingSupportCampaign.objects.create(
        municipality=municipality, name="지원", budget_won=50_000, starts_on=today, ends_on=today
    )
    first = shipping_support_draw(subscription=subscription, cycle=subscription.first_cycle, shipping_fee_won=3_000)
    again = shipping_support_draw(subscription=subscription, cycle=subscription.first_cycle, shipping_fee_won=3_000)
    assert first.pk == again.pk
    assert ShippingSupportCampaign.objects.get().spent_won == 3_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_active": False}, "사용할 수 없는 프로모션 코드입니다."),
        ({"valid_until": timezone.now() - timedelta(days=1)}, "사용 기간이 아닌 프로모션 코드입니다."),
        ({"max_uses": 0}, "선착순 사용이 모두 끝난 프로모션 코드입니다."),
    ],
)
def test_promo_refusals_are_explained(municipality, bundle, fields, message):
    make_promo(municipality, **fields)
    with pytest.raises(PromoInvalid, match=message):
        promo_find(municipality=municipality, code="HADONG10", bundle=bundle, subscriber=None)


@pytest.mark.django_db
def test_promo_restricted_to_other_bundles_is_refused(municipality, bundle):
    promo = make_promo(municipality)
    promo.bundles.add(published_bundle(municipality))
    with pytest.raises(PromoInvalid, match="이 꾸러미에는 쓸 수 없는"):
        promo_find(municipality=municipality, code="HADONG10", bundle=bundle, subscriber=None)


@pytest.mark.django_db
def test_a_code_of_another_municipality_is_unknown(municipality, other_municipality, bundle):
    make_promo(other_municipality)
    with pytest.raises(PromoInvalid, match="사용할 수 없는"):
        promo_find(municipality=municipality, code="HADONG10", bundle=bundle, subscriber=None)


@pytest.mark.django_db
def test_quote_shows_every_part(municipality, bundle):
    # given: ₩39,000 box, ₩3,000 shipping, 12 boxes prepaid at 8 % off, ₩5,000 off the first 2 boxes,
    # shipping support of ₩2,000 a box
    plan = bundle.plans.get(cadence="monthly")
    promo = make_promo(municipality, kind="fixed", amount=5_000, boxes=2)
    today = timezone.localdate()
    campaign = ShippingSupportCampaign.objects.create(
        municipality=municipality,
        name="지원",
        budget_won=1_000_000,
        per_box_cap_won=2_000,
        starts_on=today,
        ends_on=today,
    )
    # when
    q = quote(plan=plan, term_boxes=12, promo=promo, campaign=campaign)
    # then
    assert (q.box_price_won, q.term_discount_won, q.promo_discount_won) == (39_000, 3_120, 5_000)
    assert (q.shipping_fee_won, q.shipping_support_won) == (3_000, 2_000)
    # 12 × (35,880 + 1,000) − 2 × 5,000
    assert q.first_charge_won == 12 * 36_880 - 10_000
    assert q.later_charge_won == 12 * 36_880


@pytest.mark.django_db
def test_quote_per_box_without_extras(bundle):
    q = quote(plan=bundle.plans.get(cadence="monthly"), term_boxes=1)
    assert (q.first_charge_won, q.later_charge_won, q.term_discount_won) == (42_000, 42_000, 0)


@pytest.mark.django_db
def test_a_campaign_starting_today_counts_just_after_midnight_in_korea(municipality):
    # 00:30 in Seoul is still the day before in UTC: "today" must be Korea's date
    import time_machine

    from subscriptions.promotions import support_campaign_current
    from tests.subscriptions.helpers import seoul

    with time_machine.travel(seoul(2026, 11, 24, 0, 30), tick=False):
        campaign = ShippingSupportCampaign.objects.create(
            municipality=municipality,
            name="지원",
            budget_won=50_000,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
        assert campaign.starts_on.day == 24
        assert support_campaign_current(municipality=municipality) == campaign
