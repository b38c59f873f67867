from django.db import transaction

from accounts.models import User
from accounts.validators import normalize_korean_mobile


@transaction.atomic
def user_signup(*, email: str, name: str, password: str | None, phone: str = "") -> User:
    return User.objects.create_user(
        email=email,
        name=name.strip(),
        password=password,
        phone=normalize_korean_mobile(phone) if phone else "",
    )


@transaction.atomic
def user_profile_update(*, user: User, name: str, phone: str) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.name = name.strip()
    locked.phone = normalize_korean_mobile(phone) if phone else ""
    locked.save(update_fields=["name", "phone"])
    return locked
