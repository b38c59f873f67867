import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "municipalities"}
    }


def test_seed_demo_is_idempotent(tmp_path, settings):
    # given
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", verbosity=0)
    first = row_counts()
    # when
    call_command("seed_demo", verbosity=0)
    # then
    assert row_counts() == first
    assert first["municipalities.Municipality"] == 2
    assert first["municipalities.Membership"] >= 6


def test_seed_demo_builds_tenants_with_logos_and_staff(tmp_path, settings):
    from municipalities.models import Municipality

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", verbosity=0)
    hadong = Municipality.objects.get(slug="hadong")
    assert hadong.name == "하동군"
    assert hadong.logo and (tmp_path / hadong.logo.name).exists()
    assert set(hadong.memberships.values_list("role", flat=True)) == {"admin", "curator", "finance", "logistics"}
