"""The publishing rules of a bundle, in one place: the curator sees the same list the service enforces."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from bundles import pricing
from bundles.models import Bundle, BundleItem, Plan


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    is_error: bool = True


class PublishRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def plan_price_points(plan: Plan) -> list[tuple[str, int]]:
    """Every price a box of this plan can be sold at: per box, and each offered prepaid term."""
    points = [(_("1회 결제"), plan.price_won)]
    for term in plan.offered_terms():
        points.append(
            (_("%(n)d회 선결제") % {"n": term}, pricing.discounted_price(plan.price_won, plan.discount_bp(term)))
        )
    return points


def bundle_publish_problems(bundle: Bundle, *, on: date) -> list[Problem]:
    """Why `bundle` cannot be published for deliveries around `on` (errors), and what to watch (warnings).
    Runs a fixed number of queries whatever the number of items and plans."""
    problems: list[Problem] = []
    items = list(BundleItem.objects.filter(bundle=bundle).select_related("product", "product__merchant"))
    plans = list(Plan.objects.filter(bundle=bundle, is_active=True))
    municipality = bundle.municipality

    if not items:
        problems.append(Problem("no_items", _("구성 상품이 하나 이상 있어야 합니다.")))
    for item in items:
        product = item.product
        if not product.is_active or not product.merchant.is_active:
            problems.append(
                Problem("inactive_product", _("'%(name)s' 상품이 판매 중이 아닙니다.") % {"name": product.name})
            )
        if not product.in_season(on.month):
            problems.append(
                Problem(
                    "out_of_season",
                    _("'%(name)s' 상품은 %(month)d월에 판매하지 않습니다.") % {"name": product.name, "month": on.month},
                )
            )
    if not bundle.hero_image:
        problems.append(Problem("no_image", _("대표 이미지를 올려야 합니다.")))
    if not plans:
        problems.append(Problem("no_plan", _("판매 중인 요금제가 하나 이상 있어야 합니다.")))

    cost = pricing.items_cost_won((i.product.supply_price_won, i.quantity) for i in items)
    for plan in plans:
        for label, price in plan_price_points(plan):
            m = pricing.margin(
                price_won=price,
                cost_won=cost,
                commission_bp=municipality.commission_rate_bp,
                card_fee_bp=municipality.card_fee_rate_bp,
            )
            params = {
                "plan": plan.get_cadence_display(),
                "term": label,
                "price": f"{price:,}",
                "cost": f"{cost + m.commission_won + m.card_fee_won:,}",
            }
            if not m.covers_costs:
                problems.append(
                    Problem(
                        "under_water",
                        _("%(plan)s %(term)s 가격 %(price)s원이 공급가·수수료·카드수수료 합계 %(cost)s원보다 낮습니다.")
                        % params,
                    )
                )
            elif m.thin:
                problems.append(
                    Problem(
                        "thin_margin",
                        _("%(plan)s %(term)s 가격 %(price)s원의 여유가 5%% 미만입니다.") % params,
                        is_error=False,
                    )
                )
    return problems
