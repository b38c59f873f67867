"""Why a charge was declined, in plain Korean: one sentence for the subscriber (what happened and what to
do) and one for staff (what the card company said and what dunning does about it).

Keys are Stripe's decline codes (https://docs.stripe.com/declines/codes) plus the two the billing engine
records itself: `not_sent` (the request never reached the gateway; reconciliation closed the attempt)
and `rate_limited` (the gateway answered 429 and the charge was put back in the queue).
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DeclineMessage:
    subscriber: str | Promise
    staff: str | Promise


DECLINE_MESSAGES: dict[str, DeclineMessage] = {
    "card_declined": DeclineMessage(
        _("카드사에서 결제를 승인하지 않았습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요."),
        _("카드사가 사유를 밝히지 않고 승인을 거절했습니다."),
    ),
    "generic_decline": DeclineMessage(
        _("카드사에서 결제를 승인하지 않았습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요."),
        _("카드사가 사유를 밝히지 않고 승인을 거절했습니다."),
    ),
    "insufficient_funds": DeclineMessage(
        _("카드 잔액이나 한도가 부족해 결제되지 않았습니다. 잔액·한도를 확인하시거나 다른 카드로 바꿔 주세요."),
        _("잔액 또는 한도 부족으로 거절되었습니다."),
    ),
    "expired_card": DeclineMessage(
        _("카드 유효기간이 지나 결제할 수 없습니다. 새 카드로 바꿔 주세요."),
        _("유효기간이 지난 카드입니다. 다시 시도해도 결제되지 않습니다."),
    ),
    "incorrect_cvc": DeclineMessage(
        _("카드 보안코드(CVC)가 맞지 않아 결제되지 않았습니다. 카드를 다시 등록해 주세요."),
        _("보안코드(CVC)가 맞지 않아 거절되었습니다."),
    ),
    "lost_card": DeclineMessage(
        _("분실 신고된 카드라 결제할 수 없습니다. 다른 카드로 바꿔 주세요."),
        _("분실 신고된 카드입니다. 다시 시도하지 않습니다."),
    ),
    "stolen_card": DeclineMessage(
        _("도난 신고된 카드라 결제할 수 없습니다. 다른 카드로 바꿔 주세요."),
        _("도난 신고된 카드입니다. 다시 시도하지 않습니다."),
    ),
    "do_not_honor": DeclineMessage(
        _("카드사에서 결제를 거절했습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요."),
        _("카드사가 승인을 거절했습니다(do not honor). 다시 시도하지 않습니다."),
    ),
    "processing_error": DeclineMessage(
        _("카드사 처리 중 오류가 생겨 결제되지 않았습니다. 정해진 날에 자동으로 다시 결제합니다."),
        _("카드사 처리 오류입니다. 재시도하면 결제될 수 있습니다."),
    ),
    "authentication_required": DeclineMessage(
        _("카드 본인 인증을 마치지 않아 결제되지 않았습니다. 다시 결제할 때 본인 인증을 해 주세요."),
        _("본인 인증(3-D Secure)이 기한 안에 끝나지 않았습니다."),
    ),
    "rate_limited": DeclineMessage(
        _("결제 요청이 몰려 잠시 뒤에 다시 결제합니다. 따로 하실 일은 없습니다."),
        _("결제사 요청 한도(429)에 걸려 보내지 못했습니다. 자동으로 다시 보냅니다."),
    ),
    "not_sent": DeclineMessage(
        _("결제 요청이 카드사에 전달되지 않았습니다. 자동으로 다시 결제합니다."),
        _("결제 요청이 결제사에 도달하지 않았습니다(대사 작업이 확인). 새 시도로 다시 결제합니다."),
    ),
}

FALLBACK = DeclineMessage(
    _("카드 결제가 되지 않았습니다. 카드사에 문의하시거나 다른 카드로 바꿔 주세요."),
    _("카드사가 결제를 거절했습니다."),
)


def decline_message(code: str | None, *, for_staff: bool = False) -> str:
    """The Korean sentence for a decline code; unknown or empty codes get the general one."""
    message = DECLINE_MESSAGES.get((code or "").strip().lower(), FALLBACK)
    return str(message.staff if for_staff else message.subscriber)
