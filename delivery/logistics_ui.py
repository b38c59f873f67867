"""The logistics center's pages in the staff navigation (municipalities.staff_ui): one "배송" link, under
which every page of a cycle's boxes, printouts and the tracking import is a section."""

from django.utils.translation import gettext_lazy as _

from delivery.views.staff_common import LOGISTICS_ROLES
from municipalities import staff_ui


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
