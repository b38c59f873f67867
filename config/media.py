"""Serve uploaded media (re-encoded images only) with headers that stop a browser from treating them
as anything but pictures. A CDN or the web server may take this over in front of Django."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

SERVED_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


@require_GET
def media(request: HttpRequest, path: str) -> FileResponse:
    root = Path(settings.MEDIA_ROOT).resolve()
    file = (root / path).resolve()
    content_type = SERVED_TYPES.get(file.suffix.lower())
    if content_type is None or root not in file.parents or not file.is_file():
        raise Http404(path)
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
