from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from delivery.allocation import Demand, allocate

POLICIES = ["oldest_first", "pro_rata"]
START = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def demands(draw) -> list[Demand]:
    count = draw(st.integers(min_value=0, max_value=25))
    # Few distinct days, so equal created_at values (ties broken by subscription id) are common.
    return [
        Demand(
            order_id=1000 + i,
            subscription_id=draw(st.integers(min_value=1, max_value=10_000)) * 100 + i,
            subscription_created_at=START + timedelta(days=draw(st.integers(min_value=0, max_value=3))),
            units=draw(st.integers(min_value=1, max_value=5)),
        )
        for i in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(
    rows=demands(),
    available=st.integers(min_value=0, max_value=150),
    policy=st.sampled_from(POLICIES),
    seed=st.randoms(),
)
def test_allocation_is_deterministic_and_adds_up(rows, available, policy, seed):
    # given: the same demands listed in another order
    shuffled = list(rows)
    seed.shuffle(shuffled)
    # when
    result = allocate(available=available, demands=rows, policy=policy)
    again = allocate(available=available, demands=shuffled, policy=policy)
    # then
    assert result == again
    assert sum(result.values()) == min(available, sum(d.units for d in rows))
    assert all(0 <= result[d.order_id] <= d.units for d in rows)
    assert set(result) == {d.order_id for d in rows}


@settings(max_examples=200, deadline=None)
@given(rows=demands(), available=st.integers(min_value=0, max_value=150))
def test_oldest_first_never_serves_a_newer_subscription_while_an_older_is_short(rows, available):
    result = allocate(available=available, demands=rows, policy="oldest_first")
    ranked = sorted(rows, key=lambda d: (d.subscription_created_at, d.subscription_id))
    for older_index, older in enumerate(ranked):
        if result[older.order_id] < older.units:
            assert all(result[newer.order_id] == 0 for newer in ranked[older_index + 1 :])


@settings(max_examples=200, deadline=None)
@given(rows=demands(), available=st.integers(min_value=0, max_value=150))
def test_pro_rata_gives_each_order_its_share_within_one_unit(rows, available):
    result = allocate(available=available, demands=rows, policy="pro_rata")
    total = sum(d.units for d in rows)
    for d in rows:
        exact_share = min(d.units, available * d.units / total) if total else 0
        assert abs(result[d.order_id] - exact_share) < 1


def test_oldest_first_example():
    # given: three subscriptions asking 2 units each, 3 units available
    rows = [
        Demand(order_id=3, subscription_id=30, subscription_created_at=START + timedelta(days=2), units=2),
        Demand(order_id=1, subscription_id=10, subscription_created_at=START, units=2),
        Demand(order_id=2, subscription_id=20, subscription_created_at=START + timedelta(days=1), units=2),
    ]
    # then: the oldest gets all, the next gets what is left
    assert allocate(available=3, demands=rows, policy="oldest_first") == {1: 2, 2: 1, 3: 0}


def test_pro_rata_example_breaks_ties_by_subscription_id():
    # given: three equal demands, 4 units available (1.333 each)
    rows = [
        Demand(order_id=7, subscription_id=12, subscription_created_at=START, units=2),
        Demand(order_id=8, subscription_id=11, subscription_created_at=START, units=2),
        Demand(order_id=9, subscription_id=13, subscription_created_at=START, units=2),
    ]
    # then: one each, the remaining unit to the lowest subscription id
    assert allocate(available=4, demands=rows, policy="pro_rata") == {8: 2, 7: 1, 9: 1}


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        allocate(available=0, demands=[Demand(1, 1, START, 1)], policy="loop_order")
