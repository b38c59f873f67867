import pytest
import time_machine

from subscriptions import lifecycle
from subscriptions.billing import charging
from subscriptions.lifecycle import ChangeNotAllowed
from subscriptions.models import SubscriptionEvent
from subscriptions.services import CheckoutError, subscription_create
from tests.subscriptions.helpers import subscriber_with_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepaid(municipality, stripe_gateway, bundle):
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    return subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence="monthly"),
        term_boxes=6,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )


def test_prepaid_term_counts_down_as_boxes_ship(prepaid):
    # given: the 6-box term is paid
    assert prepaid.term_discount_bp == 500 and prepaid.prepaid_boxes_remaining == 0
    lifecycle.prepaid_term_paid(subscription=prepaid)
    # when: two boxes ship
    lifecycle.prepaid_box_shipped(subscription=prepaid)
    lifecycle.prepaid_box_shipped(subscription=prepaid)
    # then
    prepaid.refresh_from_db()
    assert prepaid.prepaid_boxes_remaining == 4


def test_cancelling_a_prepaid_term_refunds_the_unshipped_boxes(municipality, stripe_gateway):
    from subscriptions.billing.refunds import subscription_cancel_with_refund
    from subscriptions.models import Refund
    from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order

    # given: a 3-box term paid (3 × (39,000 − 3 % + 3,000) = 122,490), one box of it shipping now
    order = closed_order(municipality, stripe_gateway, term=3)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    sub = order.subscription
    sub.refresh_from_db()
    assert (order.amount_won, sub.prepaid_boxes_remaining) == (122_490, 2)
    # when: cancelled, twice
    subscription_cancel_with_refund(
        subscription=sub, reason="moving", note="", acting_user=None, gateway=stripe_gateway
    )
    subscription_cancel_with_refund(
        subscription=sub, reason="moving", note="", acting_user=None, gateway=stripe_gateway
    )
    # then: the two unshipped boxes are refunded once, at what was paid per box
    refund = Refund.objects.get()
    assert (refund.amount_won, refund.status) == (122_490 * 2 // 3, "succeeded")
    event = SubscriptionEvent.objects.get(subscription=sub, kind="canceled")
    assert event.data["refund_due_won"] == 81_660 and event.data["unshipped_boxes"] == 2


def test_the_term_cannot_be_changed_while_prepaid_boxes_remain(prepaid, bundle):
    lifecycle.prepaid_term_paid(subscription=prepaid)
    with pytest.raises(ChangeNotAllowed):
        lifecycle.subscription_change_plan(
            subscription=prepaid, plan=bundle.plans.get(cadence="weekly"), acting_user=None
        )
    prepaid.refresh_from_db()
    assert prepaid.cadence == "monthly"


def test_a_term_the_plan_does_not_offer_is_refused(municipality, stripe_gateway, bundle):
    plan = bundle.plans.get(cadence="monthly")
    bundle.plans.filter(pk=plan.pk).update(prepay_12_discount_bp=0)
    plan.refresh_from_db()
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    with pytest.raises(CheckoutError):
        subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=12,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )


def test_cancel_page_refunds_a_prepaid_term_and_says_so(client, municipality, stripe_gateway):
    from django.urls import reverse

    from subscriptions.models import Refund
    from tests.subscriptions.billing_helpers import CHARGE_TIME, closed_order

    order = closed_order(municipality, stripe_gateway, term=3)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    client.force_login(order.subscriber.user)
    url = reverse(
        "subscriptions:my-cancel",
        kwargs={"municipality_slug": municipality.slug, "subscription_id": order.subscription_id},
    )
    response = client.post(url, {"reason": "moving", "note": ""}, follow=True)
    assert "81,660원을 결제한 카드로 환불했습니다" in response.content.decode()
    assert Refund.objects.get().amount_won == 81_660
