"""CSV import and export of one merchant's products.

Import is all or nothing: every row is checked, every problem is reported with its row number, and
nothing is written unless all rows are valid. Rows are matched to existing products by 상품코드 (sku).
Files saved by Korean Excel are CP949; UTF-8 (with or without BOM) is accepted too.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bundles.models import ALL_MONTHS, Category, Merchant, Product, StorageClass, TaxType
from bundles.services import bundles_refresh_storage

COLUMNS = [
    ("sku", "상품코드"),
    ("name", "상품명"),
    ("description", "설명"),
    ("unit", "단위"),
    ("category", "분류"),
    ("storage_class", "보관"),
    ("supply_price_won", "공급가"),
    ("tax_type", "과세구분"),
    ("stock_per_cycle", "회차당수량"),
    ("season_months", "판매월"),
    ("is_active", "판매중"),
]
HEADER = [label for _field, label in COLUMNS]
REQUIRED = {"sku", "name", "unit", "category", "storage_class", "supply_price_won"}
MAX_ROWS = 2000
_YES = {"y", "yes", "예", "o", "1", "true", "판매"}
_NO = {"n", "no", "아니오", "x", "0", "false", "중지"}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def months_to_text(mask: int) -> str:
    if mask == ALL_MONTHS:
        return "연중"
    months = [m for m in range(1, 13) if mask & (1 << (m - 1))]
    return ",".join(str(m) for m in months)


def text_to_months(text: str) -> int:
    """'연중' → all months; '3-5,9' → March, April, May and September."""
    text = text.strip().replace(" ", "").replace("월", "")
    if text in {"", "연중", "전체"}:
        return ALL_MONTHS
    mask = 0
    for part in text.split(","):
        match = re.fullmatch(r"(\d{1,2})(?:[-~](\d{1,2}))?", part)
        if not match:
            raise ValueError(part)
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        if not (1 <= start <= 12 and 1 <= end <= 12):
            raise ValueError(part)
        month = start
        while True:  # 11-2 wraps over the new year
            mask |= 1 << (month - 1)
            if month == end:
                break
            month = month % 12 + 1
    return mask


def _choice(value: str, choices: type) -> str:
    value = value.strip()
    for choice in choices:
        if value in {choice.value, str(choice.label)}:
            return choice.value
    raise ValueError(value)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("파일의 문자 인코딩을 알 수 없습니다. UTF-8 또는 CP949(엑셀 기본) CSV로 저장해 주세요."))


def _parse_row(values: dict[str, str], line: int, errors: list[RowError]) -> dict | None:
    labels = dict(COLUMNS)
    parsed: dict = {}
    row_errors = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, labels[column], message))

    for column, _label in COLUMNS:
        raw = (values.get(column) or "").strip()
        if column in REQUIRED and not raw:
            fail(column, _("값이 비어 있습니다."))
            continue
        try:
            if column in {"supply_price_won", "stock_per_cycle"}:
                number = int(raw.replace(",", "")) if raw else 0
                if number < 0:
                    raise ValueError
                parsed[column] = number
            elif column == "category":
                parsed[column] = _choice(raw, Category)
            elif column == "storage_class":
                parsed[column] = _choice(raw, StorageClass)
            elif column == "tax_type":
                parsed[column] = _choice(raw, TaxType) if raw else TaxType.EXEMPT
            elif column == "season_months":
                parsed[column] = text_to_months(raw)
            elif column == "is_active":
                if raw.lower() in _YES or not raw:
                    parsed[column] = True
                elif raw.lower() in _NO:
                    parsed[column] = False
                else:
                    raise ValueError
            else:
                parsed[column] = raw
        except ValueError:
            hints = {
                "supply_price_won": _("0 이상의 정수(원)로 입력해 주세요."),
                "stock_per_cycle": _("0 이상의 정수로 입력해 주세요."),
                "category": _("다음 중 하나로 입력해 주세요: %(v)s") % {"v": ", ".join(str(c.label) for c in Category)},
                "storage_class": _("상온, 냉장, 냉동 중 하나로 입력해 주세요."),
                "tax_type": _("과세 또는 면세로 입력해 주세요."),
                "season_months": _("'연중' 또는 '3-5,9'처럼 월(1~12)을 입력해 주세요."),
                "is_active": _("Y 또는 N으로 입력해 주세요."),
            }
            fail(column, hints[column])
    return parsed if len(errors) == row_errors else None


def product_import_csv(*, merchant: Merchant, raw: bytes) -> ImportResult:
    """Validate every row, then create or update all products in one transaction — or none."""
    result = ImportResult()
    try:
        text = _decode(raw)
    except ValidationError as error:
        result.errors.append(RowError(0, "", error.messages[0]))
        return result
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    label_to_field = {label: f for f, label in COLUMNS} | {f: f for f, _label in COLUMNS}
    missing = [label for f, label in COLUMNS if f in REQUIRED and label not in header and f not in header]
    if missing:
        result.errors.append(RowError(1, "", _("필수 열이 없습니다: %(cols)s") % {"cols": ", ".join(missing)}))
        return result

    existing = {p.sku: p for p in Product.objects.filter(merchant=merchant)}
    seen: dict[str, int] = {}
    to_create: list[Product] = []
    to_update: list[Product] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if line - 1 > MAX_ROWS:
            result.errors.append(RowError(line, "", _("한 번에 %(n)d행까지 가져올 수 있습니다.") % {"n": MAX_ROWS}))
            break
        values = {label_to_field[h]: c for h, c in zip(header, cells, strict=False) if h in label_to_field}
        parsed = _parse_row(values, line, result.errors)
        if parsed is None:
            continue
        sku = parsed["sku"]
        if sku in seen:
            result.errors.append(RowError(line, "상품코드", _("%(row)d행과 상품코드가 같습니다.") % {"row": seen[sku]}))
            continue
        seen[sku] = line
        product = existing.get(sku) or Product(municipality_id=merchant.municipality_id, merchant=merchant)
        for name, value in parsed.items():
            setattr(product, name, value)
        try:
            product.full_clean(exclude=["photo", "merchant", "municipality"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                result.errors.append(RowError(line, dict(COLUMNS).get(name, name), " ".join(messages)))
            continue
        (to_update if product.pk else to_create).append(product)

    if result.errors:
        return result
    with transaction.atomic():
        Product.objects.bulk_create(to_create)
        Product.objects.bulk_update(to_update, [f for f, _label in COLUMNS if f != "sku"])
        bundles_refresh_storage(product_ids=[p.pk for p in to_update])
    result.created, result.updated = len(to_create), len(to_update)
    return result


def product_export_csv(*, merchant: Merchant) -> str:
    """The same columns the import reads, UTF-8 with BOM so Excel shows the Korean."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for p in Product.objects.filter(merchant=merchant).order_by("sku"):
        writer.writerow(
            [
                p.sku,
                p.name,
                p.description,
                p.unit,
                p.get_category_display(),
                p.get_storage_class_display(),
                p.supply_price_won,
                p.get_tax_type_display(),
                p.stock_per_cycle,
                months_to_text(p.season_months),
                "Y" if p.is_active else "N",
            ]
        )
    return buffer.getvalue()
