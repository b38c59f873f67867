import pytest
from django.core.exceptions import ValidationError

from accounts.validators import normalize_korean_mobile, validate_korean_mobile
from core.money import format_bp_percent, format_won
from core.validators import format_business_number, is_valid_business_number, validate_business_number


@pytest.mark.parametrize("number", ["612-83-00015", "6128300015", "124-81-00998", "220-81-62517"])
def test_valid_business_numbers(number):
    assert is_valid_business_number(number)


@pytest.mark.parametrize(
    "number",
    ["612-83-00016", "612-83-0001", "61283000150", "abc-de-fghij", "", "124-81-00999"],
)
def test_invalid_business_numbers_are_refused_with_a_korean_message(number):
    with pytest.raises(ValidationError) as error:
        validate_business_number(number)
    assert "사업자등록번호" in str(error.value.messages[0])


def test_every_single_digit_change_breaks_the_check_digit():
    digits = "6128300015"
    for position in range(10):
        for replacement in "0123456789":
            if replacement == digits[position]:
                continue
            changed = digits[:position] + replacement + digits[position + 1 :]
            assert not is_valid_business_number(changed), changed


def test_format_business_number():
    assert format_business_number("6128300015") == "612-83-00015"


@pytest.mark.parametrize("phone", ["010-1234-5678", "01012345678", "011-123-4567", "010 1234 5678"])
def test_valid_mobiles(phone):
    validate_korean_mobile(phone)


@pytest.mark.parametrize("phone", ["02-123-4567", "010-12-5678", "1234", "010-1234-56789"])
def test_invalid_mobiles(phone):
    with pytest.raises(ValidationError):
        validate_korean_mobile(phone)


def test_normalize_mobile():
    assert normalize_korean_mobile("01012345678") == "010-1234-5678"
    assert normalize_korean_mobile("011 123 4567") == "011-123-4567"


def test_won_format():
    assert format_won(39000) == "39,000원"
    assert format_won(0) == "0원"
    assert format_won(-1500) == "-1,500원"


def test_bp_percent_format():
    assert [format_bp_percent(v) for v in (1000, 330, 5, 0, 10000)] == ["10.00%", "3.30%", "0.05%", "0.00%", "100.00%"]
