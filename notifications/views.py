"""The subscriber's 알림 설정 page and the staff message log. Thin: selectors read, services write."""

import csv
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from core import privacy
from municipalities.permissions import can_view_personal_data, roles_required
from municipalities.services import personal_data_access_record
from municipalities.tenancy import get_for_tenant_or_404
from notifications import selectors, services
from notifications.filters import MessageFilter
from notifications.forms import PreferenceForm
from notifications.models import Message
from notifications.tables import MessageTable, masked_address
from notifications.ui import LOG_ROLES


# --- The subscriber ------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def my_notifications(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    if municipality is None:
        raise Http404
    preference = selectors.preference_get(municipality=municipality, user=request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preference_set(
                    municipality=municipality,
                    user=request.user,
                    email_enabled=form.cleaned_data["email_enabled"],
                    sms_enabled=form.cleaned_data["sms_enabled"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("알림 받을 방법을 저장했습니다."))
                return redirect("notifications:my", municipality_slug=municipality.slug)
    else:
        form = PreferenceForm(
            initial={"email_enabled": preference.email_enabled, "sms_enabled": preference.sms_enabled}
        )
    return render(
        request,
        "notifications/my_notifications.html",
        {"form": form, "received": _by_event(selectors.my_messages(municipality=municipality, user=request.user))},
    )


def _by_event(received) -> list[dict]:
    """One entry per event (its e-mail and 알림톡 carry the same text), newest first, with each channel's status."""
    entries: dict[str, dict] = {}
    for message in received:
        entry = entries.setdefault(
            message.event_key,
            {"subject": message.subject, "body": message.body, "created_at": message.created_at, "channels": []},
        )
        entry["channels"].append(
            _("%(channel)s %(status)s")
            % {"channel": message.get_channel_display(), "status": message.get_status_display()}
        )
    return list(entries.values())


# --- Staff -----------------------------------------------------------------------------------------------------
@roles_required(LOG_ROLES)
def staff_messages(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    full_view = can_view_personal_data(request)
    filterset = MessageFilter(request.GET or None, queryset=selectors.staff_messages(municipality=municipality))
    table = MessageTable(filterset.qs, municipality_slug=municipality.slug, show_personal_data=full_view)
    if request.GET.get("export") == "csv":
        return _messages_csv(request, table, full_view=full_view)
    RequestConfig(request).configure(table)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    export_query["export"] = "csv"
    return render(
        request,
        "notifications/staff/message_list.html",
        {"filter": filterset, "table": table, "export_query": export_query.urlencode(), "full_view": full_view},
    )


# Excel opens a UTF-8 file as Korean text only when it starts with a byte order mark.
_BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheets (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _messages_csv(request: HttpRequest, table: MessageTable, *, full_view: bool) -> HttpResponse:
    """Every filtered message (not one page) as on screen. A file with full recipients is a download of
    personal data: each person in it gets one 접속기록 row."""
    municipality = request.municipality
    RequestConfig(request, paginate=False).configure(table)
    filename = f"notifications-{municipality.slug}-{timezone.localdate():%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(filename)}"
    response.write(_BOM)
    writer = csv.writer(response)
    for row in table.as_values():
        writer.writerow(["'" + c if isinstance(c, str) and c.startswith(_FORMULA_STARTS) else c for c in row])
    if full_view:
        people = {message.user_id: message for message in table.data if message.user_id}
        for message in people.values():
            _record_access(request, message, purpose=_("알림 발송 기록 내려받기"))
    return response


def _record_access(request: HttpRequest, message: Message, *, purpose: str) -> None:
    from accounts.models import User

    personal_data_access_record(
        request=request,
        municipality=request.municipality,
        subject=User(pk=message.user_id),
        subject_label=f"{privacy.mask_name(message.recipient_name)} (#{message.user_id})",
        purpose=purpose,
    )


@roles_required(LOG_ROLES)
def staff_message(request: HttpRequest, message_id: int) -> HttpResponse:
    municipality = request.municipality
    message = get_for_tenant_or_404(
        selectors.staff_messages(municipality=municipality), municipality=municipality, pk=message_id
    )
    full_view = can_view_personal_data(request)
    if full_view and message.user_id:
        _record_access(request, message, purpose=_("알림 발송 기록 조회"))
    return render(
        request,
        "notifications/staff/message_detail.html",
        {
            "message": message,
            "full_view": full_view,
            "recipient_name": message.recipient_name if full_view else privacy.mask_name(message.recipient_name),
            "address": message.address if full_view else masked_address(message),
        },
    )
