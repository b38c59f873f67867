import pytest
import time_machine

from bundles.models import Category
from delivery.models import PickList, Shortfall
from demo.seed.delivery_picking import seed_delivery_picking
from subscriptions.models import OrderItem
from tests.bundles.factories import MerchantFactory, ProductFactory
from tests.delivery.helpers import BEFORE, bundle_with, close_and_charge, subscribe
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.billing_helpers import seoul

pytestmark = pytest.mark.django_db


def test_the_demo_confirms_past_pick_lists_and_resolves_one_shortfall_by_substitution(municipality, stripe_gateway):
    # given: a past weekly cycle (ships 11-19) of 3 boxes of 2 teas, a tea that could stand in, a logistics officer
    tea = ProductFactory(merchant=MerchantFactory(municipality=municipality), category=Category.TEA)
    other = MerchantFactory(municipality=municipality)
    substitute = ProductFactory(merchant=other, name="발효차", category=Category.TEA, supply_price_won=12_000)
    officer = MembershipFactory(municipality=municipality, role="logistics").user
    plan = bundle_with(municipality, [(tea, 2)]).plans.get()
    with time_machine.travel(BEFORE, tick=False):
        subs = [subscribe(municipality, stripe_gateway, plan) for _ in range(3)]
    close_and_charge(subs[0].first_cycle, stripe_gateway)
    # when: the demo step runs twice, a week later
    with time_machine.travel(seoul(2026, 11, 25, 9, 0), tick=False):
        seed_delivery_picking()
        seed_delivery_picking()
    # then: 6 teas, 3 available: the two newest boxes lose units to the substitute; both lists confirmed
    shortfall = Shortfall.objects.get()
    assert (shortfall.status, shortfall.substitute, shortfall.decided_by) == ("substituted", substitute, officer)
    assert OrderItem.objects.filter(product=substitute).count() == 2
    assert sorted(PickList.objects.values_list("merchant_id", "status")) == sorted(
        [(tea.merchant_id, "resolved"), (other.pk, "confirmed")]
    )
    municipality.refresh_from_db()
    assert "물류센터" in municipality.logistics_center_address
