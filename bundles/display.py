"""How catalog values are shown to people: payout accounts masked, bank codes named, months spelled out.

A merchant's payout account is shown in full only to finance staff (bundles.roles.BANK_ACCOUNT_ROLES);
everyone else, the merchant included, sees every digit but the last four hidden, with the separators kept
so the shape of the number stays recognisable: 302-1234-5678-91 → ***-****-**78-91.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bundles.models import Merchant
from core import privacy

# 금융결제원 bank codes of the banks merchants use most (표준 은행코드).
BANKS: dict[str, str] = {
    "002": "KDB산업은행",
    "003": "IBK기업은행",
    "004": "KB국민은행",
    "007": "수협은행",
    "011": "NH농협은행",
    "012": "지역농·축협",
    "020": "우리은행",
    "023": "SC제일은행",
    "027": "한국씨티은행",
    "031": "iM뱅크(대구)",
    "032": "부산은행",
    "034": "광주은행",
    "035": "제주은행",
    "037": "전북은행",
    "039": "경남은행",
    "045": "새마을금고",
    "048": "신협",
    "050": "저축은행",
    "071": "우체국",
    "081": "하나은행",
    "088": "신한은행",
    "089": "케이뱅크",
    "090": "카카오뱅크",
    "092": "토스뱅크",
}
VISIBLE_DIGITS = 4


def mask_account_number(number: str) -> str:
    """Hide every digit but the last four, keeping hyphens and spaces: 302-1234-5678-91 → ***-****-**78-91."""
    number = (number or "").strip()
    digits_seen = 0
    total_digits = sum(ch.isdigit() for ch in number)
    masked = []
    for ch in number:
        if ch.isdigit():
            digits_seen += 1
            masked.append(ch if digits_seen > total_digits - VISIBLE_DIGITS else "*")
        elif ch in "- ":
            masked.append(ch)
        else:
            masked.append("*")
    return "".join(masked)


def bank_name(code: str) -> str:
    if not code:
        return ""
    return BANKS.get(code, _("은행 코드 %(code)s") % {"code": code})


@dataclass(frozen=True)
class BankAccount:
    bank: str
    number: str
    holder: str
    is_set: bool
    masked: bool


def merchant_bank_display(merchant: Merchant, *, full: bool) -> BankAccount:
    """The payout account as a page may show it: in full for finance staff, masked for everyone else."""
    return BankAccount(
        bank=bank_name(merchant.bank_code),
        number=merchant.account_number if full else mask_account_number(merchant.account_number),
        holder=merchant.account_holder if full else privacy.mask_name(merchant.account_holder),
        is_set=bool(merchant.account_number),
        masked=not full,
    )


def months_display(mask: int) -> str:
    """A season mask as people say it: 연중, or 3·4·5·9월."""
    months = [m for m in range(1, 13) if mask & (1 << (m - 1))]
    if len(months) == 12:
        return _("연중")
    return _("%(months)s월") % {"months": "·".join(str(m) for m in months)}
