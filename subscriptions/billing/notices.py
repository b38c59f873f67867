"""Billing notices to the subscriber, through the notification service (its channels, log and dedupe).

Each notice has its own event key, so a repeated outcome (a webhook after the synchronous answer, a
task run twice) tells the subscriber once, while each failed retry is still told once of its own.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from core.money import format_won
from notifications.services import Recipient, notify
from subscriptions.models import Order


def _link(order: Order) -> str:
    path = reverse(
        "subscriptions:my-detail",
        kwargs={"municipality_slug": order.municipality.slug, "subscription_id": order.subscription_id},
    )
    return f"{settings.SITE_URL}{path}"


def _recipient(order: Order) -> Recipient:
    subscriber = order.subscriber
    return Recipient(
        user_id=subscriber.user_id, name=subscriber.name, email=subscriber.user.email, phone=subscriber.phone
    )


def _day(order: Order, day: date) -> str:
    from subscriptions.views.checkout import day_text, local_today  # the 내 구독 pages' wording

    return day_text(day, today=local_today(order.municipality))


def _moment(order: Order, moment: datetime) -> str:
    from subscriptions.views.checkout import local_today, moment_text

    return moment_text(moment, municipality=order.municipality, today=local_today(order.municipality))


def _notify(order: Order, kind: str, event: str, context: dict) -> None:
    notify(
        municipality=order.municipality,
        recipient=_recipient(order),
        kind=kind,
        event_key=f"order-{order.pk}-{event}",
        context=context,
        link=_link(order),
    )


def payment_succeeded(order: Order) -> None:
    _notify(
        order,
        "payment_succeeded",
        "paid",
        {
            "bundle": order.bundle_name,
            "amount": format_won(order.amount_won),
            "ship_date": _day(order, order.cycle.ship_date),
        },
    )


def payment_action_required(order: Order) -> None:
    _notify(
        order,
        "payment_action_required",
        f"attempt-{order.attempts_count}-action",
        {"deadline": _moment(order, order.action_deadline)},
    )


def payment_failed_will_retry(order: Order) -> None:
    # The retry's hour follows the first failure's; the day is what the subscriber needs.
    retry = order.next_retry_at.astimezone(ZoneInfo(order.municipality.timezone)).date()
    _notify(
        order,
        "payment_failed_will_retry",
        f"attempt-{order.attempts_count}-failed",
        {"amount": format_won(order.amount_won), "retry": _day(order, retry)},
    )


def payment_failed_final(order: Order) -> None:
    _notify(order, "payment_failed_final", "canceled", {})
