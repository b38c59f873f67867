"""Staff curation of the catalog lists: merchants, products (with CSV import/export) and plans.

Views parse with forms, call services and selectors, and render; they never save a model themselves.
Lists are open to every staff role; changing the catalog needs CATALOG_ROLES; a merchant's payout account
is shown in full and edited only by BANK_ACCOUNT_ROLES (finance), everyone else sees it masked.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bundles import selectors, services
from bundles.display import merchant_bank_display
from bundles.exports import csv_download
from bundles.filters import MerchantFilter, PlanFilter, ProductFilter
from bundles.forms import (
    MerchantBankForm,
    MerchantForm,
    ProductCreateForm,
    ProductCsvForm,
    ProductForm,
    attach_service_errors,
)
from bundles.product_csv import COLUMNS, REQUIRED, product_export_csv, product_import_csv
from bundles.roles import BANK_ACCOUNT_ROLES, CATALOG_ROLES
from bundles.tables import MerchantTable, PlanTable, ProductTable
from bundles.views.staff_common import _list_page, _roles, _url
from municipalities.permissions import roles_required, staff_required
from municipalities.services import personal_data_access_record

MERCHANT_PAGE_ROLES = CATALOG_ROLES | BANK_ACCOUNT_ROLES
CSV_EXAMPLE_ROWS = [
    [
        "HD-001",
        "화개 우전 녹차",
        "첫물 찻잎으로 덖은 녹차",
        "40g",
        "차·음료",
        "상온",
        "18000",
        "면세",
        "50",
        "4-6",
        "Y",
    ],
    ["HD-002", "악양 대봉 곶감", "", "1kg", "가공식품", "냉동", "25,000", "과세", "30", "11-2", "Y"],
]


# --- Merchants ---------------------------------------------------------------------------------------------
@staff_required
@require_GET
def merchant_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queryset=selectors.staff_merchants(municipality=request.municipality),
        filterset_class=MerchantFilter,
        table_class=MerchantTable,
        can_edit=bool(_roles(request) & MERCHANT_PAGE_ROLES),
        template="bundles/staff/merchant_list.html",
        filename=_("소상공인.csv"),
        extra={"can_create": bool(_roles(request) & CATALOG_ROLES)},
    )


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def merchant_create(request: HttpRequest) -> HttpResponse:
    form = MerchantForm(request.POST or None, request.FILES or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            merchant = services.merchant_create(municipality=request.municipality, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("'%(name)s' 소상공인을 등록했습니다.") % {"name": merchant.name})
            return redirect(_url(request, "staff-merchant", merchant_id=merchant.pk))
    return render(request, "bundles/staff/merchant_form.html", {"form": form, "merchant": None})


@roles_required(MERCHANT_PAGE_ROLES)
@require_http_methods(["GET", "POST"])
def merchant_edit(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Curators and admins edit the profile; finance edits only the payout account (and sees it in full)."""
    merchant = selectors.staff_merchant(municipality=request.municipality, merchant_id=merchant_id)
    roles = _roles(request)
    can_edit_profile, can_edit_bank = bool(roles & CATALOG_ROLES), bool(roles & BANK_ACCOUNT_ROLES)
    section = request.POST.get("section") if request.method == "POST" else None
    if section not in {None, "profile", "bank"}:
        return HttpResponseBadRequest()
    if (section == "profile" and not can_edit_profile) or (section == "bank" and not can_edit_bank):
        raise PermissionDenied

    form = bank_form = None
    if can_edit_profile:
        bound = section == "profile"
        form = MerchantForm(
            request.POST if bound else None,
            request.FILES if bound else None,
            instance=copy(merchant),
            municipality=request.municipality,
        )
    if can_edit_bank:
        bank_form = MerchantBankForm(request.POST if section == "bank" else None, instance=copy(merchant))

    changed = None
    if section == "profile" and form.is_valid():
        try:
            changed = services.merchant_update(merchant=merchant, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
    elif section == "bank" and bank_form.is_valid():
        try:
            changed = services.merchant_update(merchant=merchant, **bank_form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(bank_form, error)
    if changed is not None:
        messages.success(request, _("'%(name)s' 정보를 저장했습니다.") % {"name": changed.name})
        return redirect(_url(request, "staff-merchant", merchant_id=merchant.pk))

    if can_edit_bank and merchant.account_number and request.method == "GET":
        # Finance opening the full payout account is personal data access (접속기록).
        personal_data_access_record(
            request=request,
            municipality=request.municipality,
            subject=merchant,
            subject_label=f"{merchant.name} (#{merchant.pk})",
            purpose=_("소상공인 정산 계좌 조회"),
        )
    return render(
        request,
        "bundles/staff/merchant_form.html",
        {
            "merchant": merchant,
            "form": form,
            "bank_form": bank_form,
            "bank": merchant_bank_display(merchant, full=can_edit_bank),
            "can_edit_profile": can_edit_profile,
            "can_edit_bank": can_edit_bank,
        },
    )


# --- Products ----------------------------------------------------------------------------------------------
@staff_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queryset=selectors.staff_products(municipality=request.municipality),
        filterset_class=ProductFilter,
        table_class=ProductTable,
        can_edit=bool(_roles(request) & CATALOG_ROLES),
        template="bundles/staff/product_list.html",
        filename=_("상품.csv"),
    )


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductCreateForm(
        request.POST or None,
        request.FILES or None,
        municipality=request.municipality,
        initial={"merchant": request.GET.get("merchant")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(merchant=form.cleaned_data["merchant"], **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error, field_map={"season_months": "season"})
        else:
            messages.success(request, _("'%(name)s' 상품을 등록했습니다.") % {"name": product.name})
            return redirect(_url(request, "staff-product", product_id=product.pk))
    return render(request, "bundles/staff/product_form.html", {"form": form, "product": None})


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.staff_product(municipality=request.municipality, product_id=product_id)
    form = ProductForm(
        request.POST or None, request.FILES or None, instance=copy(product), municipality=request.municipality
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_update(product=product, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error, field_map={"season_months": "season"})
        else:
            messages.success(request, _("'%(name)s' 상품을 저장했습니다.") % {"name": product.name})
            return redirect(_url(request, "staff-product", product_id=product.pk))
    return render(request, "bundles/staff/product_form.html", {"form": form, "product": product})


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """All or nothing: on any bad row every error is listed and no product is created or changed."""
    merchant = selectors.staff_merchant(municipality=request.municipality, merchant_id=merchant_id)
    form = ProductCsvForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = product_import_csv(merchant=merchant, raw=form.cleaned_data["file"].read())
        if result.ok:
            messages.success(
                request,
                _("%(created)d건 추가, %(updated)d건 수정") % {"created": result.created, "updated": result.updated},
            )
            return redirect(f"{_url(request, 'staff-products')}?{urlencode({'merchant': merchant.pk})}")
    return render(
        request,
        "bundles/staff/product_import.html",
        {
            "merchant": merchant,
            "form": form,
            "result": result,
            "columns": [(label, field in REQUIRED) for field, label in COLUMNS],
            "example_header": [label for _field, label in COLUMNS],
            "example_rows": CSV_EXAMPLE_ROWS,
        },
    )


@staff_required
@require_GET
def product_export(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = selectors.staff_merchant(municipality=request.municipality, merchant_id=merchant_id)
    return csv_download(product_export_csv(merchant=merchant), _("%(name)s_상품.csv") % {"name": merchant.name})


# --- Plans -------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request,
        queryset=selectors.staff_plans(municipality=request.municipality),
        filterset_class=PlanFilter,
        table_class=PlanTable,
        can_edit=bool(_roles(request) & CATALOG_ROLES),
        template="bundles/staff/plan_list.html",
        filename=_("요금제.csv"),
    )
