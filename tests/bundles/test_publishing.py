from datetime import date

import pytest

from bundles.models import Bundle, BundleEvent
from bundles.publishing import PublishRefused, bundle_publish_problems
from bundles.services import bundle_publish, bundle_set_item, plan_set
from tests.bundles.factories import BundleFactory, MerchantFactory, PlanFactory, ProductFactory

pytestmark = pytest.mark.django_db
MAY = date(2026, 5, 15)


@pytest.fixture
def ready_bundle(municipality):
    """A bundle that passes every rule in May: one ₩20,000 item, a ₩39,000 monthly plan, an image."""
    bundle = BundleFactory(municipality=municipality)
    product = ProductFactory(merchant=MerchantFactory(municipality=municipality), supply_price_won=20_000)
    bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    PlanFactory(bundle=bundle, price_won=39_000)
    return bundle


def codes(bundle, on=MAY) -> list[str]:
    return [p.code for p in bundle_publish_problems(bundle, on=on) if p.is_error]


def test_ready_bundle_has_no_problems_and_publishes(ready_bundle, staff_admin):
    assert codes(ready_bundle) == []
    published = bundle_publish(bundle=ready_bundle, acting_user=staff_admin, on=MAY)
    assert published.status == Bundle.Status.PUBLISHED
    assert published.status_changed_by == staff_admin
    assert BundleEvent.objects.filter(bundle=ready_bundle, kind="published").count() == 1


def test_refuses_without_items(municipality):
    bundle = BundleFactory(municipality=municipality)
    PlanFactory(bundle=bundle)
    assert codes(bundle) == ["no_items"]


def test_refuses_with_an_inactive_product(ready_bundle):
    ready_bundle.items.first().product.__class__.objects.update(is_active=False)
    assert codes(ready_bundle) == ["inactive_product"]


def test_refuses_when_the_merchant_is_inactive(ready_bundle):
    merchant = ready_bundle.items.first().product.merchant
    merchant.__class__.objects.filter(pk=merchant.pk).update(is_active=False)
    assert codes(ready_bundle) == ["inactive_product"]


def test_refuses_out_of_season(ready_bundle):
    product = ready_bundle.items.first().product
    product.__class__.objects.filter(pk=product.pk).update(season_months=0b0000_0000_0111)  # Jan–Mar
    assert codes(ready_bundle, on=MAY) == ["out_of_season"]
    assert codes(ready_bundle, on=date(2027, 2, 1)) == []


def test_refuses_without_image(ready_bundle):
    Bundle.objects.filter(pk=ready_bundle.pk).update(hero_image="")
    ready_bundle.refresh_from_db()
    assert codes(ready_bundle) == ["no_image"]


def test_refuses_without_active_plan(ready_bundle):
    ready_bundle.plans.update(is_active=False)
    assert codes(ready_bundle) == ["no_plan"]


def test_refuses_a_bundle_under_water(ready_bundle):
    # 39,000 × (1 − 10 % − 3.3 %) = 33,813 < cost 35,000
    ready_bundle.items.first().product.__class__.objects.update(supply_price_won=35_000)
    problems = bundle_publish_problems(ready_bundle, on=MAY)
    assert [p.code for p in problems] == ["under_water"]
    assert "39,000원" in problems[0].message


def test_a_prepaid_discount_that_sinks_the_price_is_refused(ready_bundle):
    # given: per box covers (33,813 ≥ 30,000) but 12 boxes at 15 % off: 33,150 × 0.867 = 28,741 < 30,000
    ready_bundle.items.first().product.__class__.objects.update(supply_price_won=30_000)
    plan_set(bundle=ready_bundle, cadence="monthly", acting_user=None, prepay_12_discount_bp=1500)
    # then
    problems = [p for p in bundle_publish_problems(ready_bundle, on=MAY) if p.is_error]
    assert [p.code for p in problems] == ["under_water"]
    assert "12회 선결제" in problems[0].message


def test_thin_margin_is_a_warning_not_a_refusal(ready_bundle):
    # 33,813 − 33,000 = 813 won, under 5 % of 39,000
    ready_bundle.items.first().product.__class__.objects.update(supply_price_won=33_000)
    problems = bundle_publish_problems(ready_bundle, on=MAY)
    assert [(p.code, p.is_error) for p in problems] == [("thin_margin", False)]
    assert bundle_publish(bundle=ready_bundle, acting_user=None, on=MAY).status == Bundle.Status.PUBLISHED


def test_refusal_lists_every_reason_and_changes_nothing(municipality):
    # given: no items, no image, no plan
    bundle = BundleFactory(municipality=municipality, hero_image="")
    events_before = BundleEvent.objects.count()
    # when
    with pytest.raises(PublishRefused) as refused:
        bundle_publish(bundle=bundle, acting_user=None, on=MAY)
    # then
    assert [p.code for p in refused.value.problems] == ["no_items", "no_image", "no_plan"]
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT
    assert BundleEvent.objects.count() == events_before


def test_publishing_rules_run_a_fixed_number_of_queries(ready_bundle, django_assert_max_num_queries):
    for _ in range(8):
        bundle_set_item(
            bundle=ready_bundle,
            product=ProductFactory(merchant__municipality=ready_bundle.municipality),
            quantity=2,
            acting_user=None,
        )
    with django_assert_max_num_queries(3):
        bundle_publish_problems(ready_bundle, on=MAY)
