"""Municipalities, their staff and a few people, built through the real services."""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth.hashers import make_password

from accounts.models import User
from accounts.services import user_signup
from demo.seed.images import logo_png
from municipalities.models import Municipality, Role
from municipalities.services import membership_grant, municipality_create

DEMO_PASSWORD = "kkureomi-demo-2026"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: str
    municipality: str


MUNICIPALITIES = [
    {
        "slug": "hadong",
        "name": "하동군",
        "mall_name": "하동 꾸러미몰",
        "region_code": "48850",
        "brand_color": "#1F6B45",
        "contact_email": "kkureomi@hadong.go.kr",
        "contact_phone": "055-880-2114",
        "address": "경상남도 하동군 하동읍 군청로 23",
        "business_registration_number": "612-83-00015",
    },
    {
        "slug": "namhae",
        "name": "남해군",
        "mall_name": "보물섬 남해 구독몰",
        "region_code": "48840",
        "brand_color": "#0B5394",
        "contact_email": "kkureomi@namhae.go.kr",
        "contact_phone": "055-860-3114",
        "address": "경상남도 남해군 남해읍 망운로 9번길 12",
        "business_registration_number": "612-83-00029",
    },
]

STAFF = {
    "hadong": [
        ("admin@hadong.demo", "김하늘", "010-2841-5501", [Role.ADMIN]),
        ("curator@hadong.demo", "이상훈", "010-3312-7702", [Role.CURATOR]),
        ("finance@hadong.demo", "박정민", "010-4471-9903", [Role.FINANCE]),
        ("logistics@hadong.demo", "최유진", "010-5582-1104", [Role.LOGISTICS]),
    ],
    "namhae": [
        ("admin@namhae.demo", "정다은", "010-6693-2205", [Role.ADMIN, Role.CURATOR]),
        ("finance@namhae.demo", "강민석", "010-7704-3306", [Role.FINANCE]),
    ],
}

SUBSCRIBERS = [
    ("subscriber@demo.kr", "홍길동", "010-1234-5678"),
    ("minji@demo.kr", "윤민지", "010-9876-5432"),
]


@cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def demo_user(email: str, name: str, phone: str) -> User:
    """A demo account with the shared demo password. The password is hashed once and reused: hashing it
    for each of hundreds of subscribers (PBKDF2, about 0.3 s each) would make seeding take minutes."""
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    user = user_signup(email=email, name=name, password=None, phone=phone)
    User.objects.filter(pk=user.pk).update(password=_demo_password_hash())
    user.password = _demo_password_hash()
    return user


def seed_tenants() -> tuple[list[Municipality], list[DemoLogin]]:
    municipalities: list[Municipality] = []
    logins: list[DemoLogin] = []
    for spec in MUNICIPALITIES:
        municipality = municipality_create(**spec, logo_png=logo_png(text=spec["name"][0], color=spec["brand_color"]))
        municipalities.append(municipality)
        for email, name, phone, roles in STAFF[municipality.slug]:
            user = demo_user(email, name, phone)
            for role in roles:
                membership_grant(municipality=municipality, user=user, role=role)
            logins.append(DemoLogin(email, name, ", ".join(str(r.label) for r in roles), municipality.name))
    for email, name, phone in SUBSCRIBERS:
        demo_user(email, name, phone)
        logins.append(DemoLogin(email, name, "구독자", "-"))
    if not User.objects.filter(email="operator@kkureomi.demo").exists():
        User.objects.create_superuser(email="operator@kkureomi.demo", password=DEMO_PASSWORD, name="플랫폼 운영자")
    logins.append(DemoLogin("operator@kkureomi.demo", "플랫폼 운영자", "플랫폼 운영자 (/admin/)", "-"))
    return municipalities, logins
