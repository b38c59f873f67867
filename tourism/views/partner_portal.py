"""The partner portal (/<slug>/partner/): phone-first pages where venue staff redeem coupons.

Only people bound to a partner of this municipality (PartnerMember) get in; staff roles do not count.
Someone with the partner role but no binding, or from another municipality, gets a 404. A partner sees
only its own redemptions. Every lookup goes through tourism.services.coupon_lookup, which checks the
check character first and rate-limits failed lookups per user and IP.
"""

import csv
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bundles.exports import BOM, csv_download
from core.http import client_ip
from core.privacy import mask_name
from municipalities.models import Role
from municipalities.permissions import roles_required
from tourism import selectors
from tourism.codes import format_code
from tourism.forms import OfflineRedeemForm, RedeemForm
from tourism.models import Coupon, Partner
from tourism.services import CouponRejected, coupon_check, coupon_lookup, coupon_redeem


def _own_partner(request: HttpRequest) -> Partner:
    partner = selectors.partner_for_user(municipality=request.municipality, user=request.user)
    if partner is None:
        raise Http404(_("연결된 제휴처가 없습니다."))
    return partner


def _home_url(request: HttpRequest) -> str:
    return reverse("tourism:partner-home", kwargs={"municipality_slug": request.municipality.slug})


@roles_required({Role.PARTNER})
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    partner = _own_partner(request)
    today = timezone.localdate()
    day_start, day_end = selectors.day_range(today)
    month_start, month_end = selectors.month_range(today)
    today_qs = selectors.partner_redemptions(partner=partner, start=day_start, end=day_end)
    month_qs = selectors.partner_redemptions(partner=partner, start=month_start, end=month_end)
    return render(
        request,
        "tourism/partner/home.html",
        {
            "partner": partner,
            "form": RedeemForm(),
            "today": selectors.redemption_totals(today_qs),
            "month": selectors.redemption_totals(month_qs),
            "recent": [(c, mask_name(c.holder.name)) for c in today_qs[:20]],
            "month_label": today,
        },
    )


def _preview(request: HttpRequest, partner: Partner, raw_code: str) -> HttpResponse:
    """Show what a code is, and the redeem button when this partner may use it now."""
    coupon = rejection = None
    try:
        coupon = coupon_lookup(
            municipality=request.municipality, raw_code=raw_code, user_id=request.user.pk, ip=client_ip(request)
        )
        coupon_check(coupon=coupon, partner=partner, at=timezone.now())
    except CouponRejected as error:
        rejection = error
    return render(
        request,
        "tourism/partner/redeem.html",
        {
            "partner": partner,
            "coupon": coupon if rejection is None or rejection.coupon else None,
            "holder": mask_name(coupon.holder.name) if coupon else "",
            "rejection": rejection,
            # After a refusal the typed code stays to be corrected; after a good one the field is for the next.
            "form": RedeemForm(initial={"code": raw_code} if rejection else None),
        },
        status=200 if rejection is None else 422,
    )


@roles_required({Role.PARTNER})
@require_GET
def scan(request: HttpRequest, code: str) -> HttpResponse:
    """Where a coupon's QR code leads: the redeem screen for that code."""
    return _preview(request, _own_partner(request), code)


@roles_required({Role.PARTNER})
@require_http_methods(["GET", "POST"])
def redeem(request: HttpRequest) -> HttpResponse:
    """GET ?code= shows the coupon (typed code); POST uses it."""
    partner = _own_partner(request)
    form = RedeemForm(request.POST if request.method == "POST" else request.GET or None)
    if not form.is_bound:
        return redirect(_home_url(request))
    if not form.is_valid():
        return render(request, "tourism/partner/redeem.html", {"partner": partner, "form": form}, status=422)
    raw_code = form.cleaned_data["code"]
    if request.method == "GET":
        return _preview(request, partner, raw_code)
    try:
        coupon = coupon_lookup(
            municipality=request.municipality, raw_code=raw_code, user_id=request.user.pk, ip=client_ip(request)
        )
        coupon = coupon_redeem(coupon=coupon, partner=partner, acting_user=request.user, place=partner.name)
    except CouponRejected as error:
        return render(
            request,
            "tourism/partner/redeem.html",
            {
                "partner": partner,
                "coupon": error.coupon,
                "holder": mask_name(error.coupon.holder.name) if error.coupon else "",
                "rejection": error,
                "form": form,
            },
            status=422,
        )
    return render(
        request,
        "tourism/partner/redeemed.html",
        {"partner": partner, "coupon": coupon, "holder": mask_name(coupon.holder.name)},
    )


@roles_required({Role.PARTNER})
@require_http_methods(["GET", "POST"])
def offline(request: HttpRequest) -> HttpResponse:
    """Enter a code noted while offline, with when and where it was used."""
    partner = _own_partner(request)
    now = timezone.localtime()
    form = OfflineRedeemForm(
        request.POST or None,
        initial={"used_on": now.date(), "used_time": now.strftime("%H:%M"), "place": partner.name},
    )
    rejection = None
    if request.method == "POST" and form.is_valid():
        try:
            coupon = coupon_lookup(
                municipality=request.municipality,
                raw_code=form.cleaned_data["code"],
                user_id=request.user.pk,
                ip=client_ip(request),
            )
            coupon = coupon_redeem(
                coupon=coupon,
                partner=partner,
                acting_user=request.user,
                place=form.cleaned_data["place"] or partner.name,
                used_at=form.used_at(),
                note=form.cleaned_data["note"],
            )
        except CouponRejected as error:
            rejection = error
        else:
            messages.success(
                request,
                _("%(code)s 쿠폰을 사용 처리했습니다 (%(offer)s).")
                % {"code": format_code(coupon.code), "offer": coupon.offer.title},
            )
            return redirect(reverse("tourism:partner-offline", kwargs={"municipality_slug": request.municipality.slug}))
    return render(
        request,
        "tourism/partner/offline.html",
        {"partner": partner, "form": form, "rejection": rejection},
        status=422 if rejection or form.errors else 200,
    )


def _month_param(raw: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@roles_required({Role.PARTNER})
@require_GET
def redemptions(request: HttpRequest) -> HttpResponse:
    """This partner's redemptions of one month (?month=2026-11) and what it will be reimbursed; CSV too."""
    partner = _own_partner(request)
    month = _month_param(request.GET.get("month"))
    start, end = selectors.month_range(month)
    queryset = selectors.partner_redemptions(partner=partner, start=start, end=end)
    rows = [(coupon, mask_name(coupon.holder.name)) for coupon in queryset]
    if request.GET.get("export") == "csv":
        return _redemptions_csv(rows, partner=partner, month=month)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "tourism/partner/redemptions.html",
        {
            "partner": partner,
            "rows": rows,
            "totals": selectors.redemption_totals(queryset),
            "month": month,
            "previous": previous,
            "following": following if following <= timezone.localdate() else None,
        },
    )


def _redemptions_csv(rows: list[tuple[Coupon, str]], *, partner: Partner, month: date) -> HttpResponse:
    response = csv_download(
        "", _("%(partner)s_%(month)s_쿠폰사용.csv") % {"partner": partner.name, "month": f"{month:%Y-%m}"}
    )
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([_("사용일시"), _("쿠폰 번호"), _("혜택"), _("사용자"), _("장소"), _("처리자"), _("정산 금액(원)")])
    for coupon, holder in rows:
        writer.writerow(
            [
                timezone.localtime(coupon.redeemed_at).strftime("%Y-%m-%d %H:%M"),
                format_code(coupon.code),
                coupon.offer.title,
                holder,
                coupon.redeemed_place,
                mask_name(coupon.redeemed_by.name),
                coupon.offer.reimbursement_won,
            ]
        )
    return response
