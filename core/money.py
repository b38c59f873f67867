"""Money is integer won (KRW has no minor unit: Stripe's amount=39000 is ₩39,000)."""


def format_won(amount: int | None) -> str:
    """39000 -> '39,000원'; negative amounts keep their sign: -1500 -> '-1,500원'."""
    if amount is None:
        return ""
    return f"{int(amount):,}원"
