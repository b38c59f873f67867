import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# 010 is the only mobile prefix issued today; 011/016/017/018/019 numbers still exist (010-1234-5678).
_MOBILE = re.compile(r"^01[016789]-?\d{3,4}-?\d{4}$")


def normalize_korean_mobile(value: str) -> str:
    """Return the number as 010-1234-5678 (digits grouped by hyphens), whatever the input spacing."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def validate_korean_mobile(value: str) -> None:
    if not _MOBILE.match(re.sub(r"[\s.]", "", value)):
        raise ValidationError(_("휴대전화 번호 형식이 올바르지 않습니다. 예: 010-1234-5678"), code="invalid_mobile")
