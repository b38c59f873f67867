"""The kiosk screen: the page, its content (JSON), its heartbeat and its service worker.

All four live under `/<slug>/kiosk/<token>/` and answer 404 unless the token is the kiosk's live one
(kiosk.selectors.kiosk_for_screen). They need no login and are rendered without the request, so nothing
of whoever last used that browser (a session, a name) can reach the screen, and they set no cookies.
"""

import json

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kiosk import selectors, services
from kiosk.content import screen_content
from kiosk.models import Kiosk

# A screen calls in every minute; more often than this is refused (429) without touching the database.
HEARTBEAT_MIN_SECONDS = 20
# How often the page asks for fresh content, and the heartbeat interval, in seconds.
CONTENT_REFRESH_SECONDS = 5 * 60
HEARTBEAT_SECONDS = 60
# Static files the service worker stores when it is installed, so the page works offline from then on.
PRECACHE_STATIC = (
    "vendor/krds/css/token/krds_tokens.css",
    "kiosk/kiosk.css",
    "kiosk/kiosk.js",
    "vendor/pretendard/PretendardGOV-Regular.subset.woff2",
    "vendor/pretendard/PretendardGOV-Bold.subset.woff2",
)


def _urls(kiosk: Kiosk) -> dict[str, str]:
    kwargs = {"municipality_slug": kiosk.municipality.slug, "token": kiosk.token}
    return {
        "screen": reverse("kiosk:screen", kwargs=kwargs),
        "content": reverse("kiosk:content", kwargs=kwargs),
        "heartbeat": reverse("kiosk:heartbeat", kwargs=kwargs),
        "service_worker": reverse("kiosk:service-worker", kwargs=kwargs),
    }


def _screen_config(kiosk: Kiosk) -> dict:
    """What static/kiosk/kiosk.js needs besides the content: where to call, how often, and its words."""
    return {
        "urls": _urls(kiosk),
        "content_refresh_seconds": CONTENT_REFRESH_SECONDS,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "strings": {
            "items_title": _("이런 것이 들어 있어요"),
            "more_items": _("외 %(n)s가지"),
            "qr_alt": _("%(name)s 구독 페이지로 가는 QR 코드"),
            "qr_caption": _("휴대폰 카메라로 찍으면 구독 페이지가 열려요"),
            "open_bundle": _("%(name)s 자세히 보기"),
        },
    }


def _screen_headers(response: HttpResponse) -> HttpResponse:
    # Always asked of the server when it is up; the service worker keeps the copy for when it is not.
    patch_cache_control(response, no_cache=True, private=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token is in the URL: never send it on to another site.
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def screen(request: HttpRequest, token: str) -> HttpResponse:
    kiosk = selectors.kiosk_for_screen(municipality=request.municipality, token=token)
    content = screen_content(kiosk=kiosk)
    by_id = {bundle["id"]: bundle for bundle in content["bundles"]}
    html = render_to_string(
        "kiosk/screen.html",
        {
            "kiosk": kiosk,
            "municipality": kiosk.municipality,
            "content": content,
            "loop": [by_id[pk] for pk in content["loop"]],
            "config": _screen_config(kiosk),
            "lang": get_language(),
        },
    )
    return _screen_headers(HttpResponse(html))


@require_GET
def content_json(request: HttpRequest, token: str) -> JsonResponse:
    kiosk = selectors.kiosk_for_screen(municipality=request.municipality, token=token)
    response = JsonResponse(screen_content(kiosk=kiosk), json_dumps_params={"ensure_ascii": False})
    return _screen_headers(response)


@csrf_exempt  # an unattended screen has no session or CSRF cookie; the secret token is its credential
@require_POST
def heartbeat(request: HttpRequest, token: str) -> JsonResponse:
    kiosk = selectors.kiosk_for_screen(municipality=request.municipality, token=token)
    if not cache.add(f"kiosk:heartbeat:{kiosk.pk}", 1, HEARTBEAT_MIN_SECONDS):
        response = JsonResponse({"ok": False, "retry_after": HEARTBEAT_MIN_SECONDS}, status=429)
        response["Retry-After"] = str(HEARTBEAT_MIN_SECONDS)
        return response
    services.kiosk_heartbeat(kiosk=kiosk)
    return JsonResponse({"ok": True})


@require_GET
def service_worker(request: HttpRequest, token: str) -> HttpResponse:
    kiosk = selectors.kiosk_for_screen(municipality=request.municipality, token=token)
    urls = _urls(kiosk)
    worker_config = {
        "screen": urls["screen"],
        "content": urls["content"],
        # One cache per kiosk and token: a re-issued URL starts clean, the old one's cache is dropped.
        "cache_name": f"kiosk-{kiosk.pk}-{kiosk.token[:8]}",
        "cache_prefix": f"kiosk-{kiosk.pk}-",
        "precache": [urls["screen"], urls["content"], *(static(path) for path in PRECACHE_STATIC)],
        "cache_first_prefixes": [settings.STATIC_URL, settings.MEDIA_URL],
    }
    javascript = render_to_string("kiosk/sw.js", {"config_json": json.dumps(worker_config)})
    response = HttpResponse(javascript, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = urls["screen"]
    # Browsers check for a new worker on each visit; never let an old one stick.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response
