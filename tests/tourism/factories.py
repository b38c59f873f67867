import factory

from tests.accounts.factories import UserFactory
from tests.bundles.factories import BundleFactory, _valid_brn
from tests.municipalities.factories import MunicipalityFactory
from tourism.models import Offer, OfferAttachment, Partner
from tourism.services import partner_member_bind


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"하동 한옥마을 {n}")
    kind = Partner.Kind.ATTRACTION
    business_registration_number = factory.Sequence(lambda n: _valid_brn(5000 + n))
    address = "경상남도 하동군 악양면 평사리길 66"
    latitude = "35.152100"
    longitude = "127.690300"
    hours = "매일 09:00~18:00"
    phone = "055-880-2960"


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    partner = factory.SubFactory(PartnerFactory)
    municipality = factory.SelfAttribute("partner.municipality")
    kind = Offer.Kind.FREE_ADMISSION
    title = factory.Sequence(lambda n: f"입장권 1매 {n}")
    face_value_won = 5_000
    reimbursement_won = 4_000
    validity_days = 30
    terms = "1인 1매, 현장 제시"


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferAttachment

    offer = factory.SubFactory(OfferFactory)
    municipality = factory.SelfAttribute("offer.municipality")
    bundle = factory.SubFactory(BundleFactory, municipality=factory.SelfAttribute("..municipality"))
    is_welcome = False


def partner_user(partner: Partner, **user_fields):
    """A user bound to `partner` with the partner role."""
    user = UserFactory(**user_fields)
    partner_member_bind(partner=partner, user=user)
    return user
