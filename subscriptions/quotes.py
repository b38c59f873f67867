"""What a subscription costs, part by part, in integer won — the checkout's price summary.

Charging model: nothing is charged at checkout. The first charge is made when the first cycle closes
(its `charge_at`); a per-box plan is then charged each box, a prepaid term once every N boxes.
Discounts stack in this order: term discount on the box price, then the promo on what remains.
"""

from dataclasses import dataclass

from bundles.models import Plan
from bundles.pricing import percent_of
from subscriptions.models import PromoCode, ShippingSupportCampaign


@dataclass(frozen=True)
class Quote:
    term_boxes: int
    box_price_won: int
    term_discount_won: int  # per box
    promo_discount_won: int  # per box, for `promo_boxes` boxes (None: every box)
    promo_boxes: int | None
    shipping_fee_won: int  # per box
    shipping_support_won: int  # per box, while the campaign's budget lasts
    first_charge_won: int
    later_charge_won: int  # per box (term 1) or per renewed term (term N), after the promo ends

    @property
    def box_net_won(self) -> int:
        return self.box_price_won - self.term_discount_won - self.promo_discount_won

    @property
    def shipping_net_won(self) -> int:
        return self.shipping_fee_won - self.shipping_support_won


def support_for_box(campaign: ShippingSupportCampaign | None, shipping_fee_won: int) -> int:
    if campaign is None:
        return 0
    return min(campaign.per_box_cap_won, shipping_fee_won, campaign.remaining_won)


def quote(
    *, plan: Plan, term_boxes: int, promo: PromoCode | None = None, campaign: ShippingSupportCampaign | None = None
) -> Quote:
    box = plan.price_won
    term_discount = percent_of(box, plan.discount_bp(term_boxes)) if term_boxes > 1 else 0
    promo_discount = promo.discount_won(box - term_discount) if promo else 0
    promo_boxes = promo.boxes if promo else None
    shipping = plan.shipping_fee_won
    support = support_for_box(campaign, shipping)

    def boxes_total(boxes: int, first_box_index: int) -> int:
        """Price of `boxes` consecutive boxes starting at box number `first_box_index` (0-based)."""
        total = 0
        for index in range(first_box_index, first_box_index + boxes):
            promo_applies = promo is not None and (promo_boxes is None or index < promo_boxes)
            total += box - term_discount - (promo_discount if promo_applies else 0) + shipping - support
        return total

    return Quote(
        term_boxes=term_boxes,
        box_price_won=box,
        term_discount_won=term_discount,
        promo_discount_won=promo_discount,
        promo_boxes=promo_boxes,
        shipping_fee_won=shipping,
        shipping_support_won=support,
        first_charge_won=boxes_total(term_boxes, 0),
        # What each later charge will be once the promo's boxes are used up (or with it, if it never ends).
        later_charge_won=boxes_total(term_boxes, max(term_boxes, promo_boxes or 0)),
    )
