"""Where the notification pages appear: the staff navigation and the subscriber's 내 구독 menu."""

from django.utils.translation import gettext_lazy as _

from municipalities import area_ui, staff_ui
from municipalities.models import Role

# Logistics answers "did the customer get the shipping notice?", the admin everything; a curator sees the
# log masked (what went out about a substituted product). Finance has the billing pages.
LOG_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS, Role.CURATOR})


def register() -> None:
    staff_ui.register_nav(
        label=_("알림 발송 기록"),
        url_name="notifications:staff-messages",
        roles=LOG_ROLES,
        order=50,
        sections={"notifications:staff-message"},
    )
    area_ui.register_link(
        area="my",
        label=_("알림 설정"),
        url_name="notifications:my",
        order=50,
        description=_("결제·배송 알림을 받을 방법과 받은 알림"),
    )
