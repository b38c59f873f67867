"""Each Kind's Korean template, and the context keys its caller must give.

A template lives in templates/notifications/messages/<kind>.txt: the first line is the subject, the
rest the body. Rendering happens once, when the message is made, so the log keeps what was sent.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Kind

# The context each kind needs (besides `mall` and `link`, which the service adds). Values are plain
# strings or numbers, already formatted (money through core.money.format_won, dates in Korean).
REQUIRED_CONTEXT: dict[str, frozenset[str]] = {
    Kind.CYCLE_REMINDER: frozenset({"bundle", "cutoff", "ship_date"}),
    Kind.PAYMENT_SUCCEEDED: frozenset({"bundle", "amount", "ship_date"}),
    Kind.PAYMENT_ACTION_REQUIRED: frozenset({"deadline"}),
    Kind.PAYMENT_FAILED_WILL_RETRY: frozenset({"amount", "retry"}),
    Kind.PAYMENT_FAILED_FINAL: frozenset(),
    Kind.SHIPPED: frozenset({"bundle", "courier", "tracking_number", "tracking_url"}),
    Kind.DELIVERED: frozenset({"bundle"}),
    Kind.COUPON_ISSUED: frozenset({"offer", "partner", "expires"}),
    Kind.SHORTFALL_SUBSTITUTED: frozenset({"bundle", "product", "substitute"}),
    Kind.SHORTFALL_REFUNDED: frozenset({"bundle", "product", "amount"}),
}


def check_kind(kind: str) -> None:
    if kind not in REQUIRED_CONTEXT:
        raise ValueError(f"unknown notification kind {kind!r}")


def render(*, kind: str, mall: str, context: dict, link: str) -> tuple[str, str]:
    """(subject, body) of one message, in Korean whatever language the calling request uses."""
    missing = REQUIRED_CONTEXT[kind] - context.keys()
    if missing:
        raise ValueError(f"notification {kind!r} needs context {sorted(missing)}")
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string(f"notifications/messages/{kind}.txt", {**context, "mall": mall, "link": link})
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip()
