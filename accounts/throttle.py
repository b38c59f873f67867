"""Login throttling: after repeated failures for one e-mail address or from one client IP, log-in is
refused for the rest of the window, so passwords cannot be guessed. Counters live in the shared cache
(Redis in production and tests) so every web process sees the same count."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _keys(*, email: str, ip: str | None) -> list[str]:
    keys = [_key("email", email)]
    if ip:
        keys.append(_key("ip", ip))
    return keys


def login_is_throttled(*, email: str, ip: str | None) -> bool:
    counts = cache.get_many(_keys(email=email, ip=ip))
    return any(count >= settings.LOGIN_THROTTLE_MAX_FAILURES for count in counts.values())


def login_failure_record(*, email: str, ip: str | None) -> None:
    for key in _keys(email=email, ip=ip):
        # add() sets the window only on the first failure; incr() is atomic in Redis.
        if not cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, timeout=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def login_success_record(*, email: str) -> None:
    cache.delete(_key("email", email))
