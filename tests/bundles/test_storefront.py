import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bundles.models import Bundle, BundleImage, Cadence, Category, Plan, StorageClass
from bundles.services import bundle_create, bundle_publish, bundle_set_hero_image, bundle_set_item, plan_set
from bundles.storefront_prices import PlanPrices, PrepaidOption, plan_prices
from municipalities.models import Role
from tests.bundles.factories import BundleFactory, BundleItemFactory, MerchantFactory, PlanFactory, ProductFactory
from tests.municipalities.factories import MembershipFactory

MAY = date(2026, 5, 15)
# Queries of one page, whatever the size of the catalog (tenant, lists, prefetched plans/items/gallery).
HOME_QUERIES = 6
DETAIL_QUERIES = 6  # one more than before: the tourism offers section (municipalities.area_ui)
MERCHANT_QUERIES = 5


# --- helpers -----------------------------------------------------------------------------------------------
def home_url(municipality) -> str:
    return reverse("bundles:storefront", kwargs={"municipality_slug": municipality.slug})


def detail_url(municipality, slug: str) -> str:
    return reverse("bundles:detail", kwargs={"municipality_slug": municipality.slug, "bundle_slug": slug})


def merchant_url(municipality, merchant_id: int) -> str:
    return reverse("bundles:merchant", kwargs={"municipality_slug": municipality.slug, "merchant_id": merchant_id})


def published_bundle(municipality, *, price_won: int = 39_000, cadences=(Cadence.MONTHLY,), **fields) -> Bundle:
    bundle = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED, **fields)
    for cadence in cadences:
        PlanFactory(bundle=bundle, cadence=cadence, price_won=price_won)
    return bundle


def listed_names(response) -> list[str]:
    return [bundle.name for bundle in response.context["page"].object_list]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def jpeg_upload(name: str = "hero.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (46, 125, 50)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


# --- storefront_prices (pure) ------------------------------------------------------------------------------
def test_plan_prices_weekly_with_prepaid_terms():
    # given
    plan = Plan(
        cadence=Cadence.WEEKLY,
        price_won=39_000,
        shipping_fee_won=3_000,
        prepay_3_discount_bp=500,
        prepay_12_discount_bp=1_000,
    )
    # when
    prices = plan_prices(plan)
    # then
    assert prices == PlanPrices(
        plan=plan,
        cadence="weekly",
        cadence_label="매주",
        price_per_box_won=39_000,
        shipping_fee_won=3_000,
        per_month_won=169_000,
        prepaid=(
            PrepaidOption(term=3, discount_bp=500, price_per_box_won=37_050, total_won=111_150),
            PrepaidOption(term=12, discount_bp=1_000, price_per_box_won=35_100, total_won=421_200),
        ),
    )


@pytest.mark.parametrize(
    ("cadence", "per_month_won"),
    [(Cadence.WEEKLY, 169_000), (Cadence.BIWEEKLY, 84_500), (Cadence.MONTHLY, 39_000)],
)
def test_plan_prices_per_month_follows_the_cadence(cadence, per_month_won):
    # given
    plan = Plan(cadence=cadence, price_won=39_000)
    # when
    prices = plan_prices(plan)
    # then
    assert prices.per_month_won == per_month_won
    assert prices.prepaid == ()


def test_plan_prices_round_the_discount_down_to_the_won():
    # given: 3.33 % of 33,333원 is 1,109.99원
    plan = Plan(cadence=Cadence.MONTHLY, price_won=33_333, prepay_6_discount_bp=333)
    # when
    prices = plan_prices(plan)
    # then
    assert prices.prepaid == (PrepaidOption(term=6, discount_bp=333, price_per_box_won=32_224, total_won=193_344),)


@pytest.mark.parametrize(("discount_bp", "shown"), [(1_000, "10"), (250, "2.5"), (1_234, "12.34"), (5, "0.05")])
def test_prepaid_discount_percent_is_written_without_trailing_zeros(discount_bp, shown):
    option = PrepaidOption(term=3, discount_bp=discount_bp, price_per_box_won=1, total_won=3)
    assert option.discount_percent == shown


# --- home --------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_home_lists_published_bundles_only_in_korean(client, municipality, other_municipality):
    # given
    published_bundle(municipality, name="지리산 산나물 꾸러미", summary="봄 산나물을 한 상자에")
    BundleFactory(municipality=municipality, name="작성 중인 꾸러미", status=Bundle.Status.DRAFT)
    PlanFactory(bundle=BundleFactory(municipality=municipality, name="판매 끝난 꾸러미", status=Bundle.Status.RETIRED))
    published_bundle(other_municipality, name="남해 멸치·다시마 세트")
    # when
    response = client.get(home_url(municipality))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert listed_names(response) == ["지리산 산나물 꾸러미"]
    assert '<html lang="ko"' in body
    assert "하동 꾸러미몰" in body
    assert "1회 39,000원부터" in body
    assert "봄 산나물을 한 상자에" in body
    assert "작성 중인 꾸러미" not in body
    assert "판매 끝난 꾸러미" not in body
    assert "남해 멸치·다시마 세트" not in body


@pytest.mark.django_db
def test_home_shows_featured_bundles_first_without_filters(client, municipality):
    # given
    published_bundle(municipality, name="가 꾸러미")
    published_bundle(municipality, name="나 추천 꾸러미", featured=True)
    # when
    response = client.get(home_url(municipality))
    # then
    assert [b.name for b in response.context["featured"]] == ["나 추천 꾸러미"]
    assert listed_names(response) == ["나 추천 꾸러미", "가 꾸러미"]
    assert "추천 꾸러미" in response.content.decode()


@pytest.mark.django_db
def test_bundle_card_without_image_shows_the_category_instead(client, municipality):
    # given
    published_bundle(municipality, name="이름만 있는 꾸러미", hero_image="", category=Category.SEAFOOD)
    # when
    body = client.get(home_url(municipality)).content.decode()
    # then
    assert '<img class="sf-media"' not in body
    assert '<div class="sf-media sf-media-empty"><span>수산물</span></div>' in body


@pytest.mark.django_db
def test_bundle_card_shows_cadences_storage_and_image_with_alt(client, municipality):
    # given
    published_bundle(
        municipality,
        name="섬진강 재첩국",
        storage_class=StorageClass.FROZEN,
        cadences=(Cadence.MONTHLY, Cadence.WEEKLY),
        hero_image="bundles/jaecheop.jpg",
    )
    # when
    body = client.get(home_url(municipality)).content.decode()
    # then
    assert 'src="/media/bundles/jaecheop.jpg" alt="섬진강 재첩국" width="600" height="400"' in body
    assert body.index("</span>매주</span>") < body.index("</span>매월</span>")
    assert '<span class="sr-only">보관 </span>냉동</span>' in body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 40])
def test_home_runs_a_fixed_number_of_queries(client, municipality, django_assert_max_num_queries, count):
    # given: every bundle with three plans, some featured
    for n in range(count):
        published_bundle(
            municipality,
            name=f"꾸러미 {n:02d}",
            featured=n % 5 == 0,
            cadences=(Cadence.WEEKLY, Cadence.BIWEEKLY, Cadence.MONTHLY),
        )
    # when
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get(home_url(municipality))
    # then
    assert response.status_code == 200
    assert len(listed_names(response)) == min(count, 24)


@pytest.mark.django_db
def test_home_paginates_24_bundles_a_page(client, municipality):
    # given
    for n in range(30):
        published_bundle(municipality, name=f"꾸러미 {n:02d}")
    # when
    first = client.get(home_url(municipality))
    second = client.get(home_url(municipality), {"page": "2"})
    # then
    assert listed_names(first) == [f"꾸러미 {n:02d}" for n in range(24)]
    assert listed_names(second) == [f"꾸러미 {n:02d}" for n in range(24, 30)]
    assert 'href="?page=2"' in first.content.decode()


@pytest.mark.django_db
def test_home_filters_by_category(client, municipality):
    # given
    published_bundle(municipality, name="산나물 꾸러미", category=Category.PRODUCE)
    published_bundle(municipality, name="멸치 꾸러미", category=Category.SEAFOOD)
    # when
    response = client.get(home_url(municipality), {"category": "seafood"})
    # then
    assert listed_names(response) == ["멸치 꾸러미"]
    assert response.context["featured"] == []


@pytest.mark.django_db
def test_home_filters_by_cadence(client, municipality):
    # given
    published_bundle(municipality, name="매주 꾸러미", cadences=(Cadence.WEEKLY,))
    published_bundle(municipality, name="매월 꾸러미", cadences=(Cadence.MONTHLY,))
    # when
    response = client.get(home_url(municipality), {"cadence": "weekly"})
    # then
    assert listed_names(response) == ["매주 꾸러미"]


@pytest.mark.django_db
def test_home_filters_by_max_price_per_box(client, municipality):
    # given
    published_bundle(municipality, name="3만원 꾸러미", price_won=30_000)
    published_bundle(municipality, name="3만9천원 꾸러미", price_won=39_000)
    published_bundle(municipality, name="5만원 꾸러미", price_won=50_000)
    # when
    response = client.get(home_url(municipality), {"max_price": "39000"})
    # then
    assert listed_names(response) == ["3만9천원 꾸러미", "3만원 꾸러미"]


@pytest.mark.django_db
def test_home_combines_filters(client, municipality):
    # given
    published_bundle(municipality, name="싼 매주 농산물", price_won=20_000, cadences=(Cadence.WEEKLY,))
    published_bundle(municipality, name="비싼 매주 농산물", price_won=60_000, cadences=(Cadence.WEEKLY,))
    published_bundle(municipality, name="싼 매월 농산물", price_won=20_000, cadences=(Cadence.MONTHLY,))
    published_bundle(
        municipality, name="싼 매주 수산물", price_won=20_000, cadences=(Cadence.WEEKLY,), category=Category.SEAFOOD
    )
    # when
    response = client.get(home_url(municipality), {"category": "produce", "cadence": "weekly", "max_price": "30000"})
    # then
    assert listed_names(response) == ["싼 매주 농산물"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["만원", "-1", "1e9", "99999999999999999999999"])
def test_bad_max_price_is_ignored_with_a_message(client, municipality, bad):
    # given
    published_bundle(municipality, name="산나물 꾸러미", category=Category.PRODUCE)
    published_bundle(municipality, name="멸치 꾸러미", category=Category.SEAFOOD)
    # when
    response = client.get(home_url(municipality), {"max_price": bad, "category": "seafood"})
    # then: the valid condition still applies
    assert response.status_code == 200
    assert listed_names(response) == ["멸치 꾸러미"]
    assert messages_of(response) == ["잘못 입력한 검색 조건은 빼고 보여 드립니다: 1회 가격 (원 이하)"]


@pytest.mark.django_db
def test_unknown_category_and_cadence_are_ignored_with_a_message(client, municipality):
    # given
    published_bundle(municipality, name="산나물 꾸러미")
    # when
    response = client.get(home_url(municipality), {"category": "<script>", "cadence": "daily", "page": "x"})
    # then
    assert response.status_code == 200
    assert listed_names(response) == ["산나물 꾸러미"]
    assert messages_of(response) == ["잘못 입력한 검색 조건은 빼고 보여 드립니다: 분류, 배송 주기"]
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_home_of_an_unknown_municipality_is_404(client):
    assert client.get("/no-such-town/").status_code == 404


# --- bundle detail -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_detail_shows_prices_in_korean_won(client, municipality, settings, tmp_path):
    # given: a bundle built and published through the real services
    settings.MEDIA_ROOT = tmp_path
    bundle = bundle_create(
        municipality=municipality,
        acting_user=None,
        name="지리산 산나물 꾸러미",
        summary="봄 산나물을 한 상자에",
        category=Category.PRODUCE,
        description="고사리, 취나물, 두릅을 그날 아침에 뜯어 보냅니다.",
    )
    product = ProductFactory(merchant=MerchantFactory(municipality=municipality), supply_price_won=20_000)
    bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    plan_set(
        bundle=bundle,
        cadence=Cadence.WEEKLY,
        acting_user=None,
        price_won=39_000,
        shipping_fee_won=3_000,
        prepay_12_discount_bp=1_000,
    )
    bundle_set_hero_image(bundle=bundle, upload=jpeg_upload(), acting_user=None)
    bundle_publish(bundle=bundle, acting_user=None, on=MAY)
    # when
    response = client.get(detail_url(municipality, bundle.slug))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert bundle.slug == "지리산-산나물-꾸러미"
    assert '<h1 class="page-title sf-title">지리산 산나물 꾸러미</h1>' in body
    assert "고사리, 취나물, 두릅을 그날 아침에 뜯어 보냅니다." in body
    assert "1회 39,000원" in body
    assert "월 약 169,000원" in body
    assert "배송비 1회 3,000원" in body
    assert "12회 선결제 · 10% 할인" in body
    assert "1회 35,100원 · 합계 421,200원" in body
    assert "3회 선결제" not in body
    checkout = reverse(
        "subscriptions:checkout", kwargs={"municipality_slug": municipality.slug, "bundle_slug": bundle.slug}
    )
    assert f'<a href="{checkout}" class="krds-btn primary large sf-cta">구독하기</a>' in body
    assert 'id="plans"' in body


@pytest.mark.django_db
def test_detail_shows_what_is_inside_with_each_merchant(client, municipality):
    # given
    merchant = MerchantFactory(
        municipality=municipality, name="화개 녹차농원", story="3대째 지리산 자락에서 녹차를 가꿉니다."
    )
    bundle = published_bundle(municipality, name="하동 녹차 꾸러미", storage_class=StorageClass.CHILLED)
    product = ProductFactory(merchant=merchant, name="우전 녹차", unit="40g", photo="products/ujeon.jpg")
    BundleItemFactory(bundle=bundle, product=product, quantity=2)
    # when
    body = client.get(detail_url(municipality, bundle.slug)).content.decode()
    # then
    assert '<img class="sf-item-img" src="/media/products/ujeon.jpg" alt="우전 녹차"' in body
    assert "40g × 2" in body
    assert f'<a href="{merchant_url(municipality, merchant.pk)}">화개 녹차농원</a>' in body
    assert "3대째 지리산 자락에서 녹차를 가꿉니다." in body
    assert "냉장/냉동 상품은 아이스박스로 배송됩니다." in body
    assert "함께 받는 관광 혜택" not in body


@pytest.mark.django_db
def test_detail_of_an_ambient_bundle_has_no_ice_box_note(client, municipality):
    bundle = published_bundle(municipality, storage_class=StorageClass.AMBIENT)
    body = client.get(detail_url(municipality, bundle.slug)).content.decode()
    assert "아이스박스" not in body


@pytest.mark.django_db
def test_detail_has_open_graph_tags_for_sharing(client, municipality):
    # given
    bundle = published_bundle(
        municipality,
        name="남해 멸치·다시마 세트",
        slug="anchovy",
        summary="국물 맛을 내는 남해의 바다",
        hero_image="bundles/anchovy.jpg",
    )
    # when
    body = client.get(detail_url(municipality, bundle.slug)).content.decode()
    # then
    head = body.split("</head>")[0]
    assert '<meta property="og:title" content="남해 멸치·다시마 세트">' in head
    assert '<meta property="og:description" content="국물 맛을 내는 남해의 바다">' in head
    assert '<meta property="og:image" content="http://testserver/media/bundles/anchovy.jpg">' in head
    assert '<meta property="og:url" content="http://testserver/hadong/bundles/anchovy/">' in head
    assert '<meta property="og:type" content="product">' in head
    assert '<meta property="og:site_name" content="하동 꾸러미몰">' in head
    assert '<meta name="twitter:card" content="summary_large_image">' in head


@pytest.mark.django_db
def test_detail_shows_the_gallery_with_alt_texts(client, municipality):
    # given
    bundle = published_bundle(municipality, name="악양 대봉감 꾸러미")
    BundleImage.objects.create(
        municipality=municipality, bundle=bundle, image="bundles/gallery/gam.jpg", alt="햇볕에 말리는 곶감"
    )
    # when
    body = client.get(detail_url(municipality, bundle.slug)).content.decode()
    # then
    assert 'alt="악양 대봉감 꾸러미" width="1200" height="800"' in body
    assert (
        'src="/media/bundles/gallery/gam.jpg" alt="햇볕에 말리는 곶감" width="300" height="200" loading="lazy"' in body
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("bundles", "items"), [(3, 1), (40, 6)])
def test_detail_runs_a_fixed_number_of_queries(client, municipality, django_assert_max_num_queries, bundles, items):
    # given: `bundles` bundles of `items` items, each item from its own merchant, three plans and a gallery
    products = [ProductFactory(merchant=MerchantFactory(municipality=municipality)) for _ in range(items)]
    for n in range(bundles):
        bundle = published_bundle(
            municipality, slug=f"b{n}", cadences=(Cadence.WEEKLY, Cadence.BIWEEKLY, Cadence.MONTHLY)
        )
        Plan.objects.filter(bundle=bundle).update(prepay_3_discount_bp=300, prepay_12_discount_bp=1_000)
        for product in products:
            BundleItemFactory(bundle=bundle, product=product)
        for position in range(items):
            BundleImage.objects.create(
                municipality=municipality, bundle=bundle, image=f"g/{n}-{position}.jpg", alt="사진", position=position
            )
    # when
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get(detail_url(municipality, "b0"))
    # then
    assert response.status_code == 200
    assert len(response.context["items"]) == items
    assert len(response.context["plans"]) == 3


@pytest.mark.django_db
def test_bundle_slug_of_another_municipality_is_404(client, municipality, other_municipality):
    # given
    published_bundle(other_municipality, name="남해 멸치·다시마 세트", slug="namhae-anchovy")
    # when
    response = client.get(detail_url(municipality, "namhae-anchovy"))
    # then
    assert response.status_code == 404
    assert "남해 멸치·다시마 세트" not in response.content.decode()
    assert client.get(detail_url(other_municipality, "namhae-anchovy")).status_code == 200


@pytest.mark.django_db
def test_same_slug_in_two_municipalities_shows_each_its_own(client, municipality, other_municipality):
    # given
    published_bundle(municipality, name="하동 제철 꾸러미", slug="season")
    published_bundle(other_municipality, name="남해 제철 꾸러미", slug="season")
    # when
    response = client.get(detail_url(municipality, "season"))
    # then
    assert response.context["bundle"].name == "하동 제철 꾸러미"
    assert "남해 제철 꾸러미" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Bundle.Status.DRAFT, Bundle.Status.RETIRED])
def test_unpublished_bundle_is_404_for_the_public_even_asking_for_a_preview(client, municipality, status):
    # given
    bundle = BundleFactory(municipality=municipality, slug="draft", status=status)
    PlanFactory(bundle=bundle)
    # when
    plain = client.get(detail_url(municipality, "draft"))
    preview = client.get(detail_url(municipality, "draft"), {"preview": "1"})
    # then
    assert plain.status_code == 404
    assert preview.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CURATOR, Role.ADMIN])
def test_catalog_staff_preview_a_draft(client, municipality, role):
    # given
    bundle = BundleFactory(municipality=municipality, name="준비 중인 꾸러미", slug="draft")
    PlanFactory(bundle=bundle)
    client.force_login(MembershipFactory(municipality=municipality, role=role).user)
    # when
    without_preview = client.get(detail_url(municipality, "draft"))
    with_preview = client.get(detail_url(municipality, "draft"), {"preview": "1"})
    # then
    assert without_preview.status_code == 404
    assert with_preview.status_code == 200
    body = with_preview.content.decode()
    assert "미리보기입니다. 이 꾸러미는 지금 '작성 중' 상태라서 방문자에게는 보이지 않습니다." in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FINANCE, Role.LOGISTICS, Role.MERCHANT, Role.PARTNER])
def test_other_roles_cannot_preview_a_draft(client, municipality, role):
    # given
    BundleFactory(municipality=municipality, slug="draft")
    client.force_login(MembershipFactory(municipality=municipality, role=role).user)
    # when
    response = client.get(detail_url(municipality, "draft"), {"preview": "1"})
    # then
    assert response.status_code == 404


@pytest.mark.django_db
def test_curator_of_another_municipality_cannot_preview_a_draft(client, municipality, other_municipality):
    # given
    BundleFactory(municipality=municipality, slug="draft")
    client.force_login(MembershipFactory(municipality=other_municipality, role=Role.CURATOR).user)
    # when
    response = client.get(detail_url(municipality, "draft"), {"preview": "1"})
    # then
    assert response.status_code == 404


# --- merchant page -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_merchant_page_shows_story_products_and_bundles(client, municipality):
    # given
    merchant = MerchantFactory(
        municipality=municipality,
        name="화개 녹차농원",
        representative="김차인",
        category=Category.TEA,
        story="3대째 지리산 자락에서 녹차를 가꿉니다.",
    )
    tea = ProductFactory(merchant=merchant, name="우전 녹차", unit="40g")
    ProductFactory(merchant=merchant, name="단종된 홍차", is_active=False)
    bundle = published_bundle(municipality, name="하동 녹차 꾸러미")
    BundleItemFactory(bundle=bundle, product=tea)
    draft = BundleFactory(municipality=municipality, name="준비 중인 차 꾸러미")
    BundleItemFactory(bundle=draft, product=tea)
    # when
    response = client.get(merchant_url(municipality, merchant.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="page-title sf-title">화개 녹차농원</h1>' in body
    assert "김차인" in body
    assert "차·음료" in body
    assert "3대째 지리산 자락에서 녹차를 가꿉니다." in body
    assert [p.name for p in response.context["products"]] == ["우전 녹차"]
    assert [b.name for b in response.context["bundles"]] == ["하동 녹차 꾸러미"]
    assert "단종된 홍차" not in body
    assert "준비 중인 차 꾸러미" not in body
    assert "1회 39,000원부터" in body


@pytest.mark.django_db
def test_merchant_of_another_municipality_is_404(client, municipality, other_municipality):
    # given
    merchant = MerchantFactory(municipality=other_municipality, name="남해 멸치상회")
    # when
    response = client.get(merchant_url(municipality, merchant.pk))
    # then
    assert response.status_code == 404
    assert "남해 멸치상회" not in response.content.decode()
    assert client.get(merchant_url(other_municipality, merchant.pk)).status_code == 200


@pytest.mark.django_db
def test_inactive_merchant_page_is_404(client, municipality):
    merchant = MerchantFactory(municipality=municipality, is_active=False)
    assert client.get(merchant_url(municipality, merchant.pk)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("products", "bundles"), [(1, 1), (12, 30)])
def test_merchant_page_runs_a_fixed_number_of_queries(
    client, municipality, django_assert_max_num_queries, products, bundles
):
    # given
    merchant = MerchantFactory(municipality=municipality)
    goods = [ProductFactory(merchant=merchant) for _ in range(products)]
    for n in range(bundles):
        bundle = published_bundle(municipality, slug=f"b{n}", cadences=(Cadence.WEEKLY, Cadence.MONTHLY))
        BundleItemFactory(bundle=bundle, product=goods[n % products])
    # when
    with django_assert_max_num_queries(MERCHANT_QUERIES):
        response = client.get(merchant_url(municipality, merchant.pk))
    # then
    assert len(response.context["products"]) == products
    assert len(response.context["bundles"]) == bundles
