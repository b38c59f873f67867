"""Billing notices to the subscriber, sent by e-mail after the transaction commits.

The delivery-operations issue brings a notification service with channels (SMS/알림톡) and a log;
until then these go straight through Django's e-mail backend.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_won
from subscriptions.models import Order


def _link(order: Order) -> str:
    path = reverse(
        "subscriptions:my-detail",
        kwargs={"municipality_slug": order.municipality.slug, "subscription_id": order.subscription_id},
    )
    return f"{settings.SITE_URL}{path}"


def _send(order: Order, subject: str, body: str) -> None:
    email = order.subscriber.user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [email], fail_silently=True))


def payment_succeeded(order: Order) -> None:
    _send(
        order,
        _("[%(mall)s] %(bundle)s 결제가 완료되었습니다")
        % {"mall": order.municipality.mall_name, "bundle": order.bundle_name},
        _("%(amount)s이 결제되었습니다. 상자는 %(date)s에 발송됩니다.\n%(link)s")
        % {"amount": format_won(order.amount_won), "date": order.cycle.ship_date, "link": _link(order)},
    )


def payment_action_required(order: Order) -> None:
    deadline = timezone.localtime(order.action_deadline).strftime("%m월 %d일 %H:%M")
    _send(
        order,
        _("[%(mall)s] 카드 본인 인증이 필요합니다") % {"mall": order.municipality.mall_name},
        _(
            "카드사에서 본인 인증을 요청했습니다. %(deadline)s까지 아래 링크에서 인증해 주세요. "
            "인증하지 않으면 이번 상자는 발송되지 않습니다.\n%(link)s"
        )
        % {"deadline": deadline, "link": _link(order)},
    )


def payment_failed_will_retry(order: Order) -> None:
    retry = timezone.localtime(order.next_retry_at).strftime("%m월 %d일")
    _send(
        order,
        _("[%(mall)s] 결제에 실패했습니다") % {"mall": order.municipality.mall_name},
        _(
            "%(amount)s 결제가 승인되지 않았습니다. %(retry)s에 다시 결제를 시도합니다. "
            "카드를 바꾸려면 아래 링크에서 변경해 주세요.\n%(link)s"
        )
        % {"amount": format_won(order.amount_won), "retry": retry, "link": _link(order)},
    )


def payment_failed_final(order: Order) -> None:
    _send(
        order,
        _("[%(mall)s] 결제가 되지 않아 이번 상자가 취소되었습니다") % {"mall": order.municipality.mall_name},
        _(
            "여러 번 결제를 시도했지만 승인되지 않아 이번 상자를 보내 드릴 수 없습니다. "
            "카드를 바꾸시면 다음 회차부터 다시 받으실 수 있습니다.\n%(link)s"
        )
        % {"link": _link(order)},
    )
