"""The catalog's part of the staff area: side-navigation links and the program-progress widget."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bundles import selectors
from bundles.roles import CATALOG_ROLES
from municipalities import staff_ui
from municipalities.models import STAFF_ROLES


def _progress(request: HttpRequest) -> dict:
    municipality = request.municipality
    return {
        "progress": selectors.program_progress(municipality=municipality),
        "attention": list(selectors.bundles_needing_attention(municipality=municipality, on=timezone.localdate())[:20]),
    }


def register() -> None:
    staff_ui.register_nav(
        label=_("소상공인"),
        url_name="bundles:staff-merchants",
        roles=STAFF_ROLES,
        order=10,
        sections={"bundles:staff-merchant", "bundles:staff-merchant-create", "bundles:staff-product-import"},
    )
    staff_ui.register_nav(
        label=_("상품"),
        url_name="bundles:staff-products",
        roles=STAFF_ROLES,
        order=11,
        sections={"bundles:staff-product", "bundles:staff-product-create"},
    )
    staff_ui.register_nav(
        label=_("꾸러미"),
        url_name="bundles:staff-bundles",
        roles=STAFF_ROLES,
        order=12,
        sections={"bundles:staff-bundle", "bundles:staff-bundle-create"},
    )
    staff_ui.register_nav(label=_("요금제"), url_name="bundles:staff-plans", roles=CATALOG_ROLES, order=13)
    staff_ui.register_widget(
        template_name="bundles/staff/partials/_progress_widget.html", context=_progress, roles=STAFF_ROLES, order=10
    )
