"""The merchant's and the tourism partner's statements, in large plain Korean and printable: the list
(django-tables2, with CSV), one statement with its lines, its PDF and its lines as CSV.

Only a person bound to a merchant (bundles.selectors.merchant_for_user) or a partner
(tourism.selectors.partner_for_user) of this municipality gets in; another party's statement, or another
municipality's, is a 404 (the statement is looked up with the viewer's own party id)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from bundles.exports import table_csv_response
from bundles.selectors import merchant_for_user
from municipalities.models import Role
from municipalities.permissions import roles_required
from settlement import selectors
from settlement.statements import statements_of_merchant, statements_of_partner
from settlement.tables import StatementTable
from settlement.views._common import statement_context, statement_csv_response, statement_pdf_response
from tourism.selectors import partner_for_user


@dataclass(frozen=True)
class Portal:
    kind: str  # "merchant" or "partner"
    party_for_user: Callable
    statements_of: Callable
    statement_or_404: Callable
    home_url_name: str

    def party(self, request: HttpRequest):
        party = self.party_for_user(municipality=request.municipality, user=request.user)
        if party is None:
            raise Http404(_("연결된 가게가 없습니다."))
        return party

    def url_name(self, page: str) -> str:
        return f"settlement:{self.kind}-{page}"

    def urls(self, request: HttpRequest, statement) -> dict[str, str]:
        slug = request.municipality.slug
        one = {"municipality_slug": slug, "statement_id": statement.pk}
        return {
            "list": reverse(self.url_name("statements"), kwargs={"municipality_slug": slug}),
            "pdf": reverse(self.url_name("statement-pdf"), kwargs=one),
            "csv": reverse(self.url_name("statement-csv"), kwargs=one),
        }


MERCHANT = Portal(
    kind="merchant",
    party_for_user=merchant_for_user,
    statements_of=lambda *, municipality, party: statements_of_merchant(
        municipality=municipality, merchant_id=party.pk
    ),
    statement_or_404=lambda *, municipality, party, statement_id: selectors.merchant_statement_or_404(
        municipality=municipality, merchant_id=party.pk, statement_id=statement_id
    ),
    home_url_name="bundles:merchant-home",
)
PARTNER = Portal(
    kind="partner",
    party_for_user=partner_for_user,
    statements_of=lambda *, municipality, party: statements_of_partner(municipality=municipality, partner_id=party.pk),
    statement_or_404=lambda *, municipality, party, statement_id: selectors.partner_statement_or_404(
        municipality=municipality, partner_id=party.pk, statement_id=statement_id
    ),
    home_url_name="tourism:partner-home",
)


def _statement_list(request: HttpRequest, portal: Portal) -> HttpResponse:
    party = portal.party(request)
    table = StatementTable(
        portal.statements_of(municipality=request.municipality, party=party),
        municipality_slug=request.municipality.slug,
        detail_url_name=portal.url_name("statement"),
        pdf_url_name=portal.url_name("statement-pdf"),
        show_party=False,
    )
    if request.GET.get("export") == "csv":
        return table_csv_response(table, _("%(name)s_정산서_목록.csv") % {"name": party.name})
    RequestConfig(request, paginate={"per_page": 24}).configure(table)
    return render(
        request,
        "settlement/portal/statements.html",
        {"party": party, "table": table, "portal": portal},
    )


def _statement_detail(request: HttpRequest, portal: Portal, statement_id: int, fmt: str = "") -> HttpResponse:
    party = portal.party(request)
    statement = portal.statement_or_404(municipality=request.municipality, party=party, statement_id=statement_id)
    if fmt == "pdf":
        return statement_pdf_response(statement)
    if fmt == "csv":
        return statement_csv_response(statement)
    return render(
        request,
        "settlement/portal/statement.html",
        {**statement_context(statement), "party": party, "portal": portal, "urls": portal.urls(request, statement)},
    )


@roles_required({Role.MERCHANT})
@require_GET
def merchant_statements(request: HttpRequest) -> HttpResponse:
    return _statement_list(request, MERCHANT)


@roles_required({Role.MERCHANT})
@require_GET
def merchant_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, MERCHANT, statement_id)


@roles_required({Role.MERCHANT})
@require_GET
def merchant_statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, MERCHANT, statement_id, "pdf")


@roles_required({Role.MERCHANT})
@require_GET
def merchant_statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, MERCHANT, statement_id, "csv")


@roles_required({Role.PARTNER})
@require_GET
def partner_statements(request: HttpRequest) -> HttpResponse:
    return _statement_list(request, PARTNER)


@roles_required({Role.PARTNER})
@require_GET
def partner_statement(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, PARTNER, statement_id)


@roles_required({Role.PARTNER})
@require_GET
def partner_statement_pdf(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, PARTNER, statement_id, "pdf")


@roles_required({Role.PARTNER})
@require_GET
def partner_statement_csv(request: HttpRequest, statement_id: int) -> HttpResponse:
    return _statement_detail(request, PARTNER, statement_id, "csv")
