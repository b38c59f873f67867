"""Who may open what inside a municipality.

Someone with no role in this municipality gets a 404 for its staff, merchant and partner areas: the
area of another tenant does not exist for them. Someone with a role that is not allowed on the page
(a merchant on a staff page) gets a 403 that explains it.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from municipalities.models import PERSONAL_DATA_ROLES, STAFF_ROLES


def roles_required(allowed: Iterable[str]) -> Callable:
    allowed_roles = frozenset(allowed)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.municipality is None:
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            roles = frozenset(request.roles)
            if not roles:
                raise Http404
            if not roles & allowed_roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = roles_required(STAFF_ROLES)


def can_view_personal_data(request: HttpRequest) -> bool:
    return bool(frozenset(request.roles) & PERSONAL_DATA_ROLES)
