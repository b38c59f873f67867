"""Helpers shared by the staff catalog pages and the bundle composer."""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django_filters import FilterSet
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from bundles.models import Bundle
from bundles.tables import CatalogTable


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
