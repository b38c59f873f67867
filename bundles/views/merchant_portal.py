"""The merchant portal: a merchant's own page, in large plain Korean, printable.

Only people bound to a merchant of this municipality (bundles.models.MerchantMember) get in; staff roles
do not count. Someone with the merchant role but no binding gets a 404, as does anyone from another
municipality. Merchants change only their story, phone, address and photo — never the business number,
the payout account or whether they are active.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bundles import selectors, services
from bundles.display import merchant_bank_display, months_display
from bundles.forms import MerchantProfileForm, attach_service_errors
from bundles.models import Merchant
from municipalities.models import Role
from municipalities.permissions import roles_required


def _own_merchant(request: HttpRequest) -> Merchant:
    merchant = selectors.merchant_for_user(municipality=request.municipality, user=request.user)
    if merchant is None:
        raise Http404(_("연결된 소상공인이 없습니다."))
    return merchant


@roles_required({Role.MERCHANT})
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    merchant = _own_merchant(request)
    products = selectors.staff_products(municipality=request.municipality).filter(merchant=merchant)
    return render(
        request,
        "bundles/merchant/home.html",
        {
            "merchant": merchant,
            "products": [(product, months_display(product.season_months)) for product in products],
            "bank": merchant_bank_display(merchant, full=False),
        },
    )


@roles_required({Role.MERCHANT})
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    merchant = _own_merchant(request)
    form = MerchantProfileForm(request.POST or None, request.FILES or None, instance=copy(merchant))
    if request.method == "POST" and form.is_valid():
        try:
            services.merchant_update(merchant=merchant, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("가게 정보를 저장했습니다."))
            return redirect(reverse("bundles:merchant-home", kwargs={"municipality_slug": request.municipality.slug}))
    return render(request, "bundles/merchant/profile_form.html", {"merchant": merchant, "form": form})
