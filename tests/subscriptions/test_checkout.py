import pytest
from django.utils import timezone

from subscriptions.models import PaymentMethod, Subscription, SubscriptionEvent
from subscriptions.services import CheckoutError, subscription_create
from tests.subscriptions.helpers import published_bundle, subscriber_with_card

pytestmark = pytest.mark.django_db


def test_checkout_saves_a_card_through_localstripe_and_records_consent(municipality, stripe_gateway):
    # given
    bundle = published_bundle(municipality)
    plan = bundle.plans.get(cadence="monthly")
    # when
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    subscription = subscription_create(
        subscriber=subscriber,
        plan=plan,
        term_boxes=1,
        address=address,
        payment_method=card,
        source="kiosk-3",
        acting_user=subscriber.user,
    )
    # then: only the gateway's ids and the card's brand/last4/expiry are stored
    saved = PaymentMethod.objects.get()
    assert (saved.brand, saved.last4, saved.exp_month, saved.exp_year) == ("visa", "4242", 12, 2031)
    assert saved.gateway_method_id.startswith("pm_")
    assert subscriber.gateway_customer_id.startswith("cus_")
    stored = stripe_gateway.client.v1.payment_methods.retrieve(saved.gateway_method_id)
    assert stored.customer == subscriber.gateway_customer_id
    # and consent is recorded with its text and time
    assert bundle.name in subscription.consent_text and "정기구독에 동의합니다" in subscription.consent_text
    assert abs((timezone.now() - subscription.consent_at).total_seconds()) < 60
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.source == "kiosk-3"
    assert subscription.first_cycle.cutoff_at > timezone.now()
    assert subscription.first_cycle.cadence == "monthly"
    assert list(SubscriptionEvent.objects.values_list("kind", flat=True)) == ["created"]


def test_saving_the_same_setup_twice_keeps_one_card(municipality, stripe_gateway):
    from subscriptions.services import card_save, card_setup_start
    from tests.subscriptions.helpers import confirm_card_like_stripe_js

    subscriber, _address, card = subscriber_with_card(municipality, stripe_gateway)
    session = card_setup_start(subscriber=subscriber, gateway=stripe_gateway)
    confirm_card_like_stripe_js(stripe_gateway, session)
    first = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=stripe_gateway)
    again = card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=stripe_gateway)
    assert first.pk == again.pk
    assert PaymentMethod.objects.filter(subscriber=subscriber).count() == 2
    assert PaymentMethod.objects.filter(subscriber=subscriber, is_default=True).get() == first


def test_a_card_refused_by_the_gateway_saves_nothing(municipality, stripe_gateway):
    from subscriptions.gateways.base import GatewayError
    from subscriptions.services import card_save, card_setup_start, subscriber_ensure
    from tests.accounts.factories import UserFactory

    subscriber = subscriber_ensure(municipality=municipality, user=UserFactory(), phone="010-1111-2222")
    session = card_setup_start(subscriber=subscriber, gateway=stripe_gateway)
    with pytest.raises(GatewayError):
        card_save(subscriber=subscriber, setup_id=session.setup_id, gateway=stripe_gateway)  # never confirmed
    assert PaymentMethod.objects.count() == 0


def test_checkout_refuses_a_draft_bundle_and_an_unoffered_term(municipality, stripe_gateway):
    bundle = published_bundle(municipality)
    plan = bundle.plans.get(cadence="monthly")
    subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
    plan.bundle.__class__.objects.filter(pk=bundle.pk).update(status="draft")
    plan.refresh_from_db()
    with pytest.raises(CheckoutError):
        subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    assert Subscription.objects.count() == 0


def test_checkout_refuses_another_subscribers_card(municipality, stripe_gateway):
    bundle = published_bundle(municipality)
    plan = bundle.plans.get(cadence="monthly")
    subscriber, address, _card = subscriber_with_card(municipality, stripe_gateway)
    _other, _addr, others_card = subscriber_with_card(municipality, stripe_gateway)
    with pytest.raises(CheckoutError):
        subscription_create(
            subscriber=subscriber,
            plan=plan,
            term_boxes=1,
            address=address,
            payment_method=others_card,
            acting_user=subscriber.user,
        )
    assert Subscription.objects.count() == 0


def test_a_subscriber_without_a_phone_gets_an_empty_phone_not_dashes(municipality):
    from subscriptions.services import subscriber_ensure
    from tests.accounts.factories import UserFactory

    subscriber = subscriber_ensure(municipality=municipality, user=UserFactory(phone=""))
    assert subscriber.phone == ""
