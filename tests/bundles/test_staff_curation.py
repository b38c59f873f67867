import csv
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bundles.display import mask_account_number
from bundles.forms import PlanForm
from bundles.models import Bundle, BundleEvent, BundleItem, Merchant, Plan, Product
from bundles.product_csv import HEADER
from bundles.services import bundle_set_item
from municipalities import staff_ui
from municipalities.models import PersonalDataAccess, Role
from tests.bundles.factories import BundleFactory, BundleItemFactory, MerchantFactory, PlanFactory, ProductFactory
from tests.municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db
MAY = "2026-05-15 10:00 +09:00"
FULL_ACCOUNT = "302-1234-5678-91"  # MerchantFactory's account


def url(name: str, municipality, **kwargs) -> str:
    return reverse(f"bundles:{name}", kwargs={"municipality_slug": municipality.slug, **kwargs})


def staff(municipality, role: str):
    return MembershipFactory(municipality=municipality, role=role).user


def png(width: int = 400, height: int = 300, name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def text_of(response, name: str) -> str:
    match = re.search(rf'data-testid="{name}">([^<]*)<', response.content.decode())
    assert match, f"{name} not in response"
    return match.group(1)


@pytest.fixture
def curator(municipality):
    return staff(municipality, Role.CURATOR)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- Merchants and the payout account ----------------------------------------------------------------------
def test_finance_sees_the_full_account_number_and_the_view_is_logged(client, municipality):
    # given
    merchant = MerchantFactory(municipality=municipality)
    finance = staff(municipality, Role.FINANCE)
    client.force_login(finance)
    # when
    response = client.get(url("staff-merchant", municipality, merchant_id=merchant.pk))
    # then
    assert response.status_code == 200
    assert FULL_ACCOUNT in response.content.decode()
    access = PersonalDataAccess.objects.get()
    assert (access.accessor, access.subject_id) == (finance, str(merchant.pk))


def test_curator_sees_the_account_masked_to_its_last_four_digits(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(curator)
    # when
    response = client.get(url("staff-merchant", municipality, merchant_id=merchant.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "***-****-**78-91" in body
    assert FULL_ACCOUNT not in body
    assert PersonalDataAccess.objects.count() == 0


def _profile_post(merchant: Merchant, **changes) -> dict:
    data = {
        "section": "profile",
        "name": merchant.name,
        "representative": merchant.representative,
        "business_registration_number": merchant.business_registration_number,
        "phone": merchant.phone,
        "address": merchant.address,
        "category": merchant.category,
        "tax_status": merchant.tax_status,
        "story": merchant.story,
        "is_active": "on",
    }
    return data | changes


def test_curator_posting_bank_fields_changes_nothing_of_the_account(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(curator)
    data = _profile_post(
        merchant, name="새이름농원", bank_code="004", account_number="999-999-999999", account_holder="남"
    )
    # when
    response = client.post(url("staff-merchant", municipality, merchant_id=merchant.pk), data)
    # then
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert merchant.name == "새이름농원"
    assert (merchant.bank_code, merchant.account_number, merchant.account_holder) == ("011", FULL_ACCOUNT, "김농부")


def test_curator_cannot_post_the_bank_section(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-merchant", municipality, merchant_id=merchant.pk),
        {"section": "bank", "bank_code": "004", "account_number": "999-999-999999", "account_holder": "남"},
    )
    # then
    assert response.status_code == 403
    merchant.refresh_from_db()
    assert (merchant.bank_code, merchant.account_number, merchant.account_holder) == ("011", FULL_ACCOUNT, "김농부")


def test_finance_changes_only_the_account(client, municipality):
    # given
    merchant = MerchantFactory(municipality=municipality)
    original_name = merchant.name
    client.force_login(staff(municipality, Role.FINANCE))
    # when
    response = client.post(
        url("staff-merchant", municipality, merchant_id=merchant.pk),
        {
            "section": "bank",
            "bank_code": "004",
            "account_number": "123-45-678901",
            "account_holder": "김농부",
            "name": "바뀌면안됨",
        },
    )
    # then
    assert response.status_code == 302
    merchant.refresh_from_db()
    assert (merchant.bank_code, merchant.account_number, merchant.name) == ("004", "123-45-678901", original_name)


def test_logistics_cannot_open_the_merchant_page(client, municipality):
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(staff(municipality, Role.LOGISTICS))
    assert client.get(url("staff-merchant", municipality, merchant_id=merchant.pk)).status_code == 403


def test_curator_registers_a_merchant_with_a_normalised_business_number(client, municipality, curator):
    # given
    client.force_login(curator)
    data = _profile_post(MerchantFactory.build(municipality=municipality), name="화개장터 참기름")
    data["business_registration_number"] = data["business_registration_number"].replace("-", "")
    # when
    response = client.post(url("staff-merchant-create", municipality), data)
    # then
    merchant = Merchant.objects.get(name="화개장터 참기름")
    assert response.status_code == 302
    assert re.fullmatch(r"\d{3}-\d{2}-\d{5}", merchant.business_registration_number)
    assert merchant.account_number == ""


def test_a_bad_business_number_is_refused_in_korean(client, municipality, curator):
    # given
    client.force_login(curator)
    data = _profile_post(MerchantFactory.build(municipality=municipality), business_registration_number="123-45-67890")
    # when
    response = client.post(url("staff-merchant-create", municipality), data)
    # then
    assert response.status_code == 200
    assert "사업자등록번호가 올바르지 않습니다" in response.content.decode()
    assert Merchant.objects.count() == 0


# --- Tenancy ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("page", "kind"),
    [
        ("staff-merchant", "merchant"),
        ("staff-product-import", "merchant"),
        ("staff-product-export", "merchant"),
        ("staff-product", "product"),
        ("staff-bundle", "bundle"),
        ("staff-bundle-search", "bundle"),
    ],
)
def test_another_towns_ids_are_404_on_staff_pages(client, municipality, other_municipality, staff_admin, page, kind):
    # given: objects of the other town, opened through our town's URLs
    item = BundleItemFactory(bundle__municipality=other_municipality)
    ids = {"merchant": item.product.merchant_id, "product": item.product_id, "bundle": item.bundle_id}
    client.force_login(staff_admin)
    # when
    response = client.get(url(page, municipality, **{f"{kind}_id": ids[kind]}))
    # then
    assert response.status_code == 404


def test_another_towns_bundle_cannot_get_plans_items_or_status(client, municipality, other_municipality, staff_admin):
    # given
    bundle = BundleFactory(municipality=other_municipality)
    own_product = ProductFactory(merchant__municipality=municipality)
    client.force_login(staff_admin)
    # when
    responses = [
        client.post(
            url("staff-bundle-plans", municipality, bundle_id=bundle.pk),
            {"cadence": "weekly", "weekly-price_won": "30000"},
        ),
        client.post(
            url("staff-bundle-items", municipality, bundle_id=bundle.pk),
            {"product_id": own_product.pk, "quantity": "1"},
        ),
        client.post(url("staff-bundle-status", municipality, bundle_id=bundle.pk), {"action": "retire"}),
        client.post(url("staff-bundle-duplicate", municipality, bundle_id=bundle.pk), {"name": "복제"}),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Plan.objects.count() == 0
    assert BundleItem.objects.count() == 0
    assert Bundle.objects.get(pk=bundle.pk).status == Bundle.Status.DRAFT
    assert Bundle.objects.count() == 1


def test_another_towns_product_cannot_be_put_in_a_bundle(client, municipality, other_municipality, curator):
    # given
    bundle = BundleFactory(municipality=municipality)
    foreign = ProductFactory(merchant__municipality=other_municipality)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-items", municipality, bundle_id=bundle.pk), {"product_id": foreign.pk, "quantity": "1"}
    )
    # then
    assert response.status_code == 404
    assert BundleItem.objects.count() == 0


def test_lists_show_only_this_towns_rows(client, municipality, other_municipality, staff_admin):
    # given
    ours = ProductFactory(merchant__municipality=municipality)
    ProductFactory(merchant__municipality=other_municipality)
    client.force_login(staff_admin)
    # when
    response = client.get(url("staff-products", municipality))
    # then
    assert [row.record.pk for row in response.context["table"].rows] == [ours.pk]


@pytest.mark.parametrize("page", ["staff-merchant-create", "staff-product-create", "staff-bundle-create"])
def test_finance_and_logistics_cannot_create_catalog_entries(client, municipality, page):
    for role in (Role.FINANCE, Role.LOGISTICS):
        client.force_login(staff(municipality, role))
        assert client.get(url(page, municipality)).status_code == 403


@pytest.mark.parametrize("page", ["staff-merchants", "staff-products", "staff-bundles", "staff-plans"])
def test_every_staff_role_opens_the_lists(client, municipality, page):
    for role in (Role.ADMIN, Role.CURATOR, Role.FINANCE, Role.LOGISTICS):
        client.force_login(staff(municipality, role))
        assert client.get(url(page, municipality)).status_code == 200


# --- Lists: query counts and CSV ---------------------------------------------------------------------------
def _catalog(municipality, n: int) -> None:
    merchants = MerchantFactory.create_batch(3, municipality=municipality)
    for i in range(n):
        item = BundleItemFactory(bundle__municipality=municipality, product__merchant=merchants[i % 3])
        PlanFactory(bundle=item.bundle)


@pytest.mark.parametrize(
    ("page", "bound"),
    # tenant, session, user, roles, row count, rows (+ the merchant filter's choices on the product list)
    [("staff-merchants", 6), ("staff-products", 7), ("staff-bundles", 6), ("staff-plans", 6)],
)
def test_list_query_count_does_not_grow_with_rows(
    client, municipality, staff_admin, django_assert_max_num_queries, page, bound
):
    # given
    client.force_login(staff_admin)
    _catalog(municipality, 5)
    with django_assert_max_num_queries(bound):
        assert client.get(url(page, municipality)).status_code == 200
    # when: twelve times as many rows
    _catalog(municipality, 55)
    # then: the same bound holds
    with django_assert_max_num_queries(bound):
        assert client.get(url(page, municipality)).status_code == 200


def test_product_list_query_count_is_the_same_for_5_and_60_products(
    client, municipality, staff_admin, django_assert_max_num_queries
):
    # given
    client.force_login(staff_admin)
    merchant = MerchantFactory(municipality=municipality)
    ProductFactory.create_batch(5, merchant=merchant)
    with django_assert_max_num_queries(7) as five:
        client.get(url("staff-products", municipality))
    # when
    ProductFactory.create_batch(55, merchant=MerchantFactory(municipality=municipality))
    with django_assert_max_num_queries(7) as sixty:
        response = client.get(url("staff-products", municipality))
    # then
    assert response.context["table"].paginator.count == 60
    assert len(sixty.captured_queries) == len(five.captured_queries)


def test_csv_export_has_a_bom_and_every_filtered_row_across_pages(client, municipality, staff_admin):
    # given: 30 teas (more than one page) and 4 other products
    merchant = MerchantFactory(municipality=municipality, name="화개제다")
    ProductFactory.create_batch(30, merchant=merchant, name=factory_name("녹차"))
    ProductFactory.create_batch(4, merchant=MerchantFactory(municipality=municipality), name=factory_name("곶감"))
    client.force_login(staff_admin)
    # when
    response = client.get(url("staff-products", municipality), {"q": "녹차", "export": "csv", "page": "2"})
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["상품명", "소상공인", "단위", "보관", "공급가", "과세 구분", "회차당 수량", "판매"]
    assert len(rows) == 1 + 30
    assert {row[1] for row in rows[1:]} == {"화개제다"}
    assert rows[1][4:] == ["10000", "면세", "100", "예"]


def factory_name(word: str):
    import factory

    return factory.Sequence(lambda n: f"{word} {n:03d}")


def test_bundle_list_filters_by_status(client, municipality, staff_admin):
    # given
    published = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED)
    BundleFactory(municipality=municipality)
    client.force_login(staff_admin)
    # when
    response = client.get(url("staff-bundles", municipality), {"status": "published"})
    # then
    assert [row.record.pk for row in response.context["table"].rows] == [published.pk]


# --- CSV import ----------------------------------------------------------------------------------------------
def _csv_upload(rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile("products.csv", buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


GOOD_ROW = ["GT-01", "우전 녹차", "첫물 녹차", "50g", "차·음료", "상온", "18,000", "면세", "40", "4-6", "Y"]


def test_import_with_one_bad_row_applies_nothing_and_lists_the_row(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    existing = ProductFactory(merchant=merchant, sku="GT-01", supply_price_won=1_000)
    bad = ["GT-02", "매실청", "", "500ml", "가공식품", "미지근", "9500", "과세", "25", "연중", "Y"]
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-product-import", municipality, merchant_id=merchant.pk), {"file": _csv_upload([GOOD_ROW, bad])}
    )
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "아무것도 반영하지 않았습니다" in body
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "보관")]
    assert "3행" in body and "상온, 냉장, 냉동 중 하나로 입력해 주세요." in body
    existing.refresh_from_db()
    assert existing.supply_price_won == 1_000
    assert Product.objects.count() == 1


def test_import_of_a_good_file_reports_added_and_changed(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    ProductFactory(merchant=merchant, sku="GT-01", supply_price_won=1_000)
    new = ["GT-02", "매실청", "", "500ml", "가공식품", "냉장", "9500", "과세", "25", "연중", "Y"]
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-product-import", municipality, merchant_id=merchant.pk),
        {"file": _csv_upload([GOOD_ROW, new])},
        follow=True,
    )
    # then
    assert "1건 추가, 1건 수정" in response.content.decode()
    assert Product.objects.get(sku="GT-01").supply_price_won == 18_000
    assert Product.objects.filter(merchant=merchant).count() == 2


def test_import_page_shows_the_columns_and_an_example(client, municipality, curator):
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(curator)
    body = client.get(url("staff-product-import", municipality, merchant_id=merchant.pk)).content.decode()
    assert ",".join(HEADER) in body
    assert "HD-001" in body


def test_product_export_downloads_that_merchants_products(client, municipality, staff_admin):
    merchant = MerchantFactory(municipality=municipality)
    ProductFactory(merchant=merchant, sku="A-1")
    ProductFactory(merchant__municipality=municipality, sku="B-1")
    client.force_login(staff_admin)
    response = client.get(url("staff-product-export", municipality, merchant_id=merchant.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response.content.startswith("\ufeff".encode())
    assert [row[0] for row in rows] == ["상품코드", "A-1"]


# --- Products ----------------------------------------------------------------------------------------------
def test_a_file_that_is_not_an_image_shows_a_korean_error_and_changes_nothing(client, municipality, curator):
    # given
    product = ProductFactory(merchant__municipality=municipality, name="우전 녹차")
    client.force_login(curator)
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    data = {
        "sku": product.sku,
        "name": "이름이 바뀌면 안 됨",
        "unit": product.unit,
        "category": product.category,
        "storage_class": product.storage_class,
        "supply_price_won": "12000",
        "tax_type": product.tax_type,
        "stock_per_cycle": "10",
        "season": ["1", "2"],
        "is_active": "on",
        "photo": fake,
    }
    # when
    response = client.post(url("staff-product", municipality, product_id=product.pk), data)
    # then
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == ["이미지 파일이 아니거나 손상된 파일입니다."]
    product.refresh_from_db()
    assert (product.name, product.supply_price_won, product.photo.name) == ("우전 녹차", 10_000, "")


def test_product_form_saves_the_season_as_a_month_mask(client, municipality, curator):
    # given
    merchant = MerchantFactory(municipality=municipality)
    client.force_login(curator)
    data = {
        "merchant": merchant.pk,
        "sku": "NEW-1",
        "name": "햇 고사리",
        "unit": "200g",
        "category": "produce",
        "storage_class": "ambient",
        "supply_price_won": "15000",
        "tax_type": "exempt",
        "stock_per_cycle": "30",
        "season": ["3", "4", "5"],
        "is_active": "on",
        "photo": png(),
    }
    # when
    response = client.post(url("staff-product-create", municipality), data)
    # then
    product = Product.objects.get(sku="NEW-1")
    assert response.status_code == 302
    assert (product.months, product.merchant, product.municipality) == ([3, 4, 5], merchant, municipality)
    assert product.photo.name.endswith(".jpg")


def test_product_create_refuses_another_towns_merchant(client, municipality, other_municipality, curator):
    foreign = MerchantFactory(municipality=other_municipality)
    client.force_login(curator)
    response = client.post(url("staff-product-create", municipality), {"merchant": foreign.pk, "sku": "X"})
    assert response.status_code == 200
    assert "merchant" in response.context["form"].errors
    assert Product.objects.count() == 0


# --- The composer --------------------------------------------------------------------------------------------
@pytest.fixture
def draft(municipality):
    """A draft with an image and a ₩39,000 monthly plan, but no items yet."""
    bundle = BundleFactory(municipality=municipality, name="지리산 산나물 꾸러미")
    PlanFactory(bundle=bundle, cadence="monthly", price_won=39_000)
    return bundle


def test_adding_items_through_htmx_updates_the_summary_in_won(client, municipality, curator, draft):
    # given: commission 10 % and card fee 3.3 % (the town's defaults)
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000, storage_class="chilled")
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-items", municipality, bundle_id=draft.pk),
        {"product_id": product.pk, "quantity": "2"},
        headers={"HX-Request": "true"},
    )
    # then: 39,000 − 24,000 − 3,900 − 1,287 = 9,813
    assert response.status_code == 200
    assert 'id="bundle-summary" class="composer-summary" aria-labelledby="summary-title" hx-swap-oob="true"' in (
        response.content.decode()
    )
    assert text_of(response, "cost") == "24,000원"
    assert text_of(response, "margin-monthly") == "9,813원"
    assert "냉장" in response.content.decode()
    assert list(draft.items.values_list("product_id", "quantity")) == [(product.pk, 2)]
    assert Bundle.objects.get(pk=draft.pk).storage_class == "chilled"


def test_quantity_zero_removes_the_item_and_the_cost(client, municipality, curator, draft):
    # given
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=None)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-items", municipality, bundle_id=draft.pk),
        {"product_id": product.pk, "quantity": "0"},
        headers={"HX-Request": "true"},
    )
    # then
    assert text_of(response, "cost") == "0원"
    assert draft.items.count() == 0


def test_a_negative_quantity_is_refused_and_changes_nothing(client, municipality, curator, draft):
    # given
    product = ProductFactory(merchant__municipality=municipality)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=None)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-items", municipality, bundle_id=draft.pk),
        {"product_id": product.pk, "quantity": "-1"},
        headers={"HX-Request": "true"},
    )
    # then
    assert response.status_code == 200
    assert "수량은 0 이상으로 입력해 주세요 (0이면 구성에서 뺍니다)." in response.content.decode()
    assert list(draft.items.values_list("quantity", flat=True)) == [2]


def test_without_javascript_an_item_post_redirects_back_to_the_composer(client, municipality, curator, draft):
    # given
    product = ProductFactory(merchant__municipality=municipality)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-items", municipality, bundle_id=draft.pk), {"product_id": product.pk, "quantity": "3"}
    )
    # then
    assert response.status_code == 302
    assert response.url == url("staff-bundle", municipality, bundle_id=draft.pk) + "#items"
    assert list(draft.items.values_list("quantity", flat=True)) == [3]


def test_product_search_returns_matching_products_by_merchant_name(client, municipality, curator, draft):
    # given
    tea = ProductFactory(merchant=MerchantFactory(municipality=municipality, name="화개제다"), name="우전")
    ProductFactory(merchant=MerchantFactory(municipality=municipality, name="악양곶감"), name="곶감")
    client.force_login(curator)
    # when
    response = client.get(
        url("staff-bundle-search", municipality, bundle_id=draft.pk), {"q": "화개"}, headers={"HX-Request": "true"}
    )
    # then
    assert [product.pk for product, _qty in response.context["results"]] == [tea.pk]
    assert 'id="product-results"' in response.content.decode()


def test_search_without_javascript_goes_to_the_composer_with_results(client, municipality, curator, draft):
    tea = ProductFactory(merchant__municipality=municipality, name="우전 녹차")
    client.force_login(curator)
    response = client.get(url("staff-bundle-search", municipality, bundle_id=draft.pk), {"q": "녹차"}, follow=True)
    assert [product.pk for product, _qty in response.context["results"]] == [tea.pk]


def test_plan_discounts_in_percent_are_stored_as_exact_basis_points(client, municipality, curator, draft):
    # given
    client.force_login(curator)
    data = {
        "cadence": "weekly",
        "weekly-price_won": "15000",
        "weekly-shipping_fee_won": "3000",
        "weekly-prepay_3_percent": "7.5",
        "weekly-prepay_6_percent": "12.25",
        "weekly-prepay_12_percent": "0.01",
        "weekly-is_active": "on",
    }
    # when
    response = client.post(url("staff-bundle-plans", municipality, bundle_id=draft.pk), data)
    # then
    plan = Plan.objects.get(bundle=draft, cadence="weekly")
    assert response.status_code == 302
    assert (plan.price_won, plan.shipping_fee_won) == (15_000, 3_000)
    assert (plan.prepay_3_discount_bp, plan.prepay_6_discount_bp, plan.prepay_12_discount_bp) == (750, 1225, 1)
    assert (plan.is_active, plan.allow_mid_cycle_start) == (True, False)


def test_a_discount_with_three_decimals_is_refused_and_creates_no_plan(client, municipality, curator, draft):
    # given
    client.force_login(curator)
    data = {"cadence": "weekly", "weekly-price_won": "15000", "weekly-prepay_3_percent": "7.125"}
    # when
    response = client.post(
        url("staff-bundle-plans", municipality, bundle_id=draft.pk), data, headers={"HX-Request": "true"}
    )
    # then
    assert response.status_code == 200
    assert "할인율은 소수 둘째 자리까지 입력할 수 있습니다." in response.content.decode()
    assert not Plan.objects.filter(bundle=draft, cadence="weekly").exists()


def test_plan_form_shows_stored_basis_points_as_percent():
    plan = Plan(price_won=1, prepay_3_discount_bp=750, prepay_6_discount_bp=1000, prepay_12_discount_bp=1)
    initial = PlanForm.initial_for(plan)
    assert [str(initial[f"prepay_{t}_percent"]) for t in (3, 6, 12)] == ["7.5", "10", "0.01"]


def test_changing_a_plan_through_htmx_updates_the_margin(client, municipality, curator, draft):
    # given
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=None)
    client.force_login(curator)
    # when: monthly price up to ₩45,000
    response = client.post(
        url("staff-bundle-plans", municipality, bundle_id=draft.pk),
        {
            "cadence": "monthly",
            "monthly-price_won": "45000",
            "monthly-shipping_fee_won": "3000",
            "monthly-is_active": "on",
        },
        headers={"HX-Request": "true"},
    )
    # then: 45,000 − 24,000 − 4,500 − 1,485 = 15,015
    assert text_of(response, "margin-monthly") == "15,015원"
    assert 'id="plan-monthly"' in response.content.decode()


@time_machine.travel(MAY, tick=False)
def test_a_refused_publish_lists_every_reason_and_stays_draft(client, municipality, curator):
    # given: no items, no plan, no image
    bundle = BundleFactory(municipality=municipality, hero_image="")
    client.force_login(curator)
    # when
    response = client.post(url("staff-bundle-status", municipality, bundle_id=bundle.pk), {"action": "publish"})
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert [p.code for p in response.context["refused"]] == ["no_items", "no_image", "no_plan"]
    for message in (
        "구성 상품이 하나 이상 있어야 합니다.",
        "대표 이미지를 올려야 합니다.",
        "판매 중인 요금제가 하나 이상 있어야 합니다.",
    ):
        assert message in body
    bundle.refresh_from_db()
    assert bundle.status == Bundle.Status.DRAFT
    assert not BundleEvent.objects.filter(bundle=bundle, kind=BundleEvent.Kind.PUBLISHED).exists()


@time_machine.travel(MAY, tick=False)
def test_an_under_water_price_is_refused_with_its_amounts(client, municipality, curator, draft):
    # given: items cost ₩36,000 against a ₩39,000 price (costs with fees ₩41,187)
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=18_000)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=None)
    client.force_login(curator)
    # when
    response = client.post(url("staff-bundle-status", municipality, bundle_id=draft.pk), {"action": "publish"})
    # then
    assert (
        "매월 1회 결제 가격 39,000원이 공급가·수수료·카드수수료 합계 41,187원보다 낮습니다."
        in response.content.decode()
    )
    assert Bundle.objects.get(pk=draft.pk).status == Bundle.Status.DRAFT


@time_machine.travel(MAY, tick=False)
def test_publish_succeeds_when_every_rule_holds(client, municipality, curator, draft):
    # given
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=None)
    client.force_login(curator)
    # when
    response = client.post(url("staff-bundle-status", municipality, bundle_id=draft.pk), {"action": "publish"})
    # then
    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.status, draft.status_changed_by) == (Bundle.Status.PUBLISHED, curator)
    assert BundleEvent.objects.filter(bundle=draft, kind=BundleEvent.Kind.PUBLISHED, actor=curator).count() == 1


def test_retire_then_back_to_draft(client, municipality, curator):
    bundle = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED)
    client.force_login(curator)
    client.post(url("staff-bundle-status", municipality, bundle_id=bundle.pk), {"action": "retire"})
    assert Bundle.objects.get(pk=bundle.pk).status == Bundle.Status.RETIRED
    client.post(url("staff-bundle-status", municipality, bundle_id=bundle.pk), {"action": "draft"})
    assert Bundle.objects.get(pk=bundle.pk).status == Bundle.Status.DRAFT


def test_duplicate_creates_a_draft_with_the_same_items(client, municipality, curator):
    # given
    original = BundleFactory(municipality=municipality, status=Bundle.Status.PUBLISHED)
    tea, persimmon = ProductFactory.create_batch(2, merchant__municipality=municipality)
    bundle_set_item(bundle=original, product=tea, quantity=2, acting_user=None)
    bundle_set_item(bundle=original, product=persimmon, quantity=1, acting_user=None)
    PlanFactory(bundle=original)
    client.force_login(curator)
    # when
    response = client.post(
        url("staff-bundle-duplicate", municipality, bundle_id=original.pk), {"name": "지리산 가을 산나물 꾸러미"}
    )
    # then
    variant = Bundle.objects.get(name="지리산 가을 산나물 꾸러미")
    assert response.status_code == 302
    assert response.url == url("staff-bundle", municipality, bundle_id=variant.pk)
    assert (variant.status, variant.variant_of, variant.municipality) == (Bundle.Status.DRAFT, original, municipality)
    assert sorted(variant.items.values_list("product_id", "quantity")) == sorted([(tea.pk, 2), (persimmon.pk, 1)])
    assert Bundle.objects.get(pk=original.pk).status == Bundle.Status.PUBLISHED


def test_duplicate_without_a_name_shows_an_error_and_creates_nothing(client, municipality, curator, draft):
    client.force_login(curator)
    response = client.post(url("staff-bundle-duplicate", municipality, bundle_id=draft.pk), {"name": ""})
    assert response.status_code == 200
    assert response.context["duplicate_form"].errors["name"]
    assert Bundle.objects.count() == 1


def test_hero_image_upload_replaces_the_image(client, municipality, curator, draft):
    client.force_login(curator)
    response = client.post(
        url("staff-bundle-images", municipality, bundle_id=draft.pk), {"kind": "hero", "hero-image": png()}
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.hero_image.name.startswith("bundles/") and draft.hero_image.name.endswith(".jpg")


def test_a_too_small_gallery_image_is_refused_in_korean(client, municipality, curator, draft):
    client.force_login(curator)
    response = client.post(
        url("staff-bundle-images", municipality, bundle_id=draft.pk),
        {"kind": "gallery", "gallery-image": png(100, 100), "gallery-alt": "고사리"},
    )
    assert response.status_code == 200
    assert "이미지 크기는 가로·세로 200~8000 픽셀이어야 합니다 (올린 이미지: 100×100)." in response.content.decode()
    assert draft.gallery.count() == 0


def test_composer_renders_the_checklist_history_and_preview_link(client, municipality, curator, draft):
    # given
    client.force_login(curator)
    product = ProductFactory(merchant__municipality=municipality, supply_price_won=12_000)
    bundle_set_item(bundle=draft, product=product, quantity=2, acting_user=curator)
    # when
    response = client.get(url("staff-bundle", municipality, bundle_id=draft.pk))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{url('detail', municipality, bundle_slug=draft.slug)}?preview=1" in body
    assert "판매를 시작할 수 있습니다." in body or "판매를 시작하려면" in body
    assert [kind for kind, _who in [(e.kind, a) for e, a in response.context["events"]]] == ["items_changed"]
    assert text_of(response, "cost") == "24,000원"


def test_bundle_info_is_saved_from_the_composer(client, municipality, curator, draft):
    client.force_login(curator)
    response = client.post(
        url("staff-bundle", municipality, bundle_id=draft.pk),
        {"name": "지리산 봄 산나물", "summary": "봄 한 상자", "description": "", "category": "produce"},
    )
    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.name, draft.summary, draft.featured) == ("지리산 봄 산나물", "봄 한 상자", False)


def test_bundle_create_opens_the_composer(client, municipality, curator):
    client.force_login(curator)
    response = client.post(
        url("staff-bundle-create", municipality), {"name": "남해 멸치 꾸러미", "summary": "멸치", "category": "seafood"}
    )
    bundle = Bundle.objects.get(name="남해 멸치 꾸러미")
    assert response.url == url("staff-bundle", municipality, bundle_id=bundle.pk)
    assert (bundle.status, bundle.municipality) == (Bundle.Status.DRAFT, municipality)


# --- Staff home widget ---------------------------------------------------------------------------------------
@time_machine.travel(MAY, tick=False)
def test_progress_widget_shows_goals_and_bundles_needing_attention(rf, municipality, staff_admin):
    # given: one published bundle whose product went off sale
    item = BundleItemFactory(bundle__municipality=municipality, bundle__status=Bundle.Status.PUBLISHED)
    Product.objects.filter(pk=item.product_id).update(is_active=False)
    request = rf.get("/")
    request.user, request.municipality, request.roles = staff_admin, municipality, frozenset({Role.ADMIN})
    # when
    (html,) = [w for w in staff_ui.widgets_for(request) if 'id="program-progress-title"' in w]
    # then
    assert '<progress id="progress-bundles" max="30" value="1">' in html
    assert '<progress id="progress-products" max="100" value="0">' in html
    assert "1 / 30" in html and "0 / 100" in html
    assert url("staff-bundle", municipality, bundle_id=item.bundle_id) in html


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("302-1234-5678-91", "***-****-**78-91"),
        ("1234567890", "******7890"),
        ("110 123 456789", "*** *** **6789"),
        ("", ""),
    ],
)
def test_account_numbers_are_masked_to_their_last_four_digits(number, masked):
    assert mask_account_number(number) == masked


def test_csv_export_neutralises_spreadsheet_formulas(client, municipality, staff_admin):
    # given
    ProductFactory(merchant__municipality=municipality, name='=HYPERLINK("http://evil.example","녹차")')
    client.force_login(staff_admin)
    # when
    response = client.get(url("staff-products", municipality), {"export": "csv"})
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.example","녹차")'
