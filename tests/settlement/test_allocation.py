from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlement.allocation import allocate

weights_strategy = st.dictionaries(
    keys=st.integers(min_value=1, max_value=10_000), values=st.integers(min_value=0, max_value=10_000_000), min_size=1
).filter(lambda weights: sum(weights.values()) > 0)
totals = st.integers(min_value=-10_000_000, max_value=100_000_000)


@given(total=totals, weights=weights_strategy)
def test_parts_sum_to_the_whole(total, weights):
    assert sum(allocate(total, weights).values()) == total


@given(total=totals, weights=weights_strategy)
def test_each_part_is_within_one_won_of_its_exact_share(total, weights):
    parts = allocate(total, weights)
    weight_sum = sum(weights.values())
    for key, weight in weights.items():
        exact = Fraction(total * weight, weight_sum)
        assert abs(parts[key] - exact) < 1


@given(total=totals, weights=weights_strategy, data=st.data())
def test_independent_of_merchant_order(total, weights, data):
    shuffled = data.draw(st.permutations(list(weights.items())))
    assert allocate(total, dict(shuffled)) == allocate(total, weights)


@given(
    total=st.integers(min_value=0, max_value=1_000_000),
    weights=st.dictionaries(
        keys=st.integers(min_value=1, max_value=50), values=st.integers(min_value=-50_000, max_value=50_000), min_size=1
    ).filter(lambda weights: sum(weights.values()) > 0),
)
def test_signed_weights_still_sum_and_stay_within_one_won(total, weights):
    # A refund reverses lines of both signs (a negative commission): the same guarantees hold.
    parts = allocate(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for key, weight in weights.items():
        assert abs(parts[key] - Fraction(total * weight, weight_sum)) < 1


def test_ties_go_to_the_smallest_key():
    # given three equal shares of 100 won: 33.33 each, one won left over
    # when
    parts = allocate(100, {3: 1, 1: 1, 2: 1})
    # then the smallest key takes it, whatever the order the keys came in
    assert parts == {1: 34, 2: 33, 3: 33}


def test_largest_remainder_wins_the_leftover():
    # 8,614 won of commission over supply values 24,000 and 5,000: 7,128.83 and 1,485.17
    assert allocate(8_614, {"tea": 24_000, "jam": 5_000}) == {"tea": 7_129, "jam": 1_485}


def test_zero_weights_are_refused_unless_nothing_is_split():
    assert allocate(0, {1: 0, 2: 0}) == {1: 0, 2: 0}
    with pytest.raises(ValueError):
        allocate(10, {1: 0})
