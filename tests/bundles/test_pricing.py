from bundles import pricing


def test_margin_in_integer_won():
    # given: ₩39,000 box, items cost ₩30,000, commission 10 %, card fee 3.3 %
    # when
    m = pricing.margin(price_won=39_000, cost_won=30_000, commission_bp=1000, card_fee_bp=330)
    # then: 39,000 − 30,000 − 3,900 − 1,287 = 3,813
    assert (m.commission_won, m.card_fee_won, m.margin_won) == (3_900, 1_287, 3_813)
    assert m.covers_costs and not m.thin
    assert m.margin_bp == 977


def test_exactly_covering_price_is_not_under_water():
    # 10000 × (1 − 0.1) = 9000 exactly
    m = pricing.margin(price_won=10_000, cost_won=9_000, commission_bp=1000, card_fee_bp=0)
    assert m.covers_costs and m.margin_won == 0 and m.thin


def test_one_won_short_is_under_water_even_when_rounding_would_hide_it():
    # 9,999 × 0.867 = 8,669.133: a cost of 8,670 is 0.867 won short although floor-rounded fees would say 0
    m = pricing.margin(price_won=9_999, cost_won=8_670, commission_bp=1000, card_fee_bp=330)
    assert not m.covers_costs
    assert m.margin_won == -1


def test_thin_margin_threshold_is_five_percent():
    assert pricing.margin(price_won=10_000, cost_won=8_500, commission_bp=1000, card_fee_bp=0).thin is False
    assert pricing.margin(price_won=10_000, cost_won=8_501, commission_bp=1000, card_fee_bp=0).thin is True


def test_discounts_round_down_the_discount():
    assert pricing.discounted_price(39_000, 1000) == 35_100
    assert pricing.discounted_price(33_333, 500) == 31_667  # 5 % of 33,333 is 1,666.65 → 1,666 off


def test_per_month_price():
    assert pricing.per_month_won(39_000, "weekly") == 169_000
    assert pricing.per_month_won(39_000, "biweekly") == 84_500
    assert pricing.per_month_won(39_000, "monthly") == 39_000


def test_coldest_storage_wins():
    assert pricing.coldest(["ambient", "chilled", "ambient"]) == "chilled"
    assert pricing.coldest(["chilled", "frozen"]) == "frozen"
    assert pricing.coldest([]) == "ambient"
