"""CSV downloads of staff lists: the table's own columns, every filtered row (not one page), Excel-ready."""

import csv
from urllib.parse import quote

from django.http import HttpResponse
from django_tables2 import Table

# Excel opens a UTF-8 file as Korean text only when it starts with a byte order mark.
BOM = "\ufeff"
# A cell starting with one of these is read as a formula by spreadsheets (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_download(content: str, filename: str) -> HttpResponse:
    """A CSV attachment; the Korean file name goes in filename* (RFC 6266) with an ASCII fallback."""
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(filename)}"
    return response


def table_csv_response(table: Table, filename: str) -> HttpResponse:
    """Every row of `table` (its filtered and sorted data, ignoring pagination) as a CSV download."""
    response = csv_download("", filename)
    response.write(BOM)
    writer = csv.writer(response)
    for row in table.as_values():
        writer.writerow([_safe_cell(cell) for cell in row])
    return response
