from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from notifications.models import Message
from tests.accounts.factories import UserFactory
from tests.bundles.factories import BundleFactory
from tests.subscriptions.helpers import seoul
from tests.tourism.factories import AttachmentFactory, OfferFactory, PartnerFactory
from tourism.models import Coupon
from tourism.selectors import coupons_for_shipments
from tourism.services import Box, coupons_issue_for_boxes, coupons_issue_welcome

pytestmark = pytest.mark.django_db

NOW = seoul(2026, 11, 23, 10, 0)


def _boxes(bundle, count, *, start=1):
    return [
        Box(shipment_id=start + i, subscription_id=500 + i, bundle_id=bundle.pk, holder_id=UserFactory().pk)
        for i in range(count)
    ]


def test_issuing_twice_for_one_shipment_issues_once(municipality):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality)
    second = AttachmentFactory(offer__partner__municipality=municipality, bundle=attachment.bundle)
    boxes = _boxes(attachment.bundle, 3)
    # when
    first_count = coupons_issue_for_boxes(municipality=municipality, boxes=boxes, now=NOW)
    again_count = coupons_issue_for_boxes(municipality=municipality, boxes=boxes, now=NOW)
    # then
    assert first_count == 6
    assert again_count == 0
    assert Coupon.objects.filter(municipality=municipality).count() == 6
    assert set(Coupon.objects.values_list("offer_id", flat=True)) == {attachment.offer_id, second.offer_id}


def test_one_coupon_per_shipment_and_offer_is_a_database_constraint(municipality):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality)
    coupons_issue_for_boxes(municipality=municipality, boxes=_boxes(attachment.bundle, 1), now=NOW)
    coupon = Coupon.objects.get()
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(
            municipality=municipality,
            offer=coupon.offer,
            holder=coupon.holder,
            shipment_id=coupon.shipment_id,
            subscription_id=coupon.subscription_id,
            code="X" * 20,
            issued_at=NOW,
            expires_at=NOW + timedelta(days=1),
        )
    assert Coupon.objects.count() == 1


def test_coupon_expires_at_the_end_of_its_last_day_and_fixed_windows_cap_it(municipality):
    # given
    days = AttachmentFactory(offer__partner__municipality=municipality, offer__validity_days=30)
    window = AttachmentFactory(
        offer__partner__municipality=municipality,
        offer__validity_days=None,
        offer__valid_from=date(2026, 11, 1),
        offer__valid_until=date(2026, 12, 10),
        bundle=days.bundle,
    )
    # when
    coupons_issue_for_boxes(municipality=municipality, boxes=_boxes(days.bundle, 1), now=NOW)
    # then
    assert Coupon.objects.get(offer=days.offer).expires_at == seoul(2026, 12, 24, 0, 0)
    assert Coupon.objects.get(offer=window.offer).expires_at == seoul(2026, 12, 11, 0, 0)


def test_inactive_ended_or_other_bundle_offers_are_not_issued(municipality):
    # given
    bundle = BundleFactory(municipality=municipality)
    AttachmentFactory(offer__partner__municipality=municipality, offer__is_active=False, bundle=bundle)
    AttachmentFactory(offer__partner__municipality=municipality, offer__partner__is_active=False, bundle=bundle)
    AttachmentFactory(
        offer__partner__municipality=municipality,
        offer__validity_days=None,
        offer__valid_from=date(2026, 10, 1),
        offer__valid_until=date(2026, 11, 22),
        bundle=bundle,
    )
    AttachmentFactory(offer__partner__municipality=municipality, bundle=bundle, is_welcome=True)
    AttachmentFactory(offer__partner__municipality=municipality)  # another bundle
    # when
    count = coupons_issue_for_boxes(municipality=municipality, boxes=_boxes(bundle, 2), now=NOW)
    # then
    assert count == 0
    assert not Coupon.objects.exists()


def test_welcome_coupons_once_per_subscription(municipality):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality, is_welcome=True)
    holder = UserFactory()
    kwargs = dict(municipality=municipality, subscription_id=77, bundle_id=attachment.bundle_id, holder_id=holder.pk)
    # when
    counts = [coupons_issue_welcome(**kwargs, now=NOW), coupons_issue_welcome(**kwargs, now=NOW)]
    # then
    assert counts == [1, 0]
    coupon = Coupon.objects.get()
    assert (coupon.subscription_id, coupon.shipment_id, coupon.holder_id) == (77, None, holder.pk)


def test_issuing_is_set_based_whatever_the_number_of_boxes(municipality):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality)
    AttachmentFactory(offer__partner__municipality=municipality, bundle=attachment.bundle)
    few, many = _boxes(attachment.bundle, 2, start=1), _boxes(attachment.bundle, 40, start=100)
    # when
    with CaptureQueriesContext(connection) as few_queries:
        coupons_issue_for_boxes(municipality=municipality, boxes=few, now=NOW)
    with CaptureQueriesContext(connection) as many_queries:
        coupons_issue_for_boxes(municipality=municipality, boxes=many, now=NOW)
    # then
    assert len(many_queries) == len(few_queries)
    assert Coupon.objects.count() == 84


def test_holders_are_told_once_per_box(municipality, django_capture_on_commit_callbacks):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality)
    AttachmentFactory(offer__partner__municipality=municipality, bundle=attachment.bundle)
    boxes = _boxes(attachment.bundle, 2)
    # when
    with django_capture_on_commit_callbacks():
        coupons_issue_for_boxes(municipality=municipality, boxes=boxes, now=NOW)
        coupons_issue_for_boxes(municipality=municipality, boxes=boxes, now=NOW)
    # then: one message per holder and channel, whose body names both offers
    messages = Message.objects.filter(kind="coupon_issued", channel="email")
    assert sorted(messages.values_list("event_key", flat=True)) == [
        "coupon-issued-shipment-1",
        "coupon-issued-shipment-2",
    ]
    assert all(attachment.offer.title in message.body for message in messages)
    assert all("/hadong/my/coupons/" in message.link for message in messages)


def test_coupons_for_shipments_is_one_query_scoped_to_the_municipality(municipality, other_municipality):
    # given
    attachment = AttachmentFactory(offer__partner__municipality=municipality)
    other = AttachmentFactory(offer__partner=PartnerFactory(municipality=other_municipality))
    coupons_issue_for_boxes(municipality=municipality, boxes=_boxes(attachment.bundle, 3), now=NOW)
    coupons_issue_for_boxes(municipality=other_municipality, boxes=_boxes(other.bundle, 1), now=NOW)
    # when
    with CaptureQueriesContext(connection) as queries:
        result = coupons_for_shipments(municipality=municipality, shipment_ids=[1, 2, 3])
        partners = [coupon.offer.partner.name for coupons in result.values() for coupon in coupons]
    # then
    assert len(queries) == 1
    assert sorted(result) == [1, 2, 3]
    assert partners == [attachment.offer.partner.name] * 3
    assert coupons_for_shipments(municipality=other_municipality, shipment_ids=[2, 3]) == {}


def test_another_municipality_bundle_issues_nothing_here(municipality, other_municipality):
    # given: an offer of the other municipality on its own bundle
    other = AttachmentFactory(offer=OfferFactory(partner=PartnerFactory(municipality=other_municipality)))
    # when
    count = coupons_issue_for_boxes(municipality=municipality, boxes=_boxes(other.bundle, 1), now=NOW)
    # then
    assert count == 0
