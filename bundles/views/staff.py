"""Staff curation of the catalog: merchants, products, bundles (with the composer) and plans.

Views parse with forms, call services and selectors, and render; they never save a model themselves.
Lists are open to every staff role; changing the catalog needs CATALOG_ROLES; a merchant's payout account
is shown in full and edited only by BANK_ACCOUNT_ROLES (finance), everyone else sees it masked.

The composer's htmx endpoints answer an htmx request (HX-Request header) with partials — the changed
block plus the summary panel swapped out of band — and a plain form POST with a redirect back to the
composer, so every control also works without JavaScript.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_filters import FilterSet
from django_tables2 import RequestConfig

from bundles import selectors, services
from bundles.display import merchant_bank_display
from bundles.exports import csv_download, table_csv_response
from bundles.filters import BundleFilter, MerchantFilter, PlanFilter, ProductFilter
from bundles.forms import (
    BundleDuplicateForm,
    BundleForm,
    BundleItemForm,
    GalleryImageForm,
    HeroImageForm,
    MerchantBankForm,
    MerchantForm,
    PlanForm,
    ProductCreateForm,
    ProductCsvForm,
    ProductForm,
    ProductSearchForm,
    attach_service_errors,
)
from bundles.models import Bundle, Cadence, StorageClass
from bundles.product_csv import COLUMNS, REQUIRED, product_export_csv, product_import_csv
from bundles.publishing import PublishRefused, bundle_publish_problems
from bundles.roles import BANK_ACCOUNT_ROLES, CATALOG_ROLES
from bundles.tables import BundleTable, CatalogTable, MerchantTable, PlanTable, ProductTable
from core import privacy
from core.transitions import TransitionNotAllowed
from municipalities.permissions import can_view_personal_data, roles_required, staff_required
from municipalities.services import personal_data_access_record

MERCHANT_PAGE_ROLES = CATALOG_ROLES | BANK_ACCOUNT_ROLES
HISTORY_LENGTH = 30
# The composer's status buttons, by the status they lead to: (action sent to bundle_status, label, style).
STATUS_ACTIONS = {
    Bundle.Status.PUBLISHED: ("publish", gettext_lazy("판매 시작"), "primary"),
    Bundle.Status.DRAFT: ("draft", gettext_lazy("작성 중으로 되돌리기"), "secondary"),
    Bundle.Status.RETIRED: ("retire", gettext_lazy("판매 종료"), "tertiary"),
}
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


# --- helpers -----------------------------------------------------------------------------------------------
def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _roles(request: HttpRequest) -> frozenset[str]:
    return frozenset(request.roles)


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return reverse(f"bundles:{name}", kwargs={"municipality_slug": request.municipality.slug, **kwargs})


def _composer_url(request: HttpRequest, bundle: Bundle, anchor: str = "") -> str:
    url = _url(request, "staff-bundle", bundle_id=bundle.pk)
    return f"{url}#{anchor}" if anchor else url


def _list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet,
    filterset_class: type[FilterSet],
    table_class: type[CatalogTable],
    can_edit: bool,
    template: str,
    filename: str,
    extra: dict | None = None,
) -> HttpResponse:
    """A filtered, sortable, paginated list; `?export=csv` downloads every filtered row instead of a page."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    table = table_class(filterset.qs, municipality_slug=request.municipality.slug, can_edit=can_edit)
    if request.GET.get("export") == "csv":
        RequestConfig(request, paginate=False).configure(table)
        return table_csv_response(table, filename)
    RequestConfig(request).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "csv"
    return render(
        request,
        template,
        {
            "filter": filterset,
            "table": table,
            "export_url": f"?{query.urlencode()}",
            "can_edit": can_edit,
            **(extra or {}),
        },
    )


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


# --- Bundles -----------------------------------------------------------------------------------------------
@staff_required
@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    can_edit = bool(_roles(request) & CATALOG_ROLES)
    return _list_page(
        request,
        queryset=selectors.staff_bundles(municipality=request.municipality),
        filterset_class=BundleFilter,
        table_class=BundleTable,
        can_edit=can_edit,
        template="bundles/staff/bundle_list.html",
        filename=_("꾸러미.csv"),
    )


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def bundle_create(request: HttpRequest) -> HttpResponse:
    form = BundleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bundle = services.bundle_create(
                municipality=request.municipality, acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("'%(name)s' 꾸러미를 만들었습니다. 상품을 담아 주세요.") % {"name": bundle.name}
            )
            return redirect(_composer_url(request, bundle))
    return render(request, "bundles/staff/bundle_form.html", {"form": form})


def _summary_context(bundle: Bundle) -> dict:
    summary = selectors.bundle_cost_summary(bundle=bundle)
    problems = bundle_publish_problems(bundle, on=timezone.localdate())
    return {
        "bundle": bundle,
        "summary": summary,
        "storage_label": StorageClass(summary.storage_class).label,
        "errors": [p for p in problems if p.is_error],
        "warnings": [p for p in problems if not p.is_error],
        "commission_bp": bundle.municipality.commission_rate_bp,
        "card_fee_bp": bundle.municipality.card_fee_rate_bp,
    }


def _items_context(bundle: Bundle, *, item_form: BundleItemForm | None = None) -> dict:
    items = list(bundle.items.select_related("product__merchant").order_by("pk"))
    return {
        "bundle": bundle,
        "item_rows": [(item, item.product.supply_price_won * item.quantity) for item in items],
        "item_form": item_form,
    }


def _plan_forms(bundle: Bundle, *, bound: tuple[str, PlanForm] | None = None) -> list[dict]:
    plans = {plan.cadence: plan for plan in bundle.plans.all()}
    rows = []
    for cadence, label in Cadence.choices:
        if bound and bound[0] == cadence:
            form = bound[1]
        else:
            form = PlanForm(prefix=cadence, initial=PlanForm.initial_for(plans.get(cadence)))
        rows.append({"cadence": cadence, "label": label, "form": form, "plan": plans.get(cadence)})
    return rows


def _search_results(request: HttpRequest, bundle: Bundle, form: ProductSearchForm) -> list[tuple] | None:
    """Products matching the search, each with the quantity already in the bundle (0 if none)."""
    if not form.is_valid():
        return None
    query, category = form.cleaned_data["q"].strip(), form.cleaned_data["category"]
    if not (query or category):
        return None
    products = selectors.product_search(municipality=request.municipality, query=query, category=category)
    in_bundle = dict(bundle.items.values_list("product_id", "quantity"))
    return [(product, in_bundle.get(product.pk, 0)) for product in products]


def _composer(request: HttpRequest, bundle: Bundle, *, status: int = 200, **forms) -> HttpResponse:
    """The composer page; a POST that failed passes its bound form (with errors) in `forms`."""
    search_form = ProductSearchForm(request.GET or None)
    events = list(bundle.events.select_related("actor")[:HISTORY_LENGTH])
    show_names = can_view_personal_data(request)

    def person(user) -> str:
        if user is None:
            return ""
        return user.name if show_names else privacy.mask_name(user.name)

    context = {
        "bundle": bundle,
        "info_form": forms.get("info_form") or BundleForm(instance=copy(bundle)),
        "search_form": search_form,
        "results": _search_results(request, bundle, search_form),
        "plan_rows": _plan_forms(bundle, bound=forms.get("plan_form")),
        "hero_form": forms.get("hero_form") or HeroImageForm(prefix="hero"),
        "gallery_form": forms.get("gallery_form") or GalleryImageForm(prefix="gallery"),
        "gallery": list(bundle.gallery.all()),
        "duplicate_form": forms.get("duplicate_form")
        or BundleDuplicateForm(initial={"name": _("%(name)s (변형)") % {"name": bundle.name}}),
        "refused": forms.get("refused"),
        "events": [(event, person(event.actor)) for event in events],
        "status_changed_by_name": person(bundle.status_changed_by),
        "status_actions": [
            action for to, action in STATUS_ACTIONS.items() if to in Bundle.TRANSITIONS[Bundle.Status(bundle.status)]
        ],
        **_items_context(bundle, item_form=forms.get("item_form")),
        **_summary_context(bundle),
    }
    return render(request, "bundles/staff/bundle_composer.html", context, status=status)


@roles_required(CATALOG_ROLES)
@require_http_methods(["GET", "POST"])
def bundle_composer(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The whole bundle on one page; a POST here saves the bundle's information (name, summary …)."""
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    if request.method == "POST":
        form = BundleForm(request.POST, instance=copy(bundle))
        if form.is_valid():
            try:
                services.bundle_update(bundle=bundle, acting_user=request.user, **form.service_kwargs())
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("꾸러미 정보를 저장했습니다."))
                return redirect(_composer_url(request, bundle, "info"))
        return _composer(request, bundle, info_form=form)
    return _composer(request, bundle)


@roles_required(CATALOG_ROLES)
@require_GET
def bundle_product_search(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    if not _is_htmx(request):
        # Without JavaScript the composer page itself shows the results of the same query.
        return redirect(f"{_composer_url(request, bundle)}?{request.GET.urlencode()}#picker")
    form = ProductSearchForm(request.GET)
    return render(
        request,
        "bundles/staff/partials/_product_results.html",
        {"bundle": bundle, "results": _search_results(request, bundle, form), "searched": form.is_bound},
    )


def _partials(
    request: HttpRequest, bundle: Bundle, main_template: str, main_context: dict, *, notice: str = ""
) -> HttpResponse:
    """One htmx answer: the changed block, plus the summary panel swapped out of band, plus what happened
    in words for the composer's status line (a live region, so screen readers hear it)."""
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle.pk)
    main = render_to_string(main_template, {**main_context, "bundle": bundle}, request=request)
    summary = render_to_string(
        "bundles/staff/partials/_summary.html", {**_summary_context(bundle), "oob": True}, request=request
    )
    live = format_html('<p id="composer-live" hx-swap-oob="innerHTML">{}</p>', notice)
    return HttpResponse(main + summary + live)


@roles_required(CATALOG_ROLES)
@require_POST
def bundle_item_set(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """Put a product in the bundle at a quantity; 0 takes it out."""
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    form = BundleItemForm(request.POST)
    if form.is_valid():
        product = selectors.staff_product(municipality=request.municipality, product_id=form.cleaned_data["product_id"])
        quantity = form.cleaned_data["quantity"]
        services.bundle_set_item(bundle=bundle, product=product, quantity=quantity, acting_user=request.user)
        if quantity:
            message = _("'%(name)s' %(qty)d개로 정했습니다.") % {"name": product.name, "qty": quantity}
        else:
            message = _("'%(name)s' 상품을 구성에서 뺐습니다.") % {"name": product.name}
        if not _is_htmx(request):
            messages.success(request, message)
            return redirect(_composer_url(request, bundle, "items"))
        return _partials(request, bundle, "bundles/staff/partials/_items.html", _items_context(bundle), notice=message)
    if not _is_htmx(request):
        return _composer(request, bundle, item_form=form)
    return _partials(request, bundle, "bundles/staff/partials/_items.html", _items_context(bundle, item_form=form))


@roles_required(CATALOG_ROLES)
@require_POST
def bundle_plan_set(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    cadence = request.POST.get("cadence", "")
    if cadence not in Cadence.values:
        return HttpResponseBadRequest(_("배송 주기를 알 수 없습니다."))
    form = PlanForm(request.POST, prefix=cadence)
    saved = False
    if form.is_valid():
        try:
            services.plan_set(bundle=bundle, cadence=cadence, acting_user=request.user, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            saved = True
    label = Cadence(cadence).label
    message = _("%(cadence)s 요금제를 저장했습니다.") % {"cadence": label} if saved else ""
    if not _is_htmx(request):
        if saved:
            messages.success(request, message)
            return redirect(_composer_url(request, bundle, "plans"))
        return _composer(request, bundle, plan_form=(cadence, form))
    plan = bundle.plans.filter(cadence=cadence).first()
    if saved:
        form = PlanForm(prefix=cadence, initial=PlanForm.initial_for(plan))
    row = {"cadence": cadence, "label": label, "form": form, "plan": plan}
    return _partials(
        request, bundle, "bundles/staff/partials/_plan_form.html", {"row": row, "saved": saved}, notice=message
    )


@roles_required(CATALOG_ROLES)
@require_POST
def bundle_images(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """The hero image (kind=hero) or one more gallery image (kind=gallery); a refused file changes nothing."""
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    kind = request.POST.get("kind")
    if kind == "hero":
        form = HeroImageForm(request.POST, request.FILES, prefix="hero")
        if form.is_valid():
            try:
                services.bundle_set_hero_image(
                    bundle=bundle, upload=form.cleaned_data["image"], acting_user=request.user
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("대표 이미지를 바꿨습니다."))
                return redirect(_composer_url(request, bundle, "images"))
        return _composer(request, bundle, hero_form=form)
    if kind == "gallery":
        form = GalleryImageForm(request.POST, request.FILES, prefix="gallery")
        if form.is_valid():
            try:
                services.bundle_add_gallery_image(
                    bundle=bundle, upload=form.cleaned_data["image"], alt=form.cleaned_data["alt"]
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("이미지를 추가했습니다."))
                return redirect(_composer_url(request, bundle, "images"))
        return _composer(request, bundle, gallery_form=form)
    return HttpResponseBadRequest(_("이미지 종류를 알 수 없습니다."))


@roles_required(CATALOG_ROLES)
@require_POST
def bundle_status(request: HttpRequest, bundle_id: int) -> HttpResponse:
    """Publish (only when every rule holds), retire, or take back to draft."""
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    action = request.POST.get("action")
    moves = {
        "publish": (
            lambda: services.bundle_publish(bundle=bundle, acting_user=request.user, on=timezone.localdate()),
            _("판매를 시작했습니다. 손님에게 보입니다."),
        ),
        "retire": (
            lambda: services.bundle_retire(bundle=bundle, acting_user=request.user),
            _("판매를 종료했습니다. 더 이상 새로 구독할 수 없습니다."),
        ),
        "draft": (
            lambda: services.bundle_unpublish(bundle=bundle, acting_user=request.user),
            _("작성 중으로 되돌렸습니다. 손님에게 보이지 않습니다."),
        ),
    }
    if action not in moves:
        return HttpResponseBadRequest(_("알 수 없는 요청입니다."))
    move, done = moves[action]
    try:
        move()
    except PublishRefused as refused:
        return _composer(request, bundle, refused=refused.problems)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(_composer_url(request, bundle, "status"))


@roles_required(CATALOG_ROLES)
@require_POST
def bundle_duplicate(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.staff_bundle(municipality=request.municipality, bundle_id=bundle_id)
    form = BundleDuplicateForm(request.POST)
    if form.is_valid():
        try:
            variant = services.bundle_duplicate(bundle=bundle, acting_user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("'%(name)s'을(를) 복제해 '작성 중' 꾸러미로 만들었습니다. 계절에 맞게 고쳐 주세요.")
                % {"name": bundle.name},
            )
            return redirect(_composer_url(request, variant))
    return _composer(request, bundle, duplicate_form=form)


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
