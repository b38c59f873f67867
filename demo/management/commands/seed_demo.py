"""Build the demo: run it as often as you like, a second run adds nothing (every step looks first)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.seed.catalog import seed_catalog
from demo.seed.tenants import DEMO_PASSWORD, seed_tenants


class Command(BaseCommand):
    help = "데모 데이터를 만듭니다 (여러 번 실행해도 같은 결과). Builds idempotent demo data."

    def handle(self, *args, **options) -> None:
        steps = [
            ("지자체·담당자 / municipalities and staff", seed_tenants),
            ("상품·꾸러미 / catalog", seed_catalog),
        ]
        results = {}
        for index, (label, step) in enumerate(steps, start=1):
            self.stdout.write(f"[{index}/{len(steps)}] {label} …")
            results[step.__name__] = step()
        municipalities, logins = results["seed_tenants"]
        logins = [*logins, *results["seed_catalog"]]
        self._print_summary(municipalities, logins)

    def _print_summary(self, municipalities, logins) -> None:
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS("\n데모 준비 완료 / demo ready"))
        for municipality in municipalities:
            self.stdout.write(f"  {municipality.mall_name}: {site}{municipality.get_absolute_url()}")
        self.stdout.write(f"  플랫폼 관리 / admin: {site}/admin/")
        self.stdout.write(f"\n로그인 (비밀번호 / password: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.name:<8} {login.role} · {login.municipality}")
