"""The bundle composer: bundles list, creation, items, plans, images, publishing and duplication.

The composer's htmx endpoints answer an htmx request (HX-Request header) with partials — the changed
block plus the summary panel swapped out of band — and a plain form POST with a redirect back to the
composer, so every control also works without JavaScript.
"""

from copy import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bundles import selectors, services
from bundles.filters import BundleFilter
from bundles.forms import (
    BundleDuplicateForm,
    BundleForm,
    BundleItemForm,
    GalleryImageForm,
    HeroImageForm,
    PlanForm,
    ProductSearchForm,
    attach_service_errors,
)
from bundles.models import Bundle, Cadence, StorageClass
from bundles.publishing import PublishRefused, bundle_publish_problems
from bundles.roles import CATALOG_ROLES
from bundles.tables import BundleTable
from bundles.views.staff_common import _composer_url, _is_htmx, _list_page, _roles
from core import privacy
from core.transitions import TransitionNotAllowed
from municipalities.permissions import can_view_personal_data, roles_required, staff_required

HISTORY_LENGTH = 30
# The composer's status buttons, by the status they lead to: (action sent to bundle_status, label, style).
STATUS_ACTIONS = {
    Bundle.Status.PUBLISHED: ("publish", gettext_lazy("판매 시작"), "primary"),
    Bundle.Status.DRAFT: ("draft", gettext_lazy("작성 중으로 되돌리기"), "secondary"),
    Bundle.Status.RETIRED: ("retire", gettext_lazy("판매 종료"), "tertiary"),
}


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
