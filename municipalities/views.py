from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from core import privacy
from municipalities import selectors, staff_ui
from municipalities.models import Role
from municipalities.permissions import can_view_personal_data, roles_required, staff_required
from municipalities.services import personal_data_access_record
from municipalities.tables import MembershipTable, PersonalDataAccessTable


def platform_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "municipalities/platform_home.html",
        {
            "municipalities": selectors.municipality_list_active(),
        },
    )


@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    role_counts = (
        selectors.membership_list(municipality=request.municipality)
        .order_by()
        .values("role")
        .annotate(count=Count("pk"))
    )
    counts = {row["role"]: row["count"] for row in role_counts}
    return render(
        request,
        "municipalities/staff/home.html",
        {
            "role_counts": [(label, counts.get(value, 0)) for value, label in Role.choices],
            "widgets": staff_ui.widgets_for(request),
        },
    )


@staff_required
def staff_members(request: HttpRequest) -> HttpResponse:
    table = MembershipTable(
        selectors.membership_list(municipality=request.municipality),
        show_personal_data=can_view_personal_data(request),
    )
    RequestConfig(request).configure(table)
    return render(request, "municipalities/staff/members.html", {"table": table})


@staff_required
def staff_member_detail(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(municipality=request.municipality, membership_id=membership_id)
    person = membership.user
    full_view = can_view_personal_data(request)
    if full_view:
        personal_data_access_record(
            request=request,
            municipality=request.municipality,
            subject=person,
            subject_label=f"{privacy.mask_name(person.name)} (#{person.pk})",
            purpose=_("구성원 정보 조회"),
        )
    return render(
        request,
        "municipalities/staff/member_detail.html",
        {
            "membership": membership,
            "person": person,
            "full_view": full_view,
        },
    )


@roles_required({Role.ADMIN})
def staff_access_log(request: HttpRequest) -> HttpResponse:
    table = PersonalDataAccessTable(selectors.personal_data_access_list(municipality=request.municipality))
    RequestConfig(request).configure(table)
    return render(request, "municipalities/staff/access_log.html", {"table": table})
