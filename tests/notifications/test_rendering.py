import pytest
from django.utils import translation

from notifications.models import Kind
from notifications.rendering import REQUIRED_CONTEXT, render

LINK = "https://kkureomi.kr/hadong/my/7/"

# kind -> (context, subject, body without the link line)
EXPECTED = {
    "cycle_reminder": (
        {"bundle": "하동 녹차 꾸러미", "cutoff": "12월 21일(월) 0시", "ship_date": "12월 24일(목)"},
        "[하동 꾸러미몰] 하동 녹차 꾸러미 변경 마감이 다가옵니다",
        "12월 24일(목)에 발송할 하동 녹차 꾸러미 상자는 12월 21일(월) 0시까지 건너뛰기나 변경을 할 수 있습니다. "
        "마감 후에는 등록된 카드로 결제됩니다.\n내 구독에서 변경하기:",
    ),
    "payment_succeeded": (
        {"bundle": "하동 녹차 꾸러미", "amount": "39,000원", "ship_date": "12월 24일(목)"},
        "[하동 꾸러미몰] 하동 녹차 꾸러미 결제가 완료되었습니다",
        "39,000원이 결제되었습니다. 상자는 12월 24일(목)에 발송됩니다.",
    ),
    "payment_action_required": (
        {"deadline": "12월 23일(수) 2시"},
        "[하동 꾸러미몰] 카드 본인 인증이 필요합니다",
        "카드사에서 본인 인증을 요청했습니다. 12월 23일(수) 2시까지 아래 링크에서 인증해 주세요. "
        "인증하지 않으면 이번 상자는 발송되지 않습니다.",
    ),
    "payment_failed_will_retry": (
        {"amount": "39,000원", "retry": "12월 22일(화)"},
        "[하동 꾸러미몰] 결제에 실패했습니다",
        "39,000원 결제가 승인되지 않았습니다. 12월 22일(화)에 다시 결제를 시도합니다. "
        "카드를 바꾸려면 아래 링크에서 변경해 주세요.",
    ),
    "payment_failed_final": (
        {},
        "[하동 꾸러미몰] 결제가 되지 않아 이번 상자가 취소되었습니다",
        "여러 번 결제를 시도했지만 승인되지 않아 이번 상자를 보내 드릴 수 없습니다. "
        "카드를 바꾸시면 다음 회차부터 다시 받으실 수 있습니다.",
    ),
    "shipped": (
        {
            "bundle": "하동 녹차 꾸러미",
            "courier": "CJ대한통운",
            "tracking_number": "123456789012",
            "tracking_url": "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012",
        },
        "[하동 꾸러미몰] 하동 녹차 꾸러미 상자를 보냈습니다",
        "CJ대한통운 운송장 번호 123456789012로 발송했습니다. "
        "배송 조회: https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789012",
    ),
    "delivered": (
        {"bundle": "하동 녹차 꾸러미"},
        "[하동 꾸러미몰] 하동 녹차 꾸러미 상자가 도착했습니다",
        "하동 녹차 꾸러미 상자가 배송 완료되었습니다. 받아 보신 상품은 어떠셨나요? 아래 링크에서 평가를 남겨 주세요.",
    ),
    "coupon_issued": (
        {"offer": "녹차 아이스크림 1+1", "partner": "쌍계명차", "expires": "2027년 1월 31일"},
        "[하동 꾸러미몰] 쌍계명차 쿠폰이 발급되었습니다",
        '쌍계명차에서 쓸 수 있는 "녹차 아이스크림 1+1" 쿠폰이 발급되었습니다. '
        "2027년 1월 31일까지 아래 링크의 QR 코드를 보여 주세요.",
    ),
    "shortfall_substituted": (
        {"bundle": "하동 녹차 꾸러미", "product": "우전 녹차 50g", "substitute": "세작 녹차 50g"},
        "[하동 꾸러미몰] 하동 녹차 꾸러미 상자 구성이 바뀌었습니다",
        "이번 하동 녹차 꾸러미 상자의 우전 녹차 50g을(를) 준비하지 못해 세작 녹차 50g(으)로 대신 보내 드립니다. "
        "양해 부탁드립니다.",
    ),
    "shortfall_refunded": (
        {"bundle": "하동 녹차 꾸러미", "product": "우전 녹차 50g", "amount": "12,000원"},
        "[하동 꾸러미몰] 하동 녹차 꾸러미 상자 일부를 환불했습니다",
        "이번 하동 녹차 꾸러미 상자의 우전 녹차 50g을(를) 준비하지 못해 12,000원을 결제하신 카드로 환불했습니다. "
        "양해 부탁드립니다.",
    ),
}


def test_every_kind_has_a_template_and_an_expectation():
    assert set(EXPECTED) == set(Kind.values) == set(REQUIRED_CONTEXT)


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_kind_renders_in_korean(kind):
    context, subject, body = EXPECTED[kind]
    # Korean even when the calling request was in English; markup in values is left as text
    with translation.override("en"):
        rendered = render(kind=kind, mall="하동 꾸러미몰", context=context, link=LINK)
    assert rendered == (subject, f"{body} {LINK}" if body.endswith(":") else f"{body}\n{LINK}")


def test_values_are_not_html_escaped():
    subject, body = render(
        kind="delivered", mall="하동 <꾸러미> & 몰", context={"bundle": "\"차\" & '떡'"}, link="https://x.kr/?a=1&b=2"
    )
    assert subject == "[하동 <꾸러미> & 몰] \"차\" & '떡' 상자가 도착했습니다"
    assert body.endswith("https://x.kr/?a=1&b=2")
