import pytest
from django.apps import apps
from django.core.management import call_command

from bundles.models import Bundle, Merchant, Product
from municipalities.models import Municipality
from subscriptions.models import PaymentMethod, SkippedCycle, Subscription

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "accounts",
            "municipalities",
            "notifications",
            "bundles",
            "tourism",
            "kiosk",
            "subscriptions",
            "delivery",
            "settlement",
        }
    }


def test_seed_demo_is_idempotent_and_builds_the_demo(tmp_path, settings, stripe_gateway):
    # given
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", verbosity=0)
    first = row_counts()
    # when
    call_command("seed_demo", verbosity=0)
    # then: nothing new
    assert row_counts() == first
    # and the demo is what the issues ask for
    hadong = Municipality.objects.get(slug="hadong")
    assert hadong.logo and (tmp_path / hadong.logo.name).exists()
    assert set(hadong.memberships.values_list("role", flat=True)) == {
        "admin",
        "curator",
        "finance",
        "logistics",
        "merchant",
        "partner",
    }
    assert Merchant.objects.for_tenant(hadong).count() >= 40
    assert Product.objects.for_tenant(hadong).count() >= 120
    hadong_bundles = Bundle.objects.for_tenant(hadong)
    assert hadong_bundles.filter(status="published").count() >= 35
    assert hadong_bundles.filter(status="draft").exists() and hadong_bundles.filter(status="retired").exists()
    assert all(b.hero_image for b in hadong_bundles)
    subscriptions = Subscription.objects.for_tenant(hadong)
    assert subscriptions.count() >= 200
    assert {"active", "paused", "canceled"} <= set(subscriptions.values_list("status", flat=True))
    assert subscriptions.filter(term_boxes__gt=1).exists() and subscriptions.filter(promo_code__isnull=False).exists()
    assert SkippedCycle.objects.for_tenant(hadong).exists()
    assert all(pm.gateway_method_id.startswith("pm_") for pm in PaymentMethod.objects.for_tenant(hadong))
    namhae = Municipality.objects.get(slug="namhae")
    assert 0 < Bundle.objects.for_tenant(namhae).count() < hadong_bundles.count()
