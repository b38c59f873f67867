import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core import privacy
from core.tables import KrdsTable
from municipalities.models import Membership, PersonalDataAccess


class MembershipTable(KrdsTable):
    """Names and e-mails are masked unless the viewer's role needs them (`show_personal_data`)."""

    name = tables.Column(
        verbose_name=_("이름"),
        accessor="user__name",
        linkify=(
            "municipalities:staff-member",
            {"municipality_slug": tables.A("municipality__slug"), "membership_id": tables.A("pk")},
        ),
    )
    email = tables.Column(verbose_name=_("이메일"), accessor="user__email")
    role = tables.Column(verbose_name=_("역할"))
    created_at = tables.DateTimeColumn(verbose_name=_("등록일"), format="Y-m-d")

    class Meta(KrdsTable.Meta):
        model = Membership
        fields = ("name", "email", "role", "created_at")
        order_by = ("role", "name")

    def __init__(self, *args, show_personal_data: bool, **kwargs) -> None:
        self.show_personal_data = show_personal_data
        super().__init__(*args, **kwargs)

    def render_name(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_name(value)

    def render_email(self, value: str) -> str:
        return value if self.show_personal_data else privacy.mask_email(value)


class PersonalDataAccessTable(KrdsTable):
    accessed_at = tables.DateTimeColumn(verbose_name=_("접속일시"), format="Y-m-d H:i:s")
    accessor = tables.Column(verbose_name=_("열람자"), accessor="accessor__name")
    subject_label = tables.Column(verbose_name=_("정보주체"))
    purpose = tables.Column(verbose_name=_("수행업무"))
    page = tables.Column(verbose_name=_("화면"))
    ip_address = tables.Column(verbose_name=_("접속지"))

    class Meta(KrdsTable.Meta):
        model = PersonalDataAccess
        fields = ("accessed_at", "accessor", "subject_label", "purpose", "page", "ip_address")
        order_by = ("-accessed_at",)
