"""Messages to a phone: 카카오 알림톡, with the provider falling back to SMS/LMS when it cannot deliver.

The backend is chosen by settings.NOTIFICATION_SMS_BACKEND (a dotted path to a SmsBackend subclass).

A real provider (a 카카오 비즈메시지 dealer such as NHN Cloud, Solapi or Aligo) is one more subclass here:
its `send` posts the approved template `outgoing.kind` (register one 알림톡 template per Kind, with the
wording of templates/notifications/messages/<kind>.txt) to `outgoing.to` with the rendered text as the
message and `outgoing.subject` as the LMS fallback title, asks for SMS fallback, and returns the
provider's message id; credentials and the sender profile key come from NOTIFICATION_SMS_* settings.
"""

from notifications.channels.base import ChannelBackend, Outgoing


class SmsBackend(ChannelBackend):
    """Base of every phone backend."""


class DatabaseSmsBackend(SmsBackend):
    """Sends nothing: the Message row (body, recipient, time) is the record. For the demo and tests."""

    def send(self, outgoing: Outgoing) -> str:
        return f"db-{outgoing.message_id}"
