from django.http import HttpRequest

from municipalities.models import STAFF_ROLES


def tenant(request: HttpRequest) -> dict:
    municipality = getattr(request, "municipality", None)
    if municipality is None:
        return {"municipality": None}
    roles = frozenset(request.roles)
    return {
        "municipality": municipality,
        "roles": roles,
        "is_tenant_staff": bool(roles & STAFF_ROLES),
    }
