"""The channels a message can go out on; `backend_for(channel)` picks the configured backend."""

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.channels.base import ChannelBackend, Outgoing
from notifications.models import Channel


def backend_for(channel: str) -> ChannelBackend:
    if channel == Channel.EMAIL:
        from notifications.channels.email import EmailChannel

        return EmailChannel()
    if channel == Channel.SMS:
        return import_string(settings.NOTIFICATION_SMS_BACKEND)()
    raise ValueError(f"unknown notification channel {channel!r}")


__all__ = ["ChannelBackend", "Outgoing", "backend_for"]
