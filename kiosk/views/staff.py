"""Staff pages of the kiosk app: kiosks (list, register, edit, re-issue or revoke the screen's URL) and
campaign links (a `?src=` tag for a banner or pamphlet, its full URL and a printable QR code).

Every staff role may look; KIOSK_ROLES (admin, curator) change things. Objects are fetched through the
tenant-scoped selectors, so another municipality's kiosk or link is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_tables2 import RequestConfig

from bundles.forms import attach_service_errors
from kiosk import selectors, services
from kiosk.forms import CampaignLinkForm, KioskForm
from kiosk.models import Kiosk
from kiosk.qr import qr_data_uri, qr_png
from kiosk.roles import KIOSK_ROLES
from kiosk.tables import CampaignLinkTable, KioskTable
from municipalities.permissions import roles_required, staff_required

# Pixels per QR module: ~10 cm wide at 300 dpi for a pamphlet, and a smaller preview on the page.
PRINT_BOX_SIZE = 24
PREVIEW_BOX_SIZE = 8


def _can_manage(request: HttpRequest) -> bool:
    return bool(frozenset(request.roles) & KIOSK_ROLES)


def _kiosk_url(request: HttpRequest, kiosk: Kiosk) -> str:
    return reverse("kiosk:staff-kiosk", kwargs={"municipality_slug": request.municipality.slug, "kiosk_id": kiosk.pk})


def _kiosk_form(request: HttpRequest, *, kiosk: Kiosk | None) -> KioskForm:
    initial = KioskForm.initial_for(kiosk, selectors.kiosk_picked_bundle_ids(kiosk=kiosk)) if kiosk else None
    return KioskForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        pickable=selectors.kiosk_pickable_bundles(municipality=request.municipality),
        with_active=kiosk is not None,
    )


# --- Kiosks ------------------------------------------------------------------------------------------------
@staff_required
@require_GET
def kiosk_list(request: HttpRequest) -> HttpResponse:
    table = KioskTable(
        selectors.staff_kiosks(municipality=request.municipality),
        municipality_slug=request.municipality.slug,
        now=timezone.now(),
    )
    RequestConfig(request).configure(table)
    return render(request, "kiosk/staff/kiosk_list.html", {"table": table, "can_manage": _can_manage(request)})


@roles_required(KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_create(request: HttpRequest) -> HttpResponse:
    form = _kiosk_form(request, kiosk=None)
    if request.method == "POST" and form.is_valid():
        try:
            kiosk = services.kiosk_create(
                municipality=request.municipality, acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("'%(name)s' 키오스크를 등록했습니다. 아래 화면 주소를 키오스크의 브라우저에서 여세요.")
                % {"name": kiosk.name},
            )
            return redirect(_kiosk_url(request, kiosk))
    return render(request, "kiosk/staff/kiosk_form.html", {"form": form, "kiosk": None})


@staff_required
@require_http_methods(["GET", "POST"])
def kiosk_edit(request: HttpRequest, kiosk_id: int) -> HttpResponse:
    kiosk = selectors.staff_kiosk(municipality=request.municipality, kiosk_id=kiosk_id)
    can_manage = _can_manage(request)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = _kiosk_form(request, kiosk=kiosk) if can_manage else None
    if request.method == "POST" and form.is_valid():
        try:
            kiosk = services.kiosk_update(kiosk=kiosk, acting_user=request.user, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("'%(name)s' 설정을 저장했습니다.") % {"name": kiosk.name})
            return redirect(_kiosk_url(request, kiosk))
    return render(
        request,
        "kiosk/staff/kiosk_form.html",
        {
            "form": form,
            "kiosk": kiosk,
            "can_manage": can_manage,
            "screen_url": f"{settings.SITE_URL}{kiosk.get_absolute_url()}" if kiosk.is_live else "",
            "is_silent": selectors.kiosk_is_silent(kiosk, now=timezone.now()),
        },
    )


def _token_action(request: HttpRequest, kiosk_id: int, *, action: str) -> HttpResponse:
    """Re-issuing and revoking both ask first (GET shows what will happen) and act on POST."""
    kiosk = selectors.staff_kiosk(municipality=request.municipality, kiosk_id=kiosk_id)
    if request.method == "POST":
        if action == "reissue":
            kiosk = services.kiosk_token_reissue(kiosk=kiosk, acting_user=request.user)
            messages.success(
                request,
                _("새 화면 주소를 발급했습니다. 이전 주소는 더 이상 열리지 않으니 키오스크에서 새 주소를 여세요."),
            )
        else:
            services.kiosk_token_revoke(kiosk=kiosk, acting_user=request.user)
            messages.success(request, _("화면 주소를 폐기했습니다. 다시 쓰려면 새 주소를 발급하세요."))
        return redirect(_kiosk_url(request, kiosk))
    return render(request, "kiosk/staff/kiosk_confirm.html", {"kiosk": kiosk, "action": action})


@roles_required(KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_reissue(request: HttpRequest, kiosk_id: int) -> HttpResponse:
    return _token_action(request, kiosk_id, action="reissue")


@roles_required(KIOSK_ROLES)
@require_http_methods(["GET", "POST"])
def kiosk_revoke(request: HttpRequest, kiosk_id: int) -> HttpResponse:
    return _token_action(request, kiosk_id, action="revoke")


# --- Campaign links ----------------------------------------------------------------------------------------
@staff_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    can_manage = _can_manage(request)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = None
    if can_manage:
        form = CampaignLinkForm(
            request.POST if request.method == "POST" else None,
            municipality=municipality,
            bundles=list(selectors.kiosk_pickable_bundles(municipality=municipality)),
        )
    if request.method == "POST" and form.is_valid():
        try:
            link = services.campaign_link_create(
                municipality=municipality, acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            attach_service_errors(form, error, field_map={"target_path": "target"})
        else:
            messages.success(request, _("'%(label)s' 링크를 만들었습니다.") % {"label": link.label})
            return redirect("kiosk:staff-campaign", municipality_slug=municipality.slug, link_id=link.pk)
    table = CampaignLinkTable(selectors.campaign_links(municipality=municipality), municipality_slug=municipality.slug)
    RequestConfig(request).configure(table)
    return render(request, "kiosk/staff/campaign_list.html", {"table": table, "form": form})


@staff_required
@require_GET
def campaign_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    link = selectors.campaign_link(municipality=request.municipality, link_id=link_id)
    return render(
        request,
        "kiosk/staff/campaign_detail.html",
        {"link": link, "qr": qr_data_uri(link.url, box_size=PREVIEW_BOX_SIZE)},
    )


@staff_required
@require_GET
def campaign_qr_png(request: HttpRequest, link_id: int) -> HttpResponse:
    """The link's QR code as a large PNG, downloaded for printing."""
    link = selectors.campaign_link(municipality=request.municipality, link_id=link_id)
    response = HttpResponse(qr_png(link.url, box_size=PRINT_BOX_SIZE), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="qr-{link.tag}.png"'
    return response
