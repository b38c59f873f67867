"""Run one pass of the billing engine in-process (close due cycles, charge, retry): for the demo."""

from django.core.management.base import BaseCommand

from subscriptions.billing.run import billing_run
from subscriptions.gateways.stripe_gateway import gateway


class Command(BaseCommand):
    help = "청구 엔진을 한 번 실행합니다. Close due cycles and charge due orders once, in this process."

    def handle(self, *args, **options) -> None:
        report = billing_run(gateway=gateway())
        self.stdout.write(
            f"closed cycles: {len(report.cycles_closed)}, charged orders: {report.orders_charged}, "
            f"expired 3-D Secure: {report.actions_expired}"
        )
