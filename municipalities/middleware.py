from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from municipalities.selectors import membership_roles, municipality_get_active


class TenantMiddleware:
    """Resolve the tenant once per request from the URL's first segment (`/<municipality_slug>/…`).

    Views under the tenant URLs receive `request.municipality` (404 when the slug is unknown or the
    municipality is inactive) and `request.roles` (the signed-in user's roles there), never the slug.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.municipality = None
        request.roles = frozenset()
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        slug = view_kwargs.pop("municipality_slug", None)
        if slug is None:
            return None
        municipality = municipality_get_active(slug=slug)
        request.municipality = municipality
        request.roles = SimpleLazyObject(lambda: membership_roles(user=request.user, municipality=municipality))
        return None
