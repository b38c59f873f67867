import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 사업자등록번호 check digit: weights 1,3,7,1,3,7,1,3,5 over the first nine digits, plus the carry of
# (9th digit × 5) / 10; the tenth digit makes the sum a multiple of ten (국세청 사업자등록번호 체계).
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def business_number_digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def is_valid_business_number(value: str) -> bool:
    digits = business_number_digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    numbers = [int(d) for d in digits]
    total = sum(n * w for n, w in zip(numbers[:9], _BRN_WEIGHTS, strict=True))
    total += (numbers[8] * 5) // 10
    return (10 - total % 10) % 10 == numbers[9]


def format_business_number(value: str) -> str:
    """1234567890 → 123-45-67890"""
    digits = business_number_digits(value)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else value


def validate_business_number(value: str) -> None:
    if not is_valid_business_number(value):
        raise ValidationError(
            _("사업자등록번호가 올바르지 않습니다. 10자리 숫자와 검증번호를 확인해 주세요. 예: 123-45-67890"),
            code="invalid_business_number",
        )


_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def validate_hex_color(value: str) -> None:
    if not _HEX_COLOR.match(value or ""):
        raise ValidationError(_("색상은 #RRGGBB 형식으로 입력해 주세요. 예: #256EF4"), code="invalid_color")
