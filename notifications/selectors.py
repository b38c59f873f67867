"""Reads of the message log and of a person's channel choices, always within one municipality."""

from django.db.models import QuerySet

from notifications.models import Message, NotificationPreference

# How many of their latest messages a subscriber sees on 알림 설정.
MY_MESSAGES_SHOWN = 50


def preference_get(*, municipality, user) -> NotificationPreference:
    """The person's choices, or the defaults (both channels on) when they never chose; not saved."""
    found = NotificationPreference.objects.for_tenant(municipality).filter(user=user).first()
    return found or NotificationPreference(municipality=municipality, user=user)


def my_messages(*, municipality, user) -> QuerySet[Message]:
    """What this person was sent here, newest first."""
    return Message.objects.for_tenant(municipality).filter(user=user).order_by("-created_at", "-id")[:MY_MESSAGES_SHOWN]


def staff_messages(*, municipality) -> QuerySet[Message]:
    return Message.objects.for_tenant(municipality).order_by("-created_at", "-id")
