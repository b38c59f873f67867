import factory

from municipalities.models import Membership, Municipality
from tests.accounts.factories import UserFactory


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"테스트군{n}")
    slug = factory.Sequence(lambda n: f"town{n}")
    mall_name = factory.LazyAttribute(lambda m: f"{m.name} 꾸러미몰")
    region_code = "48850"
    contact_email = "kkureomi@example.go.kr"
    contact_phone = "055-880-2114"
    address = "경상남도 하동군 하동읍 군청로 23"
    business_registration_number = "612-83-00015"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    municipality = factory.SubFactory(MunicipalityFactory)
    user = factory.SubFactory(UserFactory)
    role = "admin"
