import pytest

from subscriptions import lifecycle
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


def test_cancelling_a_prepaid_term_refunds_the_unshipped_boxes(prepaid):
    # given: 6 paid, 2 shipped
    lifecycle.prepaid_term_paid(subscription=prepaid)
    for _ in range(2):
        lifecycle.prepaid_box_shipped(subscription=prepaid)
    # when
    lifecycle.subscription_cancel(subscription=prepaid, reason="moving", acting_user=None)
    # then: 4 × (39,000 − 5 % + 3,000 shipping) = 4 × 40,050
    event = SubscriptionEvent.objects.get(subscription=prepaid, kind="canceled")
    assert event.data["refund_due_won"] == 160_200
    assert event.data["unshipped_boxes"] == 4


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
