"""Staff lists of kiosks and campaign links (django-tables2, the KRDS base table)."""

from datetime import datetime
from urllib.parse import unquote

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tables import KrdsTable
from kiosk.models import CampaignLink, Kiosk
from kiosk.selectors import kiosk_is_silent


def moment_text(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


class KioskTable(KrdsTable):
    name = tables.Column(verbose_name=gettext_lazy("이름"))
    place = tables.Column(verbose_name=gettext_lazy("설치 장소"))
    orientation = tables.Column(verbose_name=gettext_lazy("화면 방향"))
    selection = tables.Column(verbose_name=gettext_lazy("보여 줄 꾸러미"))
    rotation_seconds = tables.Column(
        verbose_name=gettext_lazy("넘김 간격"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    last_heartbeat_at = tables.Column(verbose_name=gettext_lazy("마지막 연결"), empty_values=())
    state = tables.Column(verbose_name=gettext_lazy("상태"), empty_values=(), orderable=False, accessor="pk")

    class Meta(KrdsTable.Meta):
        model = Kiosk
        fields = ("name", "place", "orientation", "selection", "rotation_seconds", "last_heartbeat_at", "state")
        order_by = ("name",)

    def __init__(self, *args, municipality_slug: str, now: datetime, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        self.now = now
        super().__init__(*args, **kwargs)

    def render_name(self, record: Kiosk, value: str) -> str:
        url = reverse("kiosk:staff-kiosk", kwargs={"municipality_slug": self.municipality_slug, "kiosk_id": record.pk})
        return format_html('<a href="{}" class="krds-btn text">{}</a>', url, value)

    def render_selection(self, record: Kiosk) -> str:
        if record.selection == Kiosk.Selection.CATEGORY:
            return f"{record.get_selection_display()} · {record.get_category_display()}"
        if record.selection == Kiosk.Selection.HAND_PICKED:
            return _("%(label)s · %(count)d개") % {"label": record.get_selection_display(), "count": record.pick_count}
        return record.get_selection_display()

    def render_rotation_seconds(self, value: int) -> str:
        return _("%(n)d초") % {"n": value}

    def render_last_heartbeat_at(self, record: Kiosk) -> str:
        if not record.is_live:
            return moment_text(record.last_heartbeat_at) or "-"
        if record.last_heartbeat_at is None:
            return format_html('<span class="krds-badge bg-light-danger">{}</span>', _("연결된 적 없음"))
        ago = _("%(time)s 전") % {"time": timesince(record.last_heartbeat_at, self.now, depth=1)}
        if kiosk_is_silent(record, now=self.now):
            return format_html('<span class="krds-badge bg-light-danger">{}</span> {}', _("10분 넘게 연결 없음"), ago)
        return ago

    def render_state(self, record: Kiosk) -> str:
        if record.token_revoked_at is not None:
            return format_html('<span class="krds-badge bg-light-gray">{}</span>', _("주소 폐기됨"))
        if not record.is_active:
            return format_html('<span class="krds-badge bg-light-gray">{}</span>', _("중지"))
        return format_html('<span class="krds-badge bg-light-success">{}</span>', _("사용 중"))


class CampaignLinkTable(KrdsTable):
    label = tables.Column(verbose_name=gettext_lazy("이름"))
    tag = tables.Column(verbose_name=gettext_lazy("유입 태그"))
    target_path = tables.Column(verbose_name=gettext_lazy("여는 페이지"), orderable=False)
    created_at = tables.Column(verbose_name=gettext_lazy("만든 날"))

    class Meta(KrdsTable.Meta):
        model = CampaignLink
        fields = ("label", "tag", "target_path", "created_at")

    def __init__(self, *args, municipality_slug: str, **kwargs) -> None:
        self.municipality_slug = municipality_slug
        super().__init__(*args, **kwargs)

    def render_label(self, record: CampaignLink, value: str) -> str:
        url = reverse(
            "kiosk:staff-campaign", kwargs={"municipality_slug": self.municipality_slug, "link_id": record.pk}
        )
        return format_html('<a href="{}" class="krds-btn text">{}</a>', url, value)

    def render_tag(self, value: str) -> str:
        return format_html("<code>{}</code>", value)

    def render_target_path(self, value: str) -> str:
        return unquote(value)

    def render_created_at(self, value: datetime) -> str:
        return moment_text(value)
