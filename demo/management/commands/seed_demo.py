"""Build the demo: run it as often as you like, a second run adds nothing (every step looks first).

Subscribers' cards are saved through the Stripe API, so STRIPE_API_BASE must point at a running
localstripe (bin/demo starts one on 127.0.0.1:8420 first).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed.catalog import seed_catalog
from demo.seed.delivery_options import seed_box_ratings, seed_delivery_options
from demo.seed.delivery_picking import seed_delivery_picking
from demo.seed.delivery_shipments import seed_delivery_shipments
from demo.seed.kiosks import seed_kiosks
from demo.seed.settlement import seed_settlement
from demo.seed.subscriptions import seed_subscriptions
from demo.seed.tenants import DEMO_PASSWORD, seed_tenants
from demo.seed.tourism import seed_tourism_history, seed_tourism_partners

BAR_WIDTH = 30


def _seed_subscriptions(progress) -> list[str]:
    seed_subscriptions(progress=progress)
    return []


def _seed_kiosks(progress) -> list[str]:
    return ["\n키오스크 화면 / kiosk screens (로그인 없이 / no login)", *seed_kiosks()]


# The steps after tenants and catalog, in order: (label, step(progress) -> lines for the summary).
# Each step is idempotent on its own, so the whole command can run again and add nothing.
STEPS = [
    ("구독자·구독 / subscribers and subscriptions", _seed_subscriptions),
    # Right after: its campaign links bring subscriptions of their own, which the steps below include.
    ("키오스크·유입 경로 / showcase kiosks and campaign links", _seed_kiosks),
    # Before the shipments, so past boxes travel by the method their subscribers chose.
    ("배송 방법·수령 장소 / delivery options and choices", seed_delivery_options),
    ("관광 제휴처·혜택 / tourism partners and offers", seed_tourism_partners),
    # Before the shipments: a shortfall is settled (substitute or refund) before its boxes are packed.
    ("소상공인 준비 목록 / merchants' pick lists", seed_delivery_picking),
    ("배송 상자 / shipments of past cycles", seed_delivery_shipments),
    ("관광 쿠폰 발급·사용 / tourism coupons issued and redeemed", seed_tourism_history),
    ("상자 평가 / box ratings", seed_box_ratings),
    # Last: it closes the past months over everything the steps above recorded.
    ("정산 마감·정산서·지급 / settlement closes, statements and payouts", seed_settlement),
]


class Command(BaseCommand):
    help = "데모 데이터를 만듭니다 (여러 번 실행해도 같은 결과). Builds idempotent demo data."

    def handle(self, *args, **options) -> None:
        if not settings.STRIPE_API_BASE:
            raise CommandError(
                "seed_demo saves demo cards and charges them: set STRIPE_API_BASE to a running localstripe "
                "(bin/demo starts one). 데모 카드 결제를 위해 localstripe 주소가 필요합니다."
            )
        total = 2 + len(STEPS)
        self._step(1, total, "지자체·담당자 / municipalities and staff")
        municipalities, logins = seed_tenants()
        self._step(2, total, "상품·꾸러미 / catalog")
        logins = [*logins, *seed_catalog()]
        summary_lines: list[str] = []
        for number, (label, step) in enumerate(STEPS, start=3):
            self._step(number, total, label)
            summary_lines += step(self._progress)
        self.stdout.write("")
        self._print_summary(municipalities, logins, summary_lines)

    def _step(self, number: int, total: int, label: str) -> None:
        self.stdout.write(f"[{number}/{total}] {label} …")

    def _progress(self, label: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        end = "\n" if done == total else ""
        self.stdout.write(f"\r      {label:<8} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending=end)
        self.stdout.flush()

    def _print_summary(self, municipalities, logins, summary_lines) -> None:
        site = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS("데모 준비 완료 / demo ready"))
        for municipality in municipalities:
            self.stdout.write(f"  {municipality.mall_name}: {site}{municipality.get_absolute_url()}")
        self.stdout.write(f"  플랫폼 관리 / admin: {site}/admin/")
        for line in summary_lines:
            self.stdout.write(line)
        self.stdout.write(f"\n로그인 (비밀번호 / password: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.name:<8} {login.role} · {login.municipality}")
        self.stdout.write("  subscriber000@demo.kr …     구독자 (비밀번호 동일 / same password)")
