"""The demo catalog: merchants, products, bundles and plans, made through the catalog's services."""

import math
from datetime import date

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from bundles import services
from bundles.models import Bundle, Merchant, Product
from core.validators import format_business_number, is_valid_business_number
from demo.seed import catalog_data as data
from demo.seed.images import picture_jpeg
from demo.seed.tenants import DemoLogin, demo_user
from municipalities.models import Municipality

# Prepay discounts offered on every demo plan: 3 boxes 3 %, 6 boxes 5 %, 12 boxes 8 %.
DISCOUNTS = {"prepay_3_discount_bp": 300, "prepay_6_discount_bp": 500, "prepay_12_discount_bp": 800}
MERCHANT_USERS = {"hadong": [(0, "merchant@hadong.demo", "정해숙"), (3, "jaecheop@hadong.demo", "이강호")]}


def _business_number(region: int, index: int) -> str:
    base = f"{600 + region:03d}{90 + index // 100:02d}{index:04d}"
    check = next(d for d in range(10) if is_valid_business_number(f"{base}{d}"))
    return format_business_number(f"{base}{check}")


def _box_price(cost_won: int) -> int:
    # About 15 % above supply cost after the 10 % commission and 3.3 % card fee, rounded up to ₩1,000.
    return math.ceil(cost_won * 1.18 / 0.867 / 1000) * 1000


def _merchants(municipality: Municipality, rows: list, region: int) -> list[Merchant]:
    merchants = []
    for index, (name, representative, category, story, products) in enumerate(rows):
        number = _business_number(region, index)
        merchant = Merchant.objects.for_tenant(municipality).filter(business_registration_number=number).first()
        if merchant is None:
            merchant = services.merchant_create(
                municipality=municipality,
                name=name,
                representative=representative,
                business_registration_number=number,
                phone=f"055-88{index % 10}-{1000 + index * 37:04d}",
                address=f"{municipality.address.rsplit(' ', 2)[0]} {name[:2]}길 {index + 3}",
                category=category,
                story=story,
                tax_status=Merchant.TaxStatus.GENERAL if index % 4 else Merchant.TaxStatus.EXEMPT,
                bank_code=("011", "003", "020", "088")[index % 4],
                account_number=f"{301 + index:03d}-{4000 + index * 13:04d}-{5000 + index * 7:04d}-{index % 90 + 10}",
                account_holder=representative,
                photo=ContentFile(
                    picture_jpeg(title=name, subtitle=representative, category=category, size=(900, 600)), name="m.jpg"
                ),
            )
        merchants.append(merchant)
        for p_index, (p_name, unit, price, storage, tax, p_category) in enumerate(products):
            sku = f"{region:02d}-{index:02d}-{p_index}"
            if not Product.objects.filter(merchant=merchant, sku=sku).exists():
                services.product_create(
                    merchant=merchant,
                    sku=sku,
                    name=p_name,
                    unit=unit,
                    supply_price_won=price,
                    storage_class=storage,
                    tax_type=tax,
                    category=p_category,
                    stock_per_cycle=40 + (index * 7 + p_index * 5) % 80,
                    description=f"{merchant.name}의 {p_name}입니다.",
                    photo=ContentFile(
                        picture_jpeg(title=p_name, subtitle=unit, category=p_category, size=(800, 800)), name="p.jpg"
                    ),
                )
    return merchants


def _bundle(municipality, merchants, spec, acting_user, *, featured: bool) -> Bundle | None:
    name, category, summary, items, cadences = spec
    if Bundle.objects.for_tenant(municipality).filter(name=name).exists():
        return None
    bundle = services.bundle_create(
        municipality=municipality,
        acting_user=acting_user,
        name=name,
        summary=summary,
        category=category,
        featured=featured,
        description=f"{summary}. 하나하나 지역 소상공인이 직접 준비해 보내 드립니다.",
    )
    hero = picture_jpeg(title=name, subtitle=summary, category=category)
    bundle = services.bundle_set_hero_image(bundle=bundle, upload=ContentFile(hero, name="b.jpg"), acting_user=None)
    cost = 0
    for merchant_index, product_index, quantity in items:
        product = Product.objects.filter(merchant=merchants[merchant_index]).order_by("sku")[product_index]
        services.bundle_set_item(bundle=bundle, product=product, quantity=quantity, acting_user=acting_user)
        cost += product.supply_price_won * quantity
    shipping = 3000 if Bundle.objects.get(pk=bundle.pk).storage_class == "ambient" else 4000
    for cadence in cadences:
        services.plan_set(
            bundle=bundle,
            cadence=cadence,
            acting_user=acting_user,
            price_won=_box_price(cost),
            shipping_fee_won=shipping,
            **DISCOUNTS,
        )
    return bundle


def _catalog(
    municipality: Municipality,
    merchants_rows,
    bundles,
    *,
    region: int,
    drafts: int,
    retired,
    on: date,
    acting_user: User | None,
) -> None:
    merchants = _merchants(municipality, merchants_rows, region)
    for index, spec in enumerate(bundles):
        bundle = _bundle(municipality, merchants, spec, acting_user, featured=index % 5 == 0)
        if bundle is not None and index < len(bundles) - drafts:
            services.bundle_publish(bundle=bundle, acting_user=acting_user, on=on)
    for spec in retired:
        bundle = _bundle(municipality, merchants, spec, acting_user, featured=False)
        if bundle is not None:
            services.bundle_publish(bundle=bundle, acting_user=acting_user, on=on)
            services.bundle_retire(bundle=bundle, acting_user=acting_user)
    for merchant_index, email, name in MERCHANT_USERS.get(municipality.slug, []):
        user = demo_user(email, name, phone="")
        services.merchant_member_bind(merchant=merchants[merchant_index], user=user)


def seed_catalog() -> list[DemoLogin]:
    today = timezone.localdate()
    hadong = Municipality.objects.get(slug="hadong")
    namhae = Municipality.objects.get(slug="namhae")
    curator = User.objects.filter(email="curator@hadong.demo").first()
    _catalog(
        hadong,
        data.HADONG_MERCHANTS,
        data.HADONG_BUNDLES,
        region=12,
        drafts=data.HADONG_DRAFTS,
        retired=data.HADONG_RETIRED,
        on=today,
        acting_user=curator,
    )
    _catalog(
        namhae,
        data.NAMHAE_MERCHANTS,
        data.NAMHAE_BUNDLES,
        region=13,
        drafts=0,
        retired=[],
        on=today,
        acting_user=User.objects.filter(email="admin@namhae.demo").first(),
    )
    # One product went off sale after its bundle was published: the staff home lists the bundle to fix.
    eel_soup = Product.objects.for_tenant(hadong).filter(name="장어탕", is_active=True).first()
    if eel_soup is not None:
        services.product_update(product=eel_soup, is_active=False)
    return [
        DemoLogin(email, name, "소상공인", municipality.name)
        for municipality in (hadong,)
        for _index, email, name in MERCHANT_USERS["hadong"]
    ]
