"""The staff message log table. Recipients are masked unless the viewer's role needs them in full.

Every column reads from the row alone, so a page costs no query per row.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from core import privacy
from core.tables import KrdsTable
from notifications.models import Channel, Message

STATUS_BADGES = {
    Message.Status.PENDING: "bg-light-gray",
    Message.Status.SENDING: "bg-light-gray",
    Message.Status.SENT: "bg-light-success",
    Message.Status.FAILED: "bg-light-danger",
}


def masked_address(message: Message) -> str:
    if message.channel == Channel.EMAIL:
        return privacy.mask_email(message.address)
    return privacy.mask_phone(message.address)


def local_datetime(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# Short cells stay on one line (a phone number broken over three lines is misread); the wrapper scrolls.
NOWRAP = {"th": {"style": "white-space: nowrap"}, "td": {"style": "white-space: nowrap; overflow-wrap: normal"}}


class MessageTable(KrdsTable):
    created_at = tables.Column(verbose_name=gettext_lazy("만든 시각"), attrs=NOWRAP)
    kind = tables.Column(verbose_name=gettext_lazy("종류"), attrs=NOWRAP)
    channel = tables.Column(verbose_name=gettext_lazy("채널"), attrs=NOWRAP)
    recipient_name = tables.Column(verbose_name=gettext_lazy("받는 분"), attrs=NOWRAP, orderable=False)
    address = tables.Column(verbose_name=gettext_lazy("수신처"), attrs=NOWRAP, orderable=False)
    subject = tables.Column(
        verbose_name=gettext_lazy("제목"), attrs={"td": {"style": "min-width: 16rem"}}, orderable=False
    )
    status = tables.Column(verbose_name=gettext_lazy("상태"), attrs=NOWRAP)
    sent_at = tables.Column(verbose_name=gettext_lazy("발송 시각"), attrs=NOWRAP)
    error = tables.Column(verbose_name=gettext_lazy("오류"), orderable=False)

    class Meta(KrdsTable.Meta):
        model = Message
        fields = ["created_at", "kind", "channel", "recipient_name", "address", "subject", "status", "sent_at", "error"]
        empty_text = gettext_lazy("조건에 맞는 알림이 없습니다.")

    def __init__(self, *args, municipality_slug: str, show_personal_data: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.municipality_slug = municipality_slug
        self.show_personal_data = show_personal_data

    def render_created_at(self, value) -> str:
        return local_datetime(value)

    def render_sent_at(self, value) -> str:
        return local_datetime(value)

    def render_recipient_name(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_name(value)

    def render_address(self, record: Message) -> str:
        return record.address if self.show_personal_data else masked_address(record)

    def render_subject(self, record: Message) -> str:
        url = reverse(
            "notifications:staff-message",
            kwargs={"municipality_slug": self.municipality_slug, "message_id": record.pk},
        )
        return format_html('<a href="{}">{}</a>', url, record.subject)

    def value_subject(self, record: Message) -> str:
        return record.subject

    def render_status(self, record: Message) -> str:
        return format_html(
            '<span class="krds-badge {}">{}</span>', STATUS_BADGES[record.status], record.get_status_display()
        )

    def value_status(self, record: Message) -> str:
        return record.get_status_display()
