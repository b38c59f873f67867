import pytest

from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, subscriber_with_card
from tests.tourism.factories import AttachmentFactory
from tourism.models import Coupon

pytestmark = pytest.mark.django_db


def test_starting_a_subscription_issues_the_bundles_welcome_coupons_once(municipality, stripe_gateway):
    # given: one welcome offer and one per-box offer on the bundle
    bundle = published_bundle(municipality)
    welcome = AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle, is_welcome=True)
    AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle)
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    plan = bundle.plans.get(cadence="monthly")
    # when
    subscription = subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )
    # then: only the welcome coupon, held by the subscriber, tied to the subscription
    coupon = Coupon.objects.get()
    assert (coupon.offer_id, coupon.holder_id, coupon.subscription_id, coupon.shipment_id) == (
        welcome.offer_id,
        subscriber.user_id,
        subscription.pk,
        None,
    )
