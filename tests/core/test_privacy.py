import pytest

from core.privacy import mask_address, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("홍길동", "홍*동"),
        ("김철", "김*"),
        ("남궁민수", "남**수"),
        ("이", "이"),
        ("", ""),
        ("John Smith", "J*** S****"),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010-****-5678"),
        ("011-123-4567", "011-***-4567"),
        ("02-880-2114", "02-***-2114"),
        ("055-880-2114", "055-***-2114"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_email_keeps_domain():
    assert mask_email("hong.gildong@example.kr") == "ho**********@example.kr"
    assert mask_email("ab@example.kr") == "a*@example.kr"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("서울특별시 종로구 세종대로 209 정부서울청사 3층", "서울특별시 종로구 세종대로 ***"),
        ("경상남도 하동군 하동읍 군청로 23", "경상남도 하동군 하동읍 군청로 ***"),
        ("경상남도 하동군 악양면 평사리 498", "경상남도 하동군 악양면 평사리 ***"),
    ],
)
def test_mask_address_hides_the_building_and_detail(address, masked):
    assert mask_address(address) == masked


def test_masked_values_never_contain_the_hidden_part():
    assert "1234" not in mask_phone("010-1234-5678")
    assert "길" not in mask_name("홍길동")
    assert "209" not in mask_address("서울특별시 종로구 세종대로 209")
