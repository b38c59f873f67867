"""Reads of subscriptions, always scoped to a municipality and, for subscribers, to their own records."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from municipalities.models import Municipality
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions.models import (
    Address,
    PaymentMethod,
    SkippedCycle,
    Subscriber,
    Subscription,
    SubscriptionEvent,
)


def subscriber_for_user(*, municipality: Municipality, user: User) -> Subscriber | None:
    if not user.is_authenticated:
        return None
    return Subscriber.objects.for_tenant(municipality).filter(user=user).first()


def my_subscriptions(*, municipality: Municipality, user: User) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_tenant(municipality)
        .filter(subscriber__user=user)
        .select_related("bundle", "plan", "address", "payment_method", "first_cycle")
        .order_by("status", "-created_at")
    )


def my_subscription(*, municipality: Municipality, user: User, subscription_id: int) -> Subscription:
    """One of the signed-in user's subscriptions; someone else's (or another tenant's) is a 404."""
    return get_for_tenant_or_404(
        my_subscriptions(municipality=municipality, user=user).prefetch_related(
            Prefetch("skips", queryset=SkippedCycle.objects.select_related("cycle").order_by("cycle__ship_date"))
        ),
        municipality=municipality,
        pk=subscription_id,
    )


def my_addresses(*, subscriber: Subscriber) -> QuerySet[Address]:
    return Address.objects.filter(subscriber=subscriber).order_by("-is_default", "-created_at")


def my_cards(*, subscriber: Subscriber) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.filter(subscriber=subscriber).order_by("-is_default", "-created_at")


def staff_subscriptions(*, municipality: Municipality) -> QuerySet[Subscription]:
    return (
        Subscription.objects.for_tenant(municipality)
        .select_related("subscriber", "bundle", "plan")
        .order_by("-created_at")
    )


def staff_subscription(*, municipality: Municipality, subscription_id: int) -> Subscription:
    return get_for_tenant_or_404(
        Subscription.objects.select_related("subscriber__user", "bundle", "plan", "address", "payment_method"),
        municipality=municipality,
        pk=subscription_id,
    )


def subscription_events(*, subscription: Subscription) -> QuerySet[SubscriptionEvent]:
    return SubscriptionEvent.objects.filter(subscription=subscription).select_related("actor", "effective_cycle")
