import pytest

from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, subscriber_with_card


@pytest.fixture
def bundle(municipality):
    return published_bundle(municipality)


@pytest.fixture
def subscription(municipality, stripe_gateway, bundle):
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    return subscription_create(
        subscriber=subscriber,
        plan=bundle.plans.get(cadence="monthly"),
        term_boxes=1,
        address=address,
        payment_method=card,
        acting_user=subscriber.user,
    )
