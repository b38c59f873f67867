"""Who gets the units when a merchant brings fewer than the paid orders asked for.

A pure function: the same demands and policy give the same answer whatever order they are listed in, so
the result is never "whoever the loop reached first". Property-tested in tests/delivery/test_shortfall_allocation.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from municipalities.models import Municipality

Policy = Municipality.ShortfallPolicy


@dataclass(frozen=True)
class Demand:
    order_id: int
    subscription_id: int
    subscription_created_at: datetime
    units: int


def allocate(*, available: int, demands: Iterable[Demand], policy: str) -> dict[int, int]:
    """Units of the short product each order gets (order id → units), summing to min(available, demand).

    oldest_first: subscriptions in (created_at, id) order take all they asked for until the units run out,
    so a newer subscription never gets units while an older one is short.
    pro_rata: each order gets available × its units ÷ all units, rounded down; the units left go one each
    to the largest remainders, ties to the lower subscription id (the largest-remainder method)."""
    if available < 0:
        raise ValueError("available must not be negative")
    rows = sorted(demands, key=lambda d: (d.subscription_created_at, d.subscription_id, d.order_id))
    total = sum(d.units for d in rows)
    if available >= total:
        return {d.order_id: d.units for d in rows}
    if policy == Policy.OLDEST_FIRST:
        result: dict[int, int] = {}
        left = available
        for demand in rows:
            given = min(demand.units, left)
            result[demand.order_id] = given
            left -= given
        return result
    if policy == Policy.PRO_RATA:
        quotas = {d.order_id: available * d.units // total for d in rows}
        left = available - sum(quotas.values())
        by_remainder = sorted(rows, key=lambda d: (-(available * d.units % total), d.subscription_id, d.order_id))
        for demand in by_remainder[:left]:
            quotas[demand.order_id] += 1
        return quotas
    raise ValueError(f"unknown shortfall policy {policy!r}")
