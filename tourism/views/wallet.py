"""The subscriber's coupon wallet (내 쿠폰): each coupon with a large QR code to show at the counter."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tourism import selectors
from tourism.models import Coupon
from tourism.qr import coupon_url, qr_data_uri


@dataclass(frozen=True)
class WalletCard:
    coupon: Coupon
    status: str
    url: str
    qr: str


@login_required
@require_GET
def wallet(request: HttpRequest) -> HttpResponse:
    if request.municipality is None:
        raise Http404
    now = timezone.now()
    slug = request.municipality.slug
    cards = []
    for coupon in selectors.wallet_coupons(municipality=request.municipality, user=request.user, now=now):
        status = coupon.status_at(now)
        url = coupon_url(coupon, municipality_slug=slug)
        # Only a usable coupon gets a QR code: a used or expired one has nothing to show at a counter.
        qr = qr_data_uri(url) if status == Coupon.Status.USABLE else ""
        cards.append(WalletCard(coupon, status, url, qr))
    return render(request, "tourism/wallet.html", {"cards": cards, "Status": Coupon.Status})
