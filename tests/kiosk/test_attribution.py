"""A visitor scans a kiosk's QR code, subscribes on their phone, and the kiosk gets the credit: the
subscription records the kiosk as its source and the attribution report counts the scan, the subscription
and, once the first box is charged, the revenue."""

from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from kiosk.models import CampaignLink, SourceVisit
from kiosk.services import campaign_link_create, source_visit_record
from subscriptions.attribution import attribution_report
from subscriptions.billing.run import billing_run
from subscriptions.models import Order, Subscription
from subscriptions.services import subscription_create
from tests.accounts.factories import UserFactory
from tests.kiosk.factories import KioskFactory
from tests.kiosk.helpers import screen_url, slide_qr_codes
from tests.municipalities.factories import MembershipFactory
from tests.subscriptions.helpers import published_bundle, seoul, subscriber_with_card
from tests.subscriptions.test_checkout_views import confirmed_setup_id, form_data, log_in

pytestmark = pytest.mark.django_db

# A Friday: the next monthly box ships Thursday 10 December; cards are charged Monday 7 December at 2:00.
FRIDAY = seoul(2026, 12, 4, 10, 0)
CHARGE_TIME = seoul(2026, 12, 7, 2, 5)


@pytest.fixture
def buyer():
    return UserFactory(email="buyer@example.kr", name="김하동", phone="010-2345-6789")


def row_for(rows, source: str):
    return next(row for row in rows if row.source == source)


def test_subscription_started_from_the_kiosk_qr_is_attributed_and_reported(
    client, municipality, kiosk, showcase_bundle, buyer, stripe_gateway, staff_admin
):
    with time_machine.travel(FRIDAY, tick=True):
        # given: a visitor's phone opens the URL in the kiosk's QR code, logs in, and comes back to it
        [scanned] = slide_qr_codes(client.get(screen_url(kiosk)).content.decode())
        parts = urlsplit(scanned)
        tagged = f"{parts.path}?{parts.query}"
        assert client.get(tagged).status_code == 302
        log_in(client, buyer)
        assert client.get(tagged).status_code == 200
        setup_id = confirmed_setup_id(client, municipality, stripe_gateway)
        # when: they complete checkout
        response = client.post(parts.path, form_data(showcase_bundle.plans.get(cadence="monthly"), setup_id=setup_id))
    # then: the subscription is the kiosk's
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.source == f"kiosk-{kiosk.pk}"
    # and the report shows one scan (the page opened twice in one session), one subscription, no revenue yet
    row = row_for(attribution_report(municipality=municipality), kiosk.source_tag)
    assert (row.kind, row.label, row.place) == ("kiosk", "시청 1층 구독경제 홍보관", "하동군청 1층 로비")
    assert (row.visits, row.subscriptions, row.revenue_won, row.conversion_text) == (1, 1, 0, "100.00%")

    # when: the first box is charged
    with time_machine.travel(CHARGE_TIME, tick=False):
        billing_run(gateway=stripe_gateway)
    # then: its payment counts as the kiosk's revenue
    order = Order.objects.get(subscription=subscription)
    assert order.status == Order.Status.PAID and order.amount_won == 42_000
    row = row_for(attribution_report(municipality=municipality), kiosk.source_tag)
    assert (row.visits, row.subscriptions, row.revenue_won) == (1, 1, 42_000)

    # and staff read it by the kiosk's name
    client.force_login(staff_admin)
    page = client.get(reverse("subscriptions:staff-attribution", kwargs={"municipality_slug": municipality.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "시청 1층 구독경제 홍보관 (하동군청 1층 로비)" in html
    assert "42,000원" in html and "100.00%" in html


def test_report_names_campaign_links_keeps_other_tags_and_counts_conversion(
    municipality, other_municipality, stripe_gateway
):
    # given: a kiosk and a campaign link with visits, a raw tag with visits, and subscriptions from two of them
    KioskFactory(municipality=municipality, name="관광안내소", place="화개장터")
    link = campaign_link_create(
        municipality=municipality, acting_user=None, label="11월 군정 소식지", target_path="/hadong/", tag="news-11"
    )
    for n in range(8):
        source_visit_record(municipality=municipality, source="news-11", path="/hadong/", session_key=f"s{n}")
    for n in range(3):
        source_visit_record(municipality=municipality, source="portal-naver", path="/hadong/", session_key=f"p{n}")
    # another municipality's visits with the same tag never count here
    source_visit_record(municipality=other_municipality, source="news-11", path="/namhae/", session_key="x")
    bundle = published_bundle(municipality, cadences=("monthly",))
    for source in ("news-11", "news-11", "sns-only"):
        subscriber, address, card = subscriber_with_card(municipality, stripe_gateway)
        subscription_create(
            subscriber=subscriber,
            plan=bundle.plans.get(),
            term_boxes=1,
            address=address,
            payment_method=card,
            source=source,
            acting_user=subscriber.user,
        )
    # when
    rows = attribution_report(municipality=municipality)
    # then: kiosks first, then campaign links, then other tags by visits
    assert [(row.kind, row.label, row.visits, row.subscriptions, row.conversion_text) for row in rows] == [
        ("kiosk", "관광안내소", 0, 0, "-"),
        ("campaign", link.label, 8, 2, "25.00%"),
        ("other", "portal-naver", 3, 0, "0.00%"),
        ("other", "sns-only", 0, 1, "-"),
    ]
    assert CampaignLink.objects.count() == 1 and SourceVisit.objects.count() == 12


def test_report_runs_a_fixed_number_of_queries(municipality, django_assert_num_queries):
    # given: many tags
    for n in range(10):
        KioskFactory(municipality=municipality)
        source_visit_record(municipality=municipality, source=f"tag-{n}", path="/hadong/", session_key="s")
    # when / then: visits, subscriptions, paid orders, kiosk names, campaign labels
    with django_assert_num_queries(5):
        rows = attribution_report(municipality=municipality)
    assert len(rows) == 20


def test_report_page_is_for_staff_of_this_municipality_only(client, municipality, other_municipality):
    # given
    url = reverse("subscriptions:staff-attribution", kwargs={"municipality_slug": municipality.slug})
    outsider = MembershipFactory(municipality=other_municipality, role="admin").user
    finance = MembershipFactory(municipality=municipality, role="finance").user
    merchant = MembershipFactory(municipality=municipality, role="merchant").user
    # when / then
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(merchant)
    assert client.get(url).status_code == 403
    client.force_login(finance)
    assert client.get(url).status_code == 200
    assert client.get(url + "?period=30&export=csv")["Content-Type"] == "text/csv; charset=utf-8"
