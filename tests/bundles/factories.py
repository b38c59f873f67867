import factory

from bundles.models import Bundle, BundleItem, Category, Merchant, Plan, Product, StorageClass
from tests.municipalities.factories import MunicipalityFactory


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"지리산농원{n}")
    representative = "김농부"
    business_registration_number = factory.Sequence(lambda n: _valid_brn(n))
    phone = "055-883-1234"
    address = "경상남도 하동군 화개면 쌍계로 12"
    category = Category.PRODUCE
    story = "3대째 지리산 자락에서 녹차와 산나물을 가꿉니다."
    bank_code = "011"
    account_number = "302-1234-5678-91"
    account_holder = "김농부"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    municipality = factory.SelfAttribute("merchant.municipality")
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"하동 녹차 {n}")
    unit = "100g"
    category = Category.PRODUCE
    storage_class = StorageClass.AMBIENT
    supply_price_won = 10_000
    stock_per_cycle = 100


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"지리산 산나물 꾸러미 {n}")
    slug = factory.Sequence(lambda n: f"bundle-{n}")
    summary = "봄 산나물을 한 상자에"
    category = Category.PRODUCE
    hero_image = "bundles/demo.jpg"


class BundleItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BundleItem

    bundle = factory.SubFactory(BundleFactory)
    municipality = factory.SelfAttribute("bundle.municipality")
    product = factory.SubFactory(ProductFactory, merchant__municipality=factory.SelfAttribute("...bundle.municipality"))
    quantity = 1


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    bundle = factory.SubFactory(BundleFactory)
    municipality = factory.SelfAttribute("bundle.municipality")
    cadence = "monthly"
    price_won = 39_000
    shipping_fee_won = 3_000


def _valid_brn(n: int) -> str:
    """A business registration number with a correct check digit, different for each n."""
    from core.validators import is_valid_business_number

    base = f"{101 + n % 800:03d}81{n % 10000:04d}"
    for check in range(10):
        if is_valid_business_number(base + str(check)):
            return f"{base[:3]}-{base[3:5]}-{base[5:]}{check}"
    raise AssertionError("unreachable: one check digit always fits")
