"""The payment gateway interface. Stripe implements it today; a Korean PG's billing-key API
(빌링키 발급 → 정기결제 승인) maps onto the same five operations."""

from dataclasses import dataclass, field
from typing import Protocol


class GatewayError(Exception):
    """The gateway could not be reached or refused the request for a reason that is not the card's."""


class GatewayRateLimited(GatewayError):
    """The gateway answered 429: the request was not processed and may be sent again later."""


@dataclass(frozen=True)
class SavedCard:
    method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class SetupSession:
    """What the browser needs to collect a card without the card number touching our server."""

    setup_id: str
    client_secret: str


@dataclass(frozen=True)
class ChargeResult:
    class Status:
        SUCCEEDED = "succeeded"
        REQUIRES_ACTION = "requires_action"
        FAILED = "failed"

    status: str
    payment_id: str = ""
    decline_code: str = ""
    message: str = ""
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    amount_won: int
    status: str


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    type: str
    payment_id: str
    data: dict


class PaymentGateway(Protocol):
    name: str

    def customer_create(self, *, email: str, name: str, reference: str) -> str: ...

    def setup_start(self, *, customer_id: str) -> SetupSession: ...

    def setup_finish(self, *, customer_id: str, setup_id: str) -> SavedCard: ...

    def charge(
        self, *, customer_id: str, method_id: str, amount_won: int, idempotency_key: str, reference: str
    ) -> ChargeResult: ...

    def charge_lookup(self, *, payment_id: str) -> ChargeResult: ...

    def charge_find(self, *, reference: str, customer_id: str) -> ChargeResult | None: ...

    def payment_client_secret(self, *, payment_id: str) -> str: ...

    def charge_cancel(self, *, payment_id: str) -> ChargeResult: ...

    def refund(self, *, payment_id: str, amount_won: int, idempotency_key: str) -> RefundResult: ...

    def webhook_parse(self, *, payload: bytes, signature: str) -> WebhookEvent: ...
