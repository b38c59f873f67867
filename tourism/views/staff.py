"""Staff pages of tourism: partners, offers (with the bundles that issue them), and the report of
issued vs redeemed coupons, monthly caps near their end and the tourism budget spent.

Lists and the report are open to TOURISM_VIEW_ROLES; changes need TOURISM_EDIT_ROLES; a partner's payout
account is shown in full and edited only by finance (TOURISM_BANK_ROLES), masked for everyone else.
Views parse with forms and call services; they never save a model themselves.
"""

import csv
from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bundles.display import BankAccount, bank_name, mask_account_number
from bundles.exports import BOM, csv_download
from bundles.forms import attach_service_errors
from bundles.views.staff_common import _list_page
from core.privacy import mask_name
from municipalities.permissions import roles_required
from municipalities.services import personal_data_access_record
from municipalities.tenancy import get_for_tenant_or_404
from tourism import selectors, services
from tourism.filters import OfferFilter, PartnerFilter
from tourism.forms import OfferAttachmentForm, OfferForm, PartnerBankForm, PartnerForm, PartnerMemberForm
from tourism.models import Offer, OfferAttachment, Partner, PartnerMember
from tourism.roles import TOURISM_BANK_ROLES, TOURISM_EDIT_ROLES, TOURISM_VIEW_ROLES
from tourism.tables import OfferTable, PartnerTable

BUDGET_MONTHS = 12


def _roles(request: HttpRequest) -> frozenset[str]:
    return frozenset(request.roles)


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(f"tourism:{name}", kwargs={"municipality_slug": request.municipality.slug, **kwargs})


def _bank(partner: Partner, *, full: bool) -> BankAccount:
    return BankAccount(
        bank=bank_name(partner.bank_code),
        number=partner.account_number if full else mask_account_number(partner.account_number),
        holder=partner.account_holder if full else mask_name(partner.account_holder),
        is_set=bool(partner.account_number),
        masked=not full,
    )


# --- Partners ----------------------------------------------------------------------------------------------
@roles_required(TOURISM_VIEW_ROLES)
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queryset=selectors.staff_partners(municipality=request.municipality),
        filterset_class=PartnerFilter,
        table_class=PartnerTable,
        can_edit=True,
        template="tourism/staff/partner_list.html",
        filename=_("관광제휴처.csv"),
        extra={"can_create": bool(_roles(request) & TOURISM_EDIT_ROLES)},
    )


@roles_required(TOURISM_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None, request.FILES or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(municipality=request.municipality, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("'%(name)s' 제휴처를 등록했습니다.") % {"name": partner.name})
            return redirect(_url(request, "staff-partner", partner_id=partner.pk))
    return render(request, "tourism/staff/partner_form.html", {"form": form, "partner": None})


@roles_required(TOURISM_VIEW_ROLES)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Curators and admins edit the venue and its users; finance edits only the payout account."""
    partner = get_for_tenant_or_404(Partner.objects.all(), municipality=request.municipality, pk=partner_id)
    roles = _roles(request)
    can_edit, can_edit_bank = bool(roles & TOURISM_EDIT_ROLES), bool(roles & TOURISM_BANK_ROLES)
    section = request.POST.get("section") if request.method == "POST" else None
    if section not in {None, "profile", "bank", "member"}:
        return HttpResponseBadRequest()
    if (section in {"profile", "member"} and not can_edit) or (section == "bank" and not can_edit_bank):
        raise PermissionDenied

    form = PartnerForm(
        request.POST if section == "profile" else None,
        request.FILES if section == "profile" else None,
        instance=copy(partner),
        municipality=request.municipality,
    )
    bank_form = PartnerBankForm(request.POST if section == "bank" else None, instance=copy(partner))
    member_form = PartnerMemberForm(request.POST if section == "member" else None)

    done = None
    try:
        if section == "profile" and form.is_valid():
            done = services.partner_update(partner=partner, **form.service_kwargs())
        elif section == "bank" and bank_form.is_valid():
            done = services.partner_update(partner=partner, **bank_form.service_kwargs())
        elif section == "member" and member_form.is_valid():
            services.partner_member_bind(partner=partner, user=member_form.cleaned_data["email"])
            done = partner
    except ValidationError as error:
        attach_service_errors({"profile": form, "bank": bank_form, "member": member_form}[section], error)
    if done is not None:
        messages.success(request, _("'%(name)s' 정보를 저장했습니다.") % {"name": partner.name})
        return redirect(_url(request, "staff-partner", partner_id=partner.pk))

    if can_edit_bank and partner.account_number and request.method == "GET":
        personal_data_access_record(
            request=request,
            municipality=request.municipality,
            subject=partner,
            subject_label=f"{partner.name} (#{partner.pk})",
            purpose=_("관광 제휴처 정산 계좌 조회"),
        )
    members = PartnerMember.objects.filter(partner=partner).select_related("membership__user")
    return render(
        request,
        "tourism/staff/partner_form.html",
        {
            "partner": partner,
            "form": form if can_edit else None,
            "bank_form": bank_form if can_edit_bank else None,
            "member_form": member_form if can_edit else None,
            "bank": _bank(partner, full=can_edit_bank),
            "members": [(m.membership.user, mask_name(m.membership.user.name)) for m in members],
            "offers": partner.offers.order_by("title"),
            "can_edit": can_edit,
        },
    )


# --- Offers ------------------------------------------------------------------------------------------------
@roles_required(TOURISM_VIEW_ROLES)
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queryset=selectors.staff_offers(municipality=request.municipality, now=timezone.now()),
        filterset_class=OfferFilter,
        table_class=OfferTable,
        can_edit=True,
        template="tourism/staff/offer_list.html",
        filename=_("관광혜택.csv"),
        extra={"can_create": bool(_roles(request) & TOURISM_EDIT_ROLES)},
    )


@roles_required(TOURISM_EDIT_ROLES)
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    form = OfferForm(
        request.POST or None, municipality=request.municipality, initial={"partner": request.GET.get("partner")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(partner=form.cleaned_data["partner"], **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("'%(title)s' 혜택을 만들었습니다.") % {"title": offer.title})
            return redirect(_url(request, "staff-offer", offer_id=offer.pk))
    return render(request, "tourism/staff/offer_form.html", {"form": form, "offer": None})


@roles_required(TOURISM_VIEW_ROLES)
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = get_for_tenant_or_404(
        Offer.objects.select_related("partner"), municipality=request.municipality, pk=offer_id
    )
    can_edit = bool(_roles(request) & TOURISM_EDIT_ROLES)
    section = request.POST.get("section") if request.method == "POST" else None
    if section not in {None, "offer", "attachments"}:
        return HttpResponseBadRequest()
    if section and not can_edit:
        raise PermissionDenied
    attached = OfferAttachment.objects.filter(offer=offer)
    form = OfferForm(
        request.POST if section == "offer" else None, instance=copy(offer), municipality=request.municipality
    )
    attach_form = OfferAttachmentForm(
        request.POST if section == "attachments" else None,
        municipality=request.municipality,
        initial={
            "bundles": [a.bundle_id for a in attached if not a.is_welcome],
            "welcome_bundles": [a.bundle_id for a in attached if a.is_welcome],
        },
    )
    saved = False
    try:
        if section == "offer" and form.is_valid():
            services.offer_update(offer=offer, partner=form.cleaned_data["partner"], **form.service_kwargs())
            saved = True
        elif section == "attachments" and attach_form.is_valid():
            services.offer_attachments_set(
                offer=offer,
                bundles=list(attach_form.cleaned_data["bundles"]),
                welcome_bundles=list(attach_form.cleaned_data["welcome_bundles"]),
            )
            saved = True
    except ValidationError as error:
        attach_service_errors(form if section == "offer" else attach_form, error)
    if saved:
        messages.success(request, _("'%(title)s' 혜택을 저장했습니다.") % {"title": offer.title})
        return redirect(_url(request, "staff-offer", offer_id=offer.pk))
    return render(
        request,
        "tourism/staff/offer_form.html",
        {
            "offer": offer,
            "form": form if can_edit else None,
            "attach_form": attach_form if can_edit else None,
            "attached": attached.select_related("bundle").order_by("is_welcome", "bundle__name"),
            "can_edit": can_edit,
        },
    )


# --- Report ------------------------------------------------------------------------------------------------
@roles_required(TOURISM_VIEW_ROLES)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Issued vs redeemed per partner, caps near their end, and the budget spent per month (chart + table)."""
    now = timezone.now()
    budget = selectors.budget_by_month(municipality=request.municipality, months=BUDGET_MONTHS, now=now)
    if request.GET.get("export") == "csv":
        response = csv_download("", _("관광예산_월별.csv"))
        response.write(BOM)
        writer = csv.writer(response)
        writer.writerow([_("월"), _("사용 건수"), _("정산 금액(원)")])
        for row in budget:
            writer.writerow([f"{row.month:%Y-%m}", row.count, row.reimbursement_won])
        return response
    partners = list(selectors.staff_partners(municipality=request.municipality).filter(issued_count__gt=0))
    chart = {
        "label": _("정산 금액"),
        "labels": [date_format(row.month, "Y년 n월") for row in budget],
        "values": [row.reimbursement_won for row in budget],
    }
    return render(
        request,
        "tourism/staff/report.html",
        {
            "budget": budget,
            "budget_total": sum(row.reimbursement_won for row in budget),
            "chart": chart,
            "near_cap": selectors.offers_near_cap(municipality=request.municipality, now=now),
            "partners": partners,
            "cap_percent": selectors.CAP_NEAR_PERCENT,
        },
    )
