from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from subscriptions.billing.webhooks import webhook_receive
from subscriptions.gateways.base import GatewayError
from subscriptions.gateways.stripe_gateway import gateway


@csrf_exempt  # authenticated by the Stripe-Signature HMAC instead of a CSRF token
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""), gateway=gateway())
    except GatewayError as error:
        return HttpResponse(f"invalid signature: {error}", status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
