"""Pure arithmetic of a bundle's price, in integer won. Rates are basis points (1 bp = 0.01 %).

Rounding rule: a percentage of a price (discount, commission, card fee) is rounded down to the won.
Whether a price *covers* its costs is decided exactly, without rounding, by comparing in 1/10000 won.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from bundles.models import BOXES_PER_YEAR, STORAGE_RANK, StorageClass

BP = 10_000
# Below this margin (as a share of the price) a bundle can still be published, with a warning.
THIN_MARGIN_BP = 500


def percent_of(amount_won: int, rate_bp: int) -> int:
    return amount_won * rate_bp // BP


def discounted_price(price_won: int, discount_bp: int) -> int:
    return price_won - percent_of(price_won, discount_bp)


def per_month_won(price_won: int, cadence: str) -> int:
    """Average spend per month (weekly: 52 boxes a year / 12), rounded down."""
    return price_won * BOXES_PER_YEAR[cadence] // 12


def items_cost_won(items: Iterable[tuple[int, int]]) -> int:
    """Sum of supply price × quantity over (supply_price_won, quantity) pairs."""
    return sum(price * quantity for price, quantity in items)


def coldest(storage_classes: Iterable[str]) -> str:
    return max(storage_classes, key=lambda s: STORAGE_RANK[StorageClass(s)], default=StorageClass.AMBIENT)


@dataclass(frozen=True)
class Margin:
    price_won: int
    cost_won: int
    commission_won: int
    card_fee_won: int
    margin_won: int
    covers_costs: bool
    thin: bool

    @property
    def margin_bp(self) -> int:
        return self.margin_won * BP // self.price_won if self.price_won else 0


def margin(*, price_won: int, cost_won: int, commission_bp: int, card_fee_bp: int) -> Margin:
    # Exact test in 1/10000 won: price × (1 − commission − card fee) ≥ cost.
    exact_margin = price_won * (BP - commission_bp - card_fee_bp) - cost_won * BP
    return Margin(
        price_won=price_won,
        cost_won=cost_won,
        commission_won=percent_of(price_won, commission_bp),
        card_fee_won=percent_of(price_won, card_fee_bp),
        margin_won=exact_margin // BP,
        covers_costs=exact_margin >= 0,
        thin=exact_margin >= 0 and exact_margin < price_won * THIN_MARGIN_BP,
    )
