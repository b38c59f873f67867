from django.http import HttpRequest

from municipalities import staff_ui
from municipalities.models import STAFF_ROLES


def tenant(request: HttpRequest) -> dict:
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        return {"municipality": None, "roles": frozenset(), "is_tenant_staff": False, "staff_nav": []}
    roles = frozenset(request.roles)
    is_tenant_staff = bool(roles & STAFF_ROLES)
    return {
        "municipality": municipality,
        "roles": roles,
        "is_tenant_staff": is_tenant_staff,
        "staff_nav": staff_ui.nav_for(request) if is_tenant_staff else [],
    }
