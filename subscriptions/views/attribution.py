"""Staff: where subscribers come from (kiosks, campaign links, other `?src=` tags), over a chosen period.

Open to every staff role of the municipality; the numbers are counts and won, nothing about a person.
`?export=csv` downloads the same rows.
"""

from datetime import timedelta

import django_tables2 as tables
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from bundles.tables import WonColumn
from core.tables import KrdsTable
from municipalities.permissions import staff_required
from subscriptions import clock
from subscriptions.attribution import SourceRow, attribution_report

# The periods staff may choose, in days; "" is everything since the first visit.
PERIODS = [
    ("", gettext_lazy("전체 기간")),
    ("7", gettext_lazy("최근 7일")),
    ("30", gettext_lazy("최근 30일")),
    ("90", gettext_lazy("최근 90일")),
]
KIND_LABELS = {
    "kiosk": gettext_lazy("키오스크"),
    "campaign": gettext_lazy("캠페인 링크"),
    "other": gettext_lazy("기타 태그"),
}
NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class AttributionTable(KrdsTable):
    kind = tables.Column(verbose_name=gettext_lazy("구분"), attrs={"td": {"class": "attribution-kind"}})
    label = tables.Column(verbose_name=gettext_lazy("유입 경로"))
    source = tables.Column(verbose_name=gettext_lazy("유입 태그"))
    visits = tables.Column(verbose_name=gettext_lazy("방문(스캔)"), attrs=NUM)
    subscriptions = tables.Column(verbose_name=gettext_lazy("구독 시작"), attrs=NUM)
    conversion = tables.Column(
        verbose_name=gettext_lazy("전환율"), attrs=NUM, accessor="conversion_bp", empty_values=(), orderable=False
    )
    revenue_won = WonColumn(verbose_name=gettext_lazy("결제 금액"))

    class Meta(KrdsTable.Meta):
        per_page = 100
        orderable = False

    def render_kind(self, value: str) -> str:
        return str(KIND_LABELS[value])

    def value_kind(self, value: str) -> str:
        return str(KIND_LABELS[value])

    def render_label(self, record: SourceRow, value: str) -> str:
        return f"{value} ({record.place})" if record.place else value

    def render_conversion(self, record: SourceRow) -> str:
        return record.conversion_text

    def value_conversion(self, record: SourceRow) -> str:
        return record.conversion_text


@staff_required
@require_GET
def staff_attribution(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "")
    if period not in dict(PERIODS):
        period = ""
    since = clock.now() - timedelta(days=int(period)) if period else None
    rows = attribution_report(municipality=request.municipality, since=since)
    table = AttributionTable(rows)
    if request.GET.get("export") == "csv":
        RequestConfig(request, paginate=False).configure(table)
        return table_csv_response(table, _("유입 성과.csv"))
    RequestConfig(request).configure(table)
    totals = {
        "visits": sum(row.visits for row in rows),
        "subscriptions": sum(row.subscriptions for row in rows),
        "revenue_won": sum(row.revenue_won for row in rows),
    }
    return render(
        request,
        "subscriptions/staff/attribution.html",
        {
            "table": table,
            "periods": PERIODS,
            "period": period,
            "totals": totals,
            "export_url": f"?period={period}&export=csv",
        },
    )
