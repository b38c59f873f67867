"""The logistics center in the staff area (municipalities.staff_ui): one "배송" link, under which every
page of a cycle's boxes, printouts and the tracking import is a section, and a dashboard widget of the
cycles with boxes still to pack or send."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from delivery import logistics
from delivery.views.staff_common import LOGISTICS_ROLES
from municipalities import staff_ui


def _to_send(request: HttpRequest) -> dict:
    return {"delivery_cycles": logistics.cycles_to_send(municipality=request.municipality)}


def register() -> None:
    staff_ui.register_nav(
        label=_("배송"),
        url_name="delivery:staff-cycles",
        roles=LOGISTICS_ROLES,
        order=35,
        sections={
            "delivery:staff-cycle",
            "delivery:staff-shipment",
            "delivery:staff-packing",
            "delivery:staff-picks",
            "delivery:staff-slips",
            "delivery:staff-tracking",
        },
    )
    staff_ui.register_widget(
        template_name="delivery/staff/partials/_to_send_widget.html", context=_to_send, roles=LOGISTICS_ROLES, order=35
    )
