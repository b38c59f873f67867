from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind the production proxy REMOTE_ADDR is the proxy itself, and the proxy
    appends the real client as the last X-Forwarded-For entry (earlier entries are client-supplied)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
