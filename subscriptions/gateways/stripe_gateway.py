"""Stripe behind the PaymentGateway interface. KRW is zero-decimal in Stripe: amount=39000 is ₩39,000
(https://docs.stripe.com/currencies#zero-decimal)."""

import stripe
from django.conf import settings

from subscriptions.gateways.base import (
    ChargeResult,
    GatewayError,
    GatewayRateLimited,
    RefundResult,
    SavedCard,
    SetupSession,
    WebhookEvent,
)

# Declines that a retry cannot fix (https://docs.stripe.com/declines/codes): dunning stops on these.
HARD_DECLINES = frozenset(
    {
        "stolen_card",
        "lost_card",
        "pickup_card",
        "fraudulent",
        "restricted_card",
        "invalid_account",
        "card_not_supported",
        "do_not_honor",
        "expired_card",
        "incorrect_number",
    }
)


class StripeGateway:
    name = "stripe"

    def __init__(self) -> None:
        self.client = stripe.StripeClient(
            api_key=settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else {},
            max_network_retries=2,
        )

    def customer_create(self, *, email: str, name: str, reference: str) -> str:
        try:
            customer = self.client.v1.customers.create(
                params={"email": email, "name": name, "metadata": {"ref": reference}}
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return customer.id

    def setup_start(self, *, customer_id: str) -> SetupSession:
        try:
            intent = self.client.v1.setup_intents.create(params={"customer": customer_id, "usage": "off_session"})
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return SetupSession(setup_id=intent.id, client_secret=intent.client_secret)

    def setup_finish(self, *, customer_id: str, setup_id: str) -> SavedCard:
        """Read back the card the browser confirmed; refuse an intent of another customer or unconfirmed."""
        try:
            intent = self.client.v1.setup_intents.retrieve(setup_id)
            if intent.status != "succeeded" or not intent.payment_method:
                raise GatewayError(f"setup intent {setup_id} is {intent.status}")
            if intent.customer and intent.customer != customer_id:
                raise GatewayError("setup intent belongs to another customer")
            method_id = intent.payment_method if isinstance(intent.payment_method, str) else intent.payment_method.id
            method = self.client.v1.payment_methods.retrieve(method_id)
            if not method.customer:
                method = self.client.v1.payment_methods.attach(method_id, params={"customer": customer_id})
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        card = method.card
        return SavedCard(method.id, card.brand, card.last4, int(card.exp_month), int(card.exp_year))

    def charge(
        self, *, customer_id: str, method_id: str, amount_won: int, idempotency_key: str, reference: str
    ) -> ChargeResult:
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount_won,
                    "currency": "krw",
                    "customer": customer_id,
                    "payment_method": method_id,
                    "off_session": True,
                    "confirm": True,
                    "metadata": {"ref": reference},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as error:
            return self._card_error(error)
        except stripe.RateLimitError as error:
            raise GatewayRateLimited(str(error)) from error
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return self._result(intent)

    def charge_lookup(self, *, payment_id: str) -> ChargeResult:
        try:
            return self._result(self.client.v1.payment_intents.retrieve(payment_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def charge_find(self, *, reference: str, customer_id: str) -> ChargeResult | None:
        """The charge made for `reference` (our idempotency key, kept in metadata), or None if none was made.
        Used when a worker died between calling and recording: we ask, and never charge again to find out."""
        try:
            try:
                intents = self.client.v1.payment_intents.list(params={"customer": customer_id, "limit": 100})
            except stripe.InvalidRequestError:
                # localstripe does not filter PaymentIntents by customer (shared/NOTES.md); Stripe does.
                intents = self.client.v1.payment_intents.list(params={"limit": 100})
            for intent in intents.auto_paging_iter():
                if "ref" in intent.metadata and intent.metadata["ref"] == reference:
                    return self._result(intent)
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return None

    def charge_cancel(self, *, payment_id: str) -> ChargeResult:
        """Cancel a payment still waiting for 3-D Secure, so it can no longer be completed; if it was
        completed meanwhile, Stripe refuses and we return its (succeeded) state instead."""
        try:
            try:
                return self._result(self.client.v1.payment_intents.cancel(payment_id))
            except stripe.InvalidRequestError:
                return self._result(self.client.v1.payment_intents.retrieve(payment_id))
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def payment_client_secret(self, *, payment_id: str) -> str:
        """The secret the subscriber's browser needs to complete 3-D Secure for a payment (Stripe.js
        confirmCardPayment). It authorises only that payment; it is never stored."""
        try:
            return self.client.v1.payment_intents.retrieve(payment_id).client_secret
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def refund(self, *, payment_id: str, amount_won: int, idempotency_key: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": amount_won},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return RefundResult(refund.id, int(refund.amount), refund.status)

    def webhook_parse(self, *, payload: bytes, signature: str) -> WebhookEvent:
        """Verify the Stripe-Signature (HMAC and a 5-minute tolerance) and return the event."""
        try:
            event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise GatewayError(str(error)) from error
        obj = event["data"]["object"].to_dict()  # StripeObject is not a dict (stripe-python 16)
        payment_id = obj["id"] if obj.get("object") == "payment_intent" else obj.get("payment_intent") or ""
        return WebhookEvent(event["id"], event["type"], payment_id, obj)

    @staticmethod
    def _result(intent) -> ChargeResult:
        if intent.status == "succeeded":
            return ChargeResult(ChargeResult.Status.SUCCEEDED, payment_id=intent.id)
        if intent.status in {"requires_action", "requires_confirmation"}:
            # localstripe answers 200 requires_action for 3-D Secure cards; real Stripe raises a 402 (below).
            return ChargeResult(ChargeResult.Status.REQUIRES_ACTION, payment_id=intent.id)
        error = intent.last_payment_error
        return ChargeResult(
            ChargeResult.Status.FAILED,
            payment_id=intent.id,
            decline_code=(error.decline_code or error.code) if error else intent.status,
            message=error.message if error else "",
        )

    @staticmethod
    def _card_error(error: "stripe.CardError") -> ChargeResult:
        intent = (error.error.payment_intent if error.error else None) or {}
        payment_id = intent["id"] if intent else ""
        if error.code == "authentication_required":
            return ChargeResult(ChargeResult.Status.REQUIRES_ACTION, payment_id=payment_id, decline_code=error.code)
        return ChargeResult(
            ChargeResult.Status.FAILED,
            payment_id=payment_id,
            decline_code=(error.error.decline_code if error.error else "") or error.code or "card_declined",
            message=error.user_message or "",
        )


def gateway() -> StripeGateway:
    return StripeGateway()
