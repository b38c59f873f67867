import factory
from django.utils import timezone

from kiosk.models import Kiosk
from kiosk.services import new_token
from tests.municipalities.factories import MunicipalityFactory


class KioskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kiosk

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"구독경제 홍보관 {n}")
    place = "군청 1층 로비"
    token = factory.LazyFunction(new_token)
    token_issued_at = factory.LazyFunction(timezone.now)
