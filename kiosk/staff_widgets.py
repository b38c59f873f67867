"""The kiosk app's part of the staff area: side-navigation links and the kiosks' dashboard widget.

The attribution report lives in subscriptions (kiosk may not import it); its link is registered here by
URL name only, beside the kiosks and campaign links it reports on.
"""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kiosk import selectors
from municipalities import staff_ui
from municipalities.models import STAFF_ROLES

WIDGET_KIOSKS = 10


def _kiosks_widget(request: HttpRequest) -> dict:
    now = timezone.now()
    kiosks = list(selectors.staff_kiosks(municipality=request.municipality).filter(is_active=True)[:WIDGET_KIOSKS])
    return {
        "kiosk_rows": [
            {"kiosk": kiosk, "silent": kiosk.is_live and selectors.kiosk_is_silent(kiosk, now=now)} for kiosk in kiosks
        ],
    }


def register() -> None:
    staff_ui.register_nav(
        label=_("키오스크"),
        url_name="kiosk:staff-kiosks",
        roles=STAFF_ROLES,
        order=40,
        sections={
            "kiosk:staff-kiosk",
            "kiosk:staff-kiosk-create",
            "kiosk:staff-kiosk-reissue",
            "kiosk:staff-kiosk-revoke",
        },
    )
    staff_ui.register_nav(
        label=_("캠페인 링크"),
        url_name="kiosk:staff-campaigns",
        roles=STAFF_ROLES,
        order=41,
        sections={"kiosk:staff-campaign"},
    )
    staff_ui.register_nav(label=_("유입 성과"), url_name="subscriptions:staff-attribution", roles=STAFF_ROLES, order=42)
    staff_ui.register_widget(
        template_name="kiosk/staff/partials/_widget.html", context=_kiosks_widget, roles=STAFF_ROLES, order=40
    )
