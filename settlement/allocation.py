"""Splitting an integer amount of won over weights by the largest-remainder (Hamilton) method.

Each part is the floor of its exact share `total × weight / Σ weights`; the won left over (fewer than the
number of parts) go one each to the parts with the largest remainders. Ties are broken by the key, so the
result depends only on the (key → weight) pairs, never on the order they are given in. The parts always
sum exactly to the total, and each is within 1 won of its exact share.

Weights may be negative (a refund reverses an order's lines, and a commission can be negative) as long as
their sum is positive: floors are taken toward −∞, so the leftover is still between 0 and the count.
"""

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def allocate(total: int, weights: Mapping[K, int]) -> dict[K, int]:
    """Split `total` won over `weights`; raises ValueError when the weights sum to 0 or less."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        if total == 0 and weights:
            return dict.fromkeys(weights, 0)
        raise ValueError("weights must sum to more than 0")
    parts: dict[K, int] = {}
    remainders: list[tuple[int, object, K]] = []
    for key, weight in weights.items():
        quotient, remainder = divmod(total * weight, weight_sum)
        parts[key] = quotient
        remainders.append((remainder, _sort_key(key), key))
    leftover = total - sum(parts.values())
    # Largest remainder first; among equal remainders the smallest key, so input order never matters.
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _remainder, _order, key in remainders[:leftover]:
        parts[key] += 1
    return parts


def _sort_key(key: object) -> object:
    # Keys of one call are of one kind (ids, or tuples of ids and names); repr breaks ties between kinds.
    return (0, key) if isinstance(key, (int, str, tuple)) else (1, repr(key))
