import csv
import io

import pytest

from bundles.models import Product
from bundles.product_csv import HEADER, product_export_csv, product_import_csv, text_to_months
from tests.bundles.factories import BundleFactory, MerchantFactory, ProductFactory

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ["GT-01", "우전 녹차", "첫물 녹차", "50g", "차·음료", "상온", "18,000", "면세", "40", "4-6", "Y"],
    ["GT-02", "하동 매실청", "", "500ml", "가공식품", "냉장", "9500", "과세", "25", "연중", "Y"],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def test_valid_file_creates_every_product(municipality):
    # given
    merchant = MerchantFactory(municipality=municipality)
    # when
    result = product_import_csv(merchant=merchant, raw=csv_bytes(GOOD_ROWS))
    # then
    assert result.ok and (result.created, result.updated) == (2, 0)
    tea = Product.objects.get(sku="GT-01")
    assert (tea.supply_price_won, tea.category, tea.storage_class, tea.tax_type) == (18_000, "tea", "ambient", "exempt")
    assert tea.months == [4, 5, 6]
    assert tea.municipality == municipality


def test_excel_cp949_file_is_read(municipality):
    merchant = MerchantFactory(municipality=municipality)
    result = product_import_csv(merchant=merchant, raw=csv_bytes(GOOD_ROWS, encoding="cp949"))
    assert result.ok
    assert Product.objects.get(sku="GT-02").name == "하동 매실청"


def test_every_bad_row_is_reported_and_nothing_is_applied(municipality):
    # given: an existing product that a good row would update, and three bad rows
    merchant = MerchantFactory(municipality=municipality)
    ProductFactory(merchant=merchant, sku="GT-01", supply_price_won=1_000)
    rows = [
        GOOD_ROWS[0],
        ["GT-03", "", "", "1병", "전통주", "상온", "12000", "과세", "5", "연중", "Y"],
        ["GT-04", "대봉감", "", "2kg", "농산물", "실온", "-3", "면세", "5", "13", "Y"],
        ["GT-01", "중복", "", "1개", "농산물", "상온", "100", "면세", "1", "연중", "Y"],
    ]
    # when
    result = product_import_csv(merchant=merchant, raw=csv_bytes(rows))
    # then
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "상품명"),
        (4, "보관"),
        (4, "공급가"),
        (4, "판매월"),
        (5, "상품코드"),
    ]
    assert result.errors[1].message == "상온, 냉장, 냉동 중 하나로 입력해 주세요."
    assert result.errors[4].message == "2행과 상품코드가 같습니다."
    assert Product.objects.count() == 1
    assert Product.objects.get().supply_price_won == 1_000


def test_missing_required_column_is_reported(municipality):
    merchant = MerchantFactory(municipality=municipality)
    header = [h for h in HEADER if h != "공급가"]
    result = product_import_csv(merchant=merchant, raw=csv_bytes([], header=header))
    assert [(e.row, e.message) for e in result.errors] == [(1, "필수 열이 없습니다: 공급가")]


def test_import_updates_by_sku_and_refreshes_bundle_storage(municipality):
    merchant = MerchantFactory(municipality=municipality)
    product = ProductFactory(merchant=merchant, sku="GT-02", storage_class="ambient")
    bundle = BundleFactory(municipality=municipality)
    from bundles.services import bundle_set_item

    bundle_set_item(bundle=bundle, product=product, quantity=1, acting_user=None)
    result = product_import_csv(merchant=merchant, raw=csv_bytes([GOOD_ROWS[1]]))
    assert (result.created, result.updated) == (0, 1)
    bundle.refresh_from_db()
    assert bundle.storage_class == "chilled"


def test_export_round_trips_through_import(municipality):
    merchant = MerchantFactory(municipality=municipality)
    product_import_csv(merchant=merchant, raw=csv_bytes(GOOD_ROWS))
    exported = product_export_csv(merchant=merchant)
    assert exported.startswith("\ufeff상품코드,상품명")
    again = product_import_csv(merchant=merchant, raw=exported.encode("utf-8"))
    assert again.ok and (again.created, again.updated) == (0, 2)


def test_months_text():
    assert text_to_months("연중") == 0b1111_1111_1111
    assert text_to_months("11-2") == 0b1000_0000_0011 | (1 << 10)
    with pytest.raises(ValueError):
        text_to_months("0-3")
