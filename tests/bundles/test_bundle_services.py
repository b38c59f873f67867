import pytest

from bundles.models import Bundle, BundleEvent, BundleItem, Plan
from bundles.services import (
    bundle_duplicate,
    bundle_retire,
    bundle_set_item,
    bundle_unpublish,
    plan_set,
    product_update,
)
from core.transitions import TransitionNotAllowed
from tests.bundles.factories import BundleFactory, PlanFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_storage_class_is_the_coldest_item(municipality):
    bundle = BundleFactory(municipality=municipality)
    tea = ProductFactory(merchant__municipality=municipality, storage_class="ambient")
    fish = ProductFactory(merchant__municipality=municipality, storage_class="frozen")
    bundle_set_item(bundle=bundle, product=tea, quantity=1, acting_user=None)
    assert Bundle.objects.get(pk=bundle.pk).storage_class == "ambient"
    bundle_set_item(bundle=bundle, product=fish, quantity=1, acting_user=None)
    assert Bundle.objects.get(pk=bundle.pk).storage_class == "frozen"
    bundle_set_item(bundle=bundle, product=fish, quantity=0, acting_user=None)
    assert Bundle.objects.get(pk=bundle.pk).storage_class == "ambient"


def test_changing_a_products_storage_refreshes_its_bundles(municipality):
    bundle = BundleFactory(municipality=municipality)
    product = ProductFactory(merchant__municipality=municipality, storage_class="ambient")
    bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    product_update(product=product, storage_class="chilled")
    assert Bundle.objects.get(pk=bundle.pk).storage_class == "chilled"


def test_every_item_and_price_change_is_recorded_with_a_snapshot(municipality, staff_admin):
    # given
    bundle = BundleFactory(municipality=municipality)
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000)
    # when
    bundle_set_item(bundle=bundle, product=product, quantity=2, acting_user=staff_admin)
    plan_set(bundle=bundle, cadence="weekly", acting_user=staff_admin, price_won=45_000, shipping_fee_won=3_000)
    plan_set(bundle=bundle, cadence="weekly", acting_user=staff_admin, price_won=47_000)
    # then
    events = list(BundleEvent.objects.filter(bundle=bundle).order_by("pk"))
    assert [e.kind for e in events] == ["items_changed", "plan_changed", "plan_changed"]
    assert events[0].actor == staff_admin
    assert events[0].snapshot["items"] == [
        {"product_id": product.pk, "name": product.name, "quantity": 2, "supply_price_won": 12_000}
    ]
    assert [e.snapshot["plans"][0]["price_won"] for e in events[1:]] == [45_000, 47_000]


def test_repeating_a_change_records_nothing_new(municipality):
    bundle = BundleFactory(municipality=municipality)
    product = ProductFactory(merchant__municipality=municipality)
    bundle_set_item(bundle=bundle, product=product, quantity=2, acting_user=None)
    bundle_set_item(bundle=bundle, product=product, quantity=2, acting_user=None)
    plan_set(bundle=bundle, cadence="monthly", acting_user=None, price_won=39_000)
    plan_set(bundle=bundle, cadence="monthly", acting_user=None, price_won=39_000)
    assert BundleEvent.objects.filter(bundle=bundle).count() == 2


def test_product_of_another_municipality_cannot_be_added(municipality, other_municipality):
    bundle = BundleFactory(municipality=municipality)
    foreign = ProductFactory(merchant__municipality=other_municipality)
    with pytest.raises(ValueError):
        bundle_set_item(bundle=bundle, product=foreign, quantity=1, acting_user=None)
    assert BundleItem.objects.count() == 0


def test_duplicate_makes_a_draft_variant_with_items_and_plans(municipality, staff_admin):
    # given
    original = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED)
    product = ProductFactory(merchant__municipality=municipality)
    bundle_set_item(bundle=original, product=product, quantity=3, acting_user=None)
    PlanFactory(bundle=original, cadence="biweekly", price_won=42_000)
    # when
    copy = bundle_duplicate(bundle=original, acting_user=staff_admin, name="지리산 가을 산나물 꾸러미")
    # then
    assert copy.status == Bundle.Status.DRAFT and copy.variant_of == original
    assert copy.slug != original.slug
    assert list(copy.items.values_list("product_id", "quantity")) == [(product.pk, 3)]
    assert list(Plan.objects.filter(bundle=copy).values_list("cadence", "price_won")) == [("biweekly", 42_000)]
    assert copy.hero_image.name == original.hero_image.name


def test_status_moves_follow_the_transitions(municipality):
    bundle = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED)
    retired = bundle_retire(bundle=bundle, acting_user=None)
    assert retired.status == Bundle.Status.RETIRED
    assert bundle_retire(bundle=bundle, acting_user=None).status == Bundle.Status.RETIRED  # repeat is a no-op
    assert bundle_unpublish(bundle=bundle, acting_user=None).status == Bundle.Status.DRAFT


def test_plan_price_must_be_positive(municipality):
    from django.core.exceptions import ValidationError

    bundle = BundleFactory(municipality=municipality)
    with pytest.raises(ValidationError):
        plan_set(bundle=bundle, cadence="monthly", acting_user=None, price_won=0)
    assert Plan.objects.count() == 0


def test_transition_guard_message_is_korean():
    bundle = Bundle(status=Bundle.Status.DRAFT)
    from bundles.services import _move

    with pytest.raises(TransitionNotAllowed, match="상태로 바꿀 수 없습니다"):
        _move(bundle, Bundle.Status.DRAFT, None, "x")
