"""Packing slips: one PDF for a cycle, one page per box (WeasyPrint with the Hangul font embedded).

A page carries what the packer and the recipient need: the contents, the recipient and address, the
delivery memo, the delivery method (and pickup point), a cold-chain flag in words, a QR code that opens
the box's status page, and the box's tourism coupons (code and QR) when it has any.

A cycle of thousands of boxes renders in parallel: `slip_batch_start` fixes the boxes in page order
and splits them into chunks (SlipChunk); each chunk is rendered by its own Celery task into storage;
the last chunk to finish queues the merge (pypdf) into one file, kept under the default storage and
served to staff only through a view. Rendering a chunk costs a fixed number of queries whatever its
size (slip_boxes). Every step is safe to run twice: a rendered chunk is not counted again, a merged
batch is not merged again.
"""

import base64
import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from delivery.links import shipment_status_url
from delivery.models import Shipment, SlipBatch, SlipChunk
from delivery.packing import items_prefetch, shipments_in_packing_order
from kiosk.qr import qr_png
from municipalities.models import Municipality
from subscriptions import clock
from subscriptions.models import DeliveryCycle
from tourism.codes import format_code
from tourism.qr import coupon_url
from tourism.selectors import coupons_for_shipments

# Boxes per rendering task: ~250 pages is about a minute of one worker, and a cycle of 5,000 boxes
# becomes 20 tasks that spread over every worker.
SLIP_CHUNK_SIZE = 250
# Slips are printed for boxes still to leave or on their way; returned and lost boxes are not.
SLIP_STATUSES = (Shipment.Status.PENDING, Shipment.Status.PACKED, Shipment.Status.SHIPPED)
FONT_DIR = Path("pretendard-gov/dist/public/static")
STORAGE_DIR = "private/delivery-slips"


class SlipBatchNotPossible(Exception):
    """The cycle has no boxes to print."""


@dataclass(frozen=True)
class SlipLine:
    product_name: str
    unit: str
    quantity: int


@dataclass(frozen=True)
class SlipCoupon:
    title: str
    partner: str
    code: str
    expires_at: datetime
    qr: str


@dataclass
class SlipBox:
    shipment: Shipment
    position: int
    lines: list[SlipLine]
    status_url: str
    qr: str
    coupons: list[SlipCoupon] = field(default_factory=list)

    @property
    def order(self):
        return self.shipment.order


def _png_uri(data: str, *, box_size: int = 6) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data, box_size=box_size)).decode("ascii")


def slip_boxes(*, municipality: Municipality, shipment_ids: Sequence[int], first_position: int = 1) -> list[SlipBox]:
    """The boxes of `shipment_ids` (of `municipality` only) with everything a slip shows, in the given
    order, numbered from `first_position`. Three queries (boxes, items, coupons) whatever the number."""
    ids = list(shipment_ids)
    shipments = {
        s.pk: s
        for s in Shipment.objects.filter(municipality_id=municipality.pk, pk__in=ids)
        .select_related("order", "pickup_point", "cycle")
        .prefetch_related(items_prefetch())
    }
    coupons = coupons_for_shipments(municipality=municipality, shipment_ids=list(shipments))
    boxes = []
    for offset, pk in enumerate(pk for pk in ids if pk in shipments):
        shipment = shipments[pk]
        url = shipment_status_url(municipality_slug=municipality.slug, shipment_id=pk)
        boxes.append(
            SlipBox(
                shipment=shipment,
                position=first_position + offset,
                lines=[
                    SlipLine(item.product_name, item.product.unit, item.quantity) for item in shipment.order.items.all()
                ],
                status_url=url,
                qr=_png_uri(url),
                coupons=[
                    SlipCoupon(
                        title=coupon.offer.title,
                        partner=coupon.offer.partner.name,
                        code=format_code(coupon.code),
                        expires_at=coupon.expires_at,
                        # The partner's phone camera opens the redeem screen for this code (tourism.qr).
                        qr=_png_uri(coupon_url(coupon, municipality_slug=municipality.slug), box_size=4),
                    )
                    for coupon in coupons.get(pk, [])
                ],
            )
        )
    return boxes


def _fonts() -> dict[str, str]:
    root = Path(settings.NODE_MODULES) / FONT_DIR
    return {
        "font_regular": (root / "PretendardGOV-Regular.otf").as_uri(),
        "font_bold": (root / "PretendardGOV-Bold.otf").as_uri(),
    }


def slips_pdf(
    *,
    municipality: Municipality,
    shipment_ids: Sequence[int],
    paper: str = SlipBatch.Paper.A4,
    first_position: int = 1,
    total: int | None = None,
) -> bytes:
    """One PDF with a page for each box of `shipment_ids`, in that order. `first_position` and `total`
    number the pages of a chunk as in the whole cycle ("상자 251 / 5,000"), so chunks merged give the
    same pages as one render of all boxes."""
    from weasyprint import HTML

    boxes = slip_boxes(municipality=municipality, shipment_ids=shipment_ids, first_position=first_position)
    context = {
        **_fonts(),
        "municipality": municipality,
        "boxes": boxes,
        "total": total if total is not None else len(boxes),
        "paper": paper,
    }
    # Slips are read by the packer and the recipient in Korean, whatever language the request used.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("delivery/pdf/slips.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# --- Batches ---------------------------------------------------------------------------------------------------
def slip_shipment_ids(*, cycle: DeliveryCycle) -> list[int]:
    """The boxes of `cycle` that get a slip, in page order (packing order)."""
    return list(shipments_in_packing_order(cycle=cycle, statuses=SLIP_STATUSES).values_list("pk", flat=True))


@transaction.atomic
def slip_batch_start(
    *,
    cycle: DeliveryCycle,
    acting_user: User | None,
    paper: str = SlipBatch.Paper.A4,
    chunk_size: int = SLIP_CHUNK_SIZE,
) -> SlipBatch:
    """Start rendering the slips of `cycle`: fix its boxes, split them into chunks of `chunk_size` and
    queue one task per chunk after commit. The cycle row is locked, so two clicks never start two
    batches: while one is still rendering it is returned instead. Raises SlipBatchNotPossible when the
    cycle has no box to print."""
    DeliveryCycle.objects.select_for_update().filter(pk=cycle.pk).first()
    running = (
        SlipBatch.objects.filter(municipality_id=cycle.municipality_id, cycle_id=cycle.pk, status__in=SlipBatch.ACTIVE)
        .order_by("-pk")
        .first()
    )
    if running is not None:
        return running
    ids = slip_shipment_ids(cycle=cycle)
    if not ids:
        raise SlipBatchNotPossible
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    batch = SlipBatch.objects.create(
        municipality_id=cycle.municipality_id,
        cycle=cycle,
        paper=paper,
        total=len(ids),
        chunks_total=len(chunks),
        requested_by=acting_user,
    )
    made = SlipChunk.objects.bulk_create(
        SlipChunk(municipality_id=cycle.municipality_id, batch=batch, index=index, shipment_ids=chunk)
        for index, chunk in enumerate(chunks)
    )
    chunk_ids = [chunk.pk for chunk in made]

    def queue() -> None:
        from delivery.tasks import slip_chunk_render_task

        for chunk_id in chunk_ids:
            slip_chunk_render_task.delay(chunk_id)

    transaction.on_commit(queue)
    return batch


def _store(prefix: str, data: bytes) -> str:
    """Write `data` under a name of its own: a task run twice (acks_late) never overwrites or deletes
    the file the other run recorded; the run that loses the race removes only its own file."""
    return default_storage.save(f"{prefix}-{uuid.uuid4().hex[:12]}.pdf", ContentFile(data))


def slip_chunk_render(*, chunk_id: int) -> None:
    """Render one chunk into storage and count its boxes as done. The render runs outside any
    transaction (it takes a while); recording it locks the batch, so exactly one finisher sees the last
    chunk done and queues the merge. A chunk already done, or of a failed batch, is left alone."""
    chunk = SlipChunk.objects.select_related("batch__municipality").get(pk=chunk_id)
    batch = chunk.batch
    if chunk.done_at is not None or batch.status != SlipBatch.Status.RENDERING:
        return
    position = 1 + sum(
        len(ids)
        for ids in SlipChunk.objects.filter(batch_id=batch.pk, index__lt=chunk.index).values_list(
            "shipment_ids", flat=True
        )
    )
    pdf = slips_pdf(
        municipality=batch.municipality,
        shipment_ids=chunk.shipment_ids,
        paper=batch.paper,
        first_position=position,
        total=batch.total,
    )
    name = _store(f"{STORAGE_DIR}/{chunk.municipality_id}/batch-{batch.pk}/chunk-{chunk.index:04d}", pdf)
    with transaction.atomic():
        locked_batch = SlipBatch.objects.select_for_update().get(pk=batch.pk)
        locked = SlipChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.done_at is not None or locked_batch.status != SlipBatch.Status.RENDERING:
            default_storage.delete(name)
            return
        locked.file, locked.done_at = name, clock.now()
        locked.save(update_fields=["file", "done_at"])
        SlipBatch.objects.filter(pk=batch.pk).update(
            done=F("done") + len(chunk.shipment_ids), chunks_done=F("chunks_done") + 1
        )
        if locked_batch.chunks_done + 1 == locked_batch.chunks_total:
            SlipBatch.objects.filter(pk=batch.pk).update(status=SlipBatch.Status.MERGING)

            def queue() -> None:
                from delivery.tasks import slip_batch_merge_task

                slip_batch_merge_task.delay(batch.pk)

            transaction.on_commit(queue)


def slip_batch_merge(*, batch_id: int) -> SlipBatch:
    """Join the chunks in order into one PDF, store it with its SHA-256 and finish the batch; the chunk
    files are then removed. The batch row stays locked while merging, so a second run waits and then
    finds the batch done and returns it as it is."""
    from pypdf import PdfWriter

    with transaction.atomic():
        batch = SlipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != SlipBatch.Status.MERGING:
            return batch
        chunks = list(SlipChunk.objects.filter(batch_id=batch.pk).order_by("index"))
        writer = PdfWriter()
        for chunk in chunks:
            with default_storage.open(chunk.file, "rb") as part:
                writer.append(io.BytesIO(part.read()))
        output = io.BytesIO()
        writer.write(output)
        data = output.getvalue()
        batch.file = _store(
            f"{STORAGE_DIR}/{batch.municipality_id}/slips-cycle-{batch.cycle_id}-batch-{batch.pk}", data
        )
        batch.checksum = hashlib.sha256(data).hexdigest()
        batch.status, batch.finished_at = SlipBatch.Status.DONE, clock.now()
        batch.save(update_fields=["file", "checksum", "status", "finished_at"])
    for chunk in chunks:
        default_storage.delete(chunk.file)
    return batch


def slip_batch_fail(*, batch_id: int, error: str) -> None:
    """Record why a batch could not be made; staff start a new one from the page."""
    SlipBatch.objects.filter(pk=batch_id, status__in=SlipBatch.ACTIVE).update(
        status=SlipBatch.Status.FAILED, error=error[:500], finished_at=clock.now()
    )


def slip_batch_file(batch: SlipBatch):
    """The merged PDF, opened for reading (the caller closes it)."""
    return default_storage.open(batch.file, "rb")
