"""배송 설정 (staff, roles admin and logistics): the local area, which methods subscribers may choose, the
weekdays cold-chain boxes ship, holidays, and pickup points. Writes go through delivery.options; a refused
change is shown in Korean and nothing is saved."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from delivery import options
from delivery.models import DeliveryHoliday, PickupPoint
from delivery.options_forms import DeliverySettingsForm, HolidayForm, PickupPointForm
from municipalities.models import Role
from municipalities.permissions import roles_required
from municipalities.tenancy import get_for_tenant_or_404
from subscriptions.views.checkout import local_today

SETTINGS_ROLES = frozenset({Role.ADMIN, Role.LOGISTICS})


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("delivery:staff-settings", municipality_slug=request.municipality.slug)


def _page(request, *, form=None, holiday_form=None, status: int = 200) -> HttpResponse:
    municipality = request.municipality
    settings = options.settings_for(municipality=municipality)
    today = local_today(municipality)
    return render(
        request,
        "delivery/staff/settings.html",
        {
            "settings": settings,
            "form": form or DeliverySettingsForm(initial=DeliverySettingsForm.initial_from(settings)),
            "holiday_form": holiday_form or HolidayForm(),
            "holidays": DeliveryHoliday.objects.for_tenant(municipality).filter(date__gte=today).order_by("date"),
            "past_holidays": DeliveryHoliday.objects.for_tenant(municipality).filter(date__lt=today).count(),
            "points": PickupPoint.objects.for_tenant(municipality).order_by("-is_active", "name"),
        },
        status=status,
    )


@roles_required(SETTINGS_ROLES)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = DeliverySettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            options.delivery_settings_update(
                municipality=request.municipality,
                allow_local=data["allow_local"],
                allow_pickup=data["allow_pickup"],
                local_postcode_ranges=data["local_postcodes"],
                local_area_names=data["local_area_names"],
                cold_weekdays=data["cold_weekdays"],
                acting_user=request.user,
            )
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("배송 설정을 저장했습니다."))
            return _back(request)
    return _page(request, form=form, status=400)


@roles_required(SETTINGS_ROLES)
@require_POST
def holiday_add(request: HttpRequest) -> HttpResponse:
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            options.holiday_add(
                municipality=request.municipality,
                day=form.cleaned_data["day"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
            )
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("휴일을 추가했습니다. 보내지 않은 냉장·냉동 상자의 발송일을 다시 맞췄습니다."))
            return _back(request)
    return _page(request, holiday_form=form, status=400)


@roles_required(SETTINGS_ROLES)
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    holiday = get_for_tenant_or_404(DeliveryHoliday.objects.all(), municipality=request.municipality, pk=holiday_id)
    options.holiday_remove(holiday=holiday, acting_user=request.user)
    messages.success(request, _("%(name)s 휴일을 지웠습니다.") % {"name": holiday.name})
    return _back(request)


@roles_required(SETTINGS_ROLES)
@require_http_methods(["GET", "POST"])
def pickup_point_edit(request: HttpRequest, point_id: int | None = None) -> HttpResponse:
    municipality = request.municipality
    point = (
        get_for_tenant_or_404(PickupPoint.objects.all(), municipality=municipality, pk=point_id) if point_id else None
    )
    form = PickupPointForm(request.POST or None, instance=point) if request.method == "POST" else None
    if form is None:
        form = PickupPointForm(instance=point, initial=None if point else {"is_active": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = options.PickupPointData(
                name=form.cleaned_data["name"],
                address=form.cleaned_data["address"],
                hours=form.cleaned_data["hours"],
                is_active=form.cleaned_data["is_active"],
            )
            try:
                # The form's instance got the posted values; save from the stored row so a refusal leaves it.
                stored = PickupPoint.objects.get(pk=point.pk) if point else None
                options.pickup_point_save(municipality=municipality, data=data, point=stored, acting_user=request.user)
            except ValidationError as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("수령 장소를 저장했습니다."))
                return _back(request)
        status = 400
    return render(request, "delivery/staff/settings_pickup_point.html", {"form": form, "point": point}, status=status)
