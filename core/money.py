"""Money is integer won (KRW has no minor unit: Stripe's amount=39000 is ₩39,000)."""


def format_bp_percent(rate_bp: int | None) -> str:
    """Basis points as a percent with two decimals, without floats: 1000 → '10.00%', 330 → '3.30%'."""
    if rate_bp is None:
        return ""
    sign = "-" if rate_bp < 0 else ""
    whole, hundredths = divmod(abs(int(rate_bp)), 100)
    return f"{sign}{whole}.{hundredths:02d}%"


def format_won(amount: int | None) -> str:
    """39000 -> '39,000원'; negative amounts keep their sign: -1500 -> '-1,500원'."""
    if amount is None:
        return ""
    return f"{int(amount):,}원"
