"""Masking of personal data (개인정보보호법): one place, used by every page and export.

Roles that do not need a person's full details see them masked: 홍길동 → 홍*동, 010-1234-5678 →
010-****-5678, an address keeps its road/lot part and hides the detail. The rules follow common
Korean practice for masked display (개인정보의 안전성 확보조치 기준 해설서).
"""

import re


def mask_name(name: str) -> str:
    """홍길동 → 홍*동, 김철 → 김*, 남궁민수 → 남**수, John Smith → J*** S****."""
    name = (name or "").strip()
    if not name:
        return ""
    if re.fullmatch(r"[가-힣]+", name):
        if len(name) == 1:
            return name
        if len(name) == 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())


def mask_phone(phone: str) -> str:
    """010-1234-5678 → 010-****-5678; the middle group is hidden whatever the formatting."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 8:
        return "*" * len(digits)
    head, tail = digits[:3], digits[-4:]
    if digits.startswith("02"):
        head = digits[:2]
    middle_len = len(digits) - len(head) - len(tail)
    return f"{head}-{'*' * middle_len}-{tail}"


def mask_email(email: str) -> str:
    """hong.gildong@example.kr → ho*********@example.kr"""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return mask_name(local)
    visible = local[:2] if len(local) > 2 else local[:1]
    return f"{visible}{'*' * (len(local) - len(visible))}@{domain}"


def mask_address(address: str) -> str:
    """Keep the area up to the road or lot name, hide the building number and everything after it.

    서울특별시 종로구 세종대로 209 정부서울청사 3층 → 서울특별시 종로구 세종대로 ***
    """
    address = (address or "").strip()
    if not address:
        return ""
    words = address.split()
    kept: list[str] = []
    for word in words:
        if re.search(r"\d", word):
            break
        kept.append(word)
        if re.search(r"(로|길|동|리|가)$", word) and len(kept) >= 2:
            break
    if len(kept) == len(words):
        kept = words[: max(1, len(words) - 1)]
    return " ".join(kept) + " ***"
