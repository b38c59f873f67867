import factory

from accounts.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.kr")
    name = factory.Iterator(["홍길동", "김영희", "이철수", "박민지", "최서준"])
    phone = factory.Sequence(lambda n: f"010-{1000 + n % 9000:04d}-5678")
    password = factory.django.Password(PASSWORD)
