import pytest
import time_machine

from subscriptions.billing import charging
from subscriptions.billing.close import cycle_close
from subscriptions.models import Order
from subscriptions.services import subscription_create
from tests.subscriptions.billing_helpers import BEFORE, CHARGE_TIME
from tests.subscriptions.helpers import published_bundle, subscriber_with_card
from tests.tourism.factories import AttachmentFactory
from tourism.models import Coupon

pytestmark = pytest.mark.django_db


def test_welcome_coupons_come_with_the_first_payment_once(municipality, stripe_gateway):
    # given: a bundle with one welcome offer and one per-box offer
    bundle = published_bundle(municipality, cadences=("weekly",))
    welcome = AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle, is_welcome=True)
    AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle)
    # when: someone subscribes and the cycle closes
    with time_machine.travel(BEFORE, tick=False):
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        subscription = subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    with time_machine.travel(CHARGE_TIME, tick=False):
        cycle_close(cycle_id=subscription.first_cycle_id)
    # then: nothing yet — a sign-up that never pays gets no coupons
    assert not Coupon.objects.exists()
    # when: the first box is paid, and charged again (a repeated task)
    order = Order.objects.get(subscription=subscription)
    with time_machine.travel(CHARGE_TIME, tick=False):
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
        charging.order_charge(order_id=order.pk, gateway=stripe_gateway)
    # then: only the welcome coupon, once, held by the subscriber, tied to the subscription
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    coupon = Coupon.objects.get()
    assert (coupon.offer_id, coupon.holder_id, coupon.subscription_id, coupon.shipment_id) == (
        welcome.offer_id,
        subscriber.user_id,
        subscription.pk,
        None,
    )
