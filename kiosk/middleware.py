import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kiosk.models import SOURCE_TAG_RE
from kiosk.services import source_visit_record

SEEN_SESSION_KEY = "source_visits_seen"
COUNT_ONCE_PER_SECONDS = 60 * 60
# Tags remembered per session; a visitor opening dozens of tagged links keeps only the latest.
SEEN_MAX_TAGS = 20


class SourceVisitMiddleware:
    """Count a visit when a GET on a tenant page arrives with `?src=<tag>` (a kiosk QR scan, a campaign
    link): one SourceVisit per session, tag and hour, written with one INSERT after the page answered.

    The session (not the cache) remembers which tags were counted, so the rule survives logging in on the
    way to checkout (Django keeps the session's data when it rotates the key). Error pages and other
    methods are not counted. Comes after TenantMiddleware, which sets `request.municipality`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        municipality = getattr(request, "municipality", None)
        if municipality is None or request.method != "GET" or response.status_code >= 400:
            return response
        tag = request.GET.get("src", "")
        if tag and SOURCE_TAG_RE.fullmatch(tag):
            self._count(request, municipality, tag)
        return response

    def _count(self, request: HttpRequest, municipality, tag: str) -> None:
        now = int(time.time())
        session = request.session
        seen: dict[str, int] = {
            key: at for key, at in session.get(SEEN_SESSION_KEY, {}).items() if now - at < COUNT_ONCE_PER_SECONDS
        }
        key = f"{municipality.pk}:{tag}"
        if key in seen:
            return
        seen[key] = now
        session[SEEN_SESSION_KEY] = dict(sorted(seen.items(), key=lambda item: item[1])[-SEEN_MAX_TAGS:])
        if session.session_key is None:
            session.save()  # gives this new visitor a session key now, so the visit can be told apart
        source_visit_record(
            municipality=municipality, source=tag, path=request.path, session_key=session.session_key or ""
        )
