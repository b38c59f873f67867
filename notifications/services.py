"""Telling people what happened: `notify` / `notify_many` make the messages, a task sends them.

Invariants:
- One message per (municipality, channel, event_key), enforced by a unique constraint: the insert is
  `INSERT … ON CONFLICT DO NOTHING` tagged with the call's batch token, so only the rows this call really
  made are sent, and a second call for the same event (again, later, or concurrently from another
  connection, which waits on the first's unique key) sends nothing. Portable to the SQLite demo.
- Sending runs after the caller's transaction commits, in a Celery task that takes the ids. The task
  claims each row (`pending` → `sending`, a conditional UPDATE), so two runs never both send it: a
  message goes out at most once. The row then records `sent` (with the provider's reference) or
  `failed` (with the error); a failure on one channel never stops the others.
- Channels: e-mail when the person has an address and has not turned it off; 알림톡·문자 when a phone
  is known and it is not turned off (both on by default, see NotificationPreference).
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels import Outgoing, backend_for
from notifications.models import Channel, Message, NotificationPreference
from notifications.rendering import check_kind, render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str
    phone: str


def notify(*, municipality, recipient: Recipient, kind: str, event_key: str, context: dict, link: str = "") -> None:
    """Tell one person about one event (see notify_many)."""
    notify_many(municipality=municipality, kind=kind, messages=[(recipient, event_key, context, link)])


def notify_many(*, municipality, kind: str, messages: list[tuple[Recipient, str, dict, str]]) -> None:
    """Tell many people about their events: `messages` is [(recipient, event_key, context, link)].

    Three queries whatever the number of messages (preferences, one insert, the new ids); rows made for an
    event_key are left alone and not sent again. Sending is scheduled on commit of the caller's
    transaction, so a rolled-back caller sends nothing.
    """
    check_kind(kind)
    if not messages:
        return
    preferences = {
        user_id: (email_on, sms_on)
        for user_id, email_on, sms_on in NotificationPreference.objects.filter(
            municipality_id=municipality.pk, user_id__in={recipient.user_id for recipient, *_ in messages}
        ).values_list("user_id", "email_enabled", "sms_enabled")
    }
    batch = uuid.uuid4()
    now = timezone.now()
    rows: list[Message] = []
    for recipient, event_key, context, link in messages:
        subject, body = render(kind=kind, mall=municipality.mall_name, context=context, link=link)
        email_on, sms_on = preferences.get(recipient.user_id, (True, True))
        for channel, enabled, address in (
            (Channel.EMAIL, email_on, recipient.email),
            (Channel.SMS, sms_on, recipient.phone),
        ):
            if enabled and address:
                rows.append(
                    Message(
                        municipality_id=municipality.pk,
                        user_id=recipient.user_id,
                        kind=kind,
                        channel=channel,
                        event_key=event_key,
                        recipient_name=recipient.name[:50],
                        address=address,
                        subject=subject[:200],
                        body=body,
                        link=link,
                        batch=batch,
                        created_at=now,
                    )
                )
    if not rows:
        return
    # ON CONFLICT DO NOTHING returns no ids, so the rows this call really inserted are found by its batch
    # token: a row that already existed keeps the token of the call that made it.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    message_ids = list(Message.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    if message_ids:
        # robust: a broker that is down must not fail the caller's request; the sweep sends them later.
        transaction.on_commit(lambda: _schedule_send(message_ids), robust=True)


def _schedule_send(message_ids: list[int]) -> None:
    from notifications.tasks import messages_send_task

    size = settings.NOTIFICATION_SEND_CHUNK_SIZE
    for start in range(0, len(message_ids), size):
        messages_send_task.delay(message_ids[start : start + size])


def messages_send(*, message_ids: list[int]) -> None:
    """Send the messages among `message_ids` that are still pending. Safe to repeat and to run in
    parallel: each message is claimed (pending → sending, a conditional UPDATE that only one caller can
    win; a second one waits for the first's row lock, re-reads the status and updates nothing) before
    it is handed to its channel."""
    for message in Message.objects.filter(pk__in=message_ids, status=Message.Status.PENDING).order_by("pk"):
        claimed = Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            status=Message.Status.SENDING, claimed_at=timezone.now()
        )
        if claimed:
            _send(message)


def _send(message: Message) -> None:
    outgoing = Outgoing(
        message_id=message.pk,
        kind=message.kind,
        to=message.address,
        recipient_name=message.recipient_name,
        subject=message.subject,
        body=message.body,
        link=message.link,
    )
    try:
        reference = backend_for(message.channel).send(outgoing)
    except Exception as error:  # any channel failure is recorded on the row; the others go on
        logger.warning("notification %s via %s failed: %s", message.pk, message.channel, error)
        message.status, message.error = Message.Status.FAILED, f"{type(error).__name__}: {error}"[:2000]
        message.save(update_fields=["status", "error"])
        return
    message.status, message.provider_ref, message.sent_at = Message.Status.SENT, reference[:200], timezone.now()
    message.save(update_fields=["status", "provider_ref", "sent_at"])


def messages_sweep() -> None:
    """Send messages left pending (their task was lost with a broker outage), and close the log on
    messages whose worker died while sending: those are marked failed, never sent again."""
    now = timezone.now()
    stale_pending = list(
        Message.objects.filter(
            status=Message.Status.PENDING, created_at__lt=now - timedelta(seconds=settings.NOTIFICATION_PENDING_GRACE)
        ).values_list("pk", flat=True)
    )
    Message.objects.filter(
        status=Message.Status.SENDING, claimed_at__lt=now - timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT)
    ).update(
        status=Message.Status.FAILED, error=_("발송 중 작업이 중단되어 결과를 알 수 없습니다. 다시 보내지 않았습니다.")
    )
    if stale_pending:
        _schedule_send(stale_pending)


@transaction.atomic
def preference_set(*, municipality, user, email_enabled: bool, sms_enabled: bool) -> NotificationPreference:
    """Save the channels a person wants here. At least one must stay on: payment and delivery notices
    (a card to authenticate, a box at the door) have to reach them somewhere. Repeating is a no-op."""
    if not (email_enabled or sms_enabled):
        raise ValidationError(_("알림을 받을 방법을 하나 이상 선택해 주세요."))
    preference, _created = NotificationPreference.objects.update_or_create(
        municipality=municipality,
        user=user,
        defaults={"email_enabled": email_enabled, "sms_enabled": sms_enabled},
    )
    return preference
