"""What the settlement pages share: the statement's CSV and PDF responses, and its page context. A PDF
goes out only through these views (after the caller checked who asks), never as a media URL."""

import csv
import io
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _

from settlement import pdf, selectors
from settlement.models import Statement

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text cell a spreadsheet would read as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename=\"download\"; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def statement_context(statement: Statement) -> dict:
    return {
        "statement": statement,
        "period": statement.period,
        "summary": selectors.statement_summary(statement),
        "sections": selectors.statement_sections(statement),
        "payout": selectors.statement_payout(statement=statement),
    }


def statement_filename(statement: Statement, extension: str) -> str:
    return _("정산서_%(period)s_%(number)s_%(name)s.%(ext)s") % {
        "period": statement.period.label,
        "number": statement.number,
        "name": statement.party_name,
        "ext": extension,
    }


def statement_pdf_response(statement: Statement) -> FileResponse:
    handle = pdf.statement_pdf_open(statement)
    if handle is None:
        raise Http404(_("정산서 PDF를 아직 만드는 중입니다."))
    response = FileResponse(handle, content_type="application/pdf")
    attachment(response, statement_filename(statement, "pdf"))
    response["X-Statement-SHA256"] = statement.pdf_sha256
    return response


CSV_COLUMNS = ["일자", "구분", "주문·쿠폰", "꾸러미", "상품", "과세 구분", "수량", "공급 단가", "금액", "적요"]
TAX_LABELS = {"exempt": "면세", "taxable": "과세"}


def statement_csv_response(statement: Statement) -> HttpResponse:
    """The statement's lines, one row each (money as plain won), then its totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_(column) for column in CSV_COLUMNS])
    for section in selectors.statement_sections(statement):
        for line in section.lines:
            writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        f"{line.occurred_at:%Y-%m-%d}",
                        line.get_kind_display(),
                        selectors.line_source(line),
                        line.bundle_name,
                        line.product_name,
                        _(TAX_LABELS[line.tax_type]) if line.tax_type in TAX_LABELS else "",
                        "" if line.quantity is None else line.quantity,
                        "" if line.unit_supply_price_won is None else line.unit_supply_price_won,
                        line.amount_won,
                        line.memo,
                    )
                ]
            )
    response = HttpResponse(BOM + out.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, statement_filename(statement, "csv"))
