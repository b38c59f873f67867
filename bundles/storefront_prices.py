"""The prices a subscriber reads on a bundle's page, per plan: per box, per month, and per prepaid term.

Pure arithmetic on one Plan (no queries), in integer won, with the same rounding as checkout
(`bundles.pricing`: a discount is rounded down to the won, so the discounted price is rounded up).
Shipping is charged per box on top of every price shown here.
"""

from dataclasses import dataclass

from bundles import pricing
from bundles.models import Plan


@dataclass(frozen=True)
class PrepaidOption:
    term: int  # boxes paid for at once
    discount_bp: int
    price_per_box_won: int
    total_won: int  # term × price_per_box_won, shipping not included

    @property
    def discount_percent(self) -> str:
        """1000 bp -> "10", 250 bp -> "2.5", 1234 bp -> "12.34"."""
        whole, rest = divmod(self.discount_bp, 100)
        return f"{whole}.{rest:02d}".rstrip("0") if rest else str(whole)


@dataclass(frozen=True)
class PlanPrices:
    plan: Plan
    cadence: str
    cadence_label: str
    price_per_box_won: int
    shipping_fee_won: int
    per_month_won: int  # average spend per month on boxes, shipping not included
    prepaid: tuple[PrepaidOption, ...]


def plan_prices(plan: Plan) -> PlanPrices:
    """Every price of `plan` a subscriber chooses between; prepaid terms only where a discount is offered."""
    prepaid = []
    for term in plan.offered_terms():
        discount_bp = plan.discount_bp(term)
        per_box = pricing.discounted_price(plan.price_won, discount_bp)
        prepaid.append(PrepaidOption(term, discount_bp, per_box, term * per_box))
    return PlanPrices(
        plan=plan,
        cadence=plan.cadence,
        cadence_label=plan.get_cadence_display(),
        price_per_box_won=plan.price_won,
        shipping_fee_won=plan.shipping_fee_won,
        per_month_won=pricing.per_month_won(plan.price_won, plan.cadence),
        prepaid=tuple(prepaid),
    )
