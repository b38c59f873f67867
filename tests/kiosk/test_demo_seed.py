"""demo/seed/kiosks.py: two kiosks for 하동 with scans and subscriptions in their history, idempotent."""

import pytest
from django.conf import settings

from bundles.services import bundle_update
from demo.seed.kiosks import seed_kiosks
from kiosk.models import CampaignLink, Kiosk, SourceVisit
from subscriptions.attribution import attribution_report
from subscriptions.models import Subscription
from subscriptions.services import subscription_create
from tests.subscriptions.helpers import published_bundle, subscriber_with_card

pytestmark = pytest.mark.django_db


def test_seed_kiosks_builds_two_kiosks_with_history_once(municipality, showcase_bundle, stripe_gateway):
    # given: a tea bundle, and subscribers who already have an address and a card
    tea = published_bundle(municipality, cadences=("monthly",))
    bundle_update(bundle=tea, acting_user=None, category="tea")
    other = published_bundle(municipality, cadences=("monthly",))
    for _ in range(8):
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        subscription_create(
            subscriber=subscriber,
            plan=other.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            acting_user=subscriber.user,
        )
    # when
    lines = seed_kiosks()
    counts = (Kiosk.objects.count(), SourceVisit.objects.count(), Subscription.objects.count())
    again = seed_kiosks()
    # then: the second run adds nothing and prints the same lines
    assert (Kiosk.objects.count(), SourceVisit.objects.count(), Subscription.objects.count()) == counts
    assert again == lines
    hall, office = Kiosk.objects.order_by("pk")
    assert (hall.name, office.name) == ("시청 1층 구독경제 홍보관", "관광안내소")
    assert lines == [
        f"  {hall.name} ({hall.place}): {settings.SITE_URL}{hall.get_absolute_url()}",
        f"  {office.name} ({office.place}): {settings.SITE_URL}{office.get_absolute_url()}",
    ]
    assert CampaignLink.objects.count() == 4
    assert counts[1] == 140 + 90 + 420 + 260 + 150 + 210
    # the kiosks' subscriptions: bundles they show, for subscribers who had an address and card already
    from_hall = Subscription.objects.filter(source=hall.source_tag)
    from_office = Subscription.objects.filter(source=office.source_tag)
    assert set(from_hall.values_list("bundle", flat=True)) == {showcase_bundle.pk}
    assert set(from_office.values_list("bundle", flat=True)) == {tea.pk}
    assert from_hall.count() == 4 and from_office.count() == 2
    rows = {row.source: row for row in attribution_report(municipality=municipality)}
    assert (rows[hall.source_tag].visits, rows[hall.source_tag].subscriptions) == (140, 4)
