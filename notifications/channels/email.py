"""E-mail through Django's configured EMAIL_BACKEND (SMTP in production, locmem in tests)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid

from notifications.channels.base import ChannelBackend, Outgoing


class EmailChannel(ChannelBackend):
    def send(self, outgoing: Outgoing) -> str:
        # Our own Message-ID is the reference: it is what a bounce or a mail log will quote back.
        message_id = make_msgid(idstring=f"kkureomi-{outgoing.message_id}")
        EmailMessage(
            subject=outgoing.subject,
            body=outgoing.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
            headers={"Message-ID": message_id},
        ).send(fail_silently=False)
        return message_id
