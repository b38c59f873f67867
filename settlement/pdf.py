"""Statement PDFs: rendered after a close by parallel Celery tasks (a chunk of statements each), stored
under the default storage (never served as media: only the portal and staff views hand them out, after
checking who asks) with their SHA-256.

Rendering is deterministic: the PDF's dates are the statement's issue date and its file identifier is
the statement's number, so the same statement always gives the same bytes (`statement_pdf_bytes`), and
a closed statement's stored file never changes. The totals come from settlement.selectors, as on the
web page."""

import hashlib
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from settlement import selectors
from settlement.models import SettlementPeriod, Statement

FONT_DIR = Path("pretendard-gov/dist/public/static")
CHUNK_SIZE = 25


def _fonts() -> dict[str, str]:
    root = Path(settings.NODE_MODULES) / FONT_DIR
    return {
        "font_regular": (root / "PretendardGOV-Regular.otf").as_uri(),
        "font_bold": (root / "PretendardGOV-Bold.otf").as_uri(),
    }


def _logo_uri(municipality) -> str:
    """The municipality's logo as a file:// URL, or '' (the PDF then prints the name alone)."""
    if not municipality.logo:
        return ""
    try:
        path = Path(municipality.logo.path)
    except NotImplementedError:  # a storage without local paths
        return ""
    return path.as_uri() if path.is_file() else ""


def statement_pdf_context(statement: Statement) -> dict:
    municipality = statement.municipality
    return {
        "statement": statement,
        "period": statement.period,
        "municipality": municipality,
        "logo_uri": _logo_uri(municipality),
        "summary": selectors.statement_summary(statement),
        "sections": selectors.statement_sections(statement),
        "issued_iso": timezone.localtime(statement.issued_at).isoformat(timespec="seconds"),
        **_fonts(),
    }


def statement_pdf_html(statement: Statement) -> str:
    return render_to_string("settlement/pdf/statement.html", statement_pdf_context(statement))


def html_to_pdf(html: str, *, identifier: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and its fonts, which no page needs.
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_identifier=identifier.encode())


def statement_pdf_bytes(statement: Statement) -> bytes:
    """The statement's PDF; the same statement gives the same bytes on every render."""
    identifier = f"kkureomi-statement-{statement.municipality_id}-{statement.number}"
    return html_to_pdf(statement_pdf_html(statement), identifier=identifier)


def statement_pdf_name(statement: Statement) -> str:
    return f"settlement/statements/{statement.municipality_id}/{statement.period.label}/{statement.number:06d}.pdf"


def statement_pdf_store(*, statement_id: int) -> bool:
    """Render and store one statement's PDF unless it already has one. Returns whether it rendered.
    Safe to run twice at once: both would write the same bytes, and only the first fills the fields."""
    statement = Statement.objects.select_related("period", "municipality").get(pk=statement_id)
    if statement.pdf_sha256:
        return False
    data = statement_pdf_bytes(statement)
    name = statement_pdf_name(statement)
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(data))
    updated = Statement.objects.filter(pk=statement.pk, pdf_sha256="").update(
        pdf=stored, pdf_sha256=hashlib.sha256(data).hexdigest(), pdf_rendered_at=timezone.now()
    )
    return bool(updated)


def statement_pdf_open(statement: Statement):
    """The stored PDF (a binary file object), or None when it is not rendered yet."""
    if not statement.pdf_sha256 or not statement.pdf or not default_storage.exists(statement.pdf.name):
        return None
    return default_storage.open(statement.pdf.name, "rb")


def statement_pdf_verify(statement: Statement) -> bool:
    """Whether the stored file still has its recorded checksum."""
    handle = statement_pdf_open(statement)
    if handle is None:
        return False
    with handle:
        return hashlib.sha256(handle.read()).hexdigest() == statement.pdf_sha256


def statements_pdf_render(*, statement_ids: Sequence[int]) -> int:
    """Render a chunk (what one task does). Returns how many were rendered now."""
    return sum(statement_pdf_store(statement_id=pk) for pk in statement_ids)


def period_pdf_chunks(*, period: SettlementPeriod, chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    """The period's statements without a PDF yet, in chunks of ids."""
    ids = list(Statement.objects.filter(period=period, pdf_sha256="").order_by("number").values_list("pk", flat=True))
    return [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]


def period_pdfs_start(*, period: SettlementPeriod) -> int:
    """Queue one render task per chunk of the period's missing PDFs, once the transaction commits (the
    statements must be visible to the workers). Returns how many statements were queued; calling it
    again queues only what is still missing (a task finds a rendered statement and skips it)."""
    from settlement.tasks_pdf import statements_pdf_render_task

    chunks = period_pdf_chunks(period=period)

    def queue() -> None:
        for chunk in chunks:
            statements_pdf_render_task.delay(chunk)

    transaction.on_commit(queue)
    return sum(len(chunk) for chunk in chunks)
