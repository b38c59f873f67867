"""One pass of the billing engine, in-process: what the beat schedule does with tasks, run in order.

Used by the `run_billing` command, the demo (which has no workers) and tests that walk through months.
Production runs the same services through Celery (subscriptions/tasks.py), fanned out to workers.
"""

from dataclasses import dataclass, field
from datetime import datetime

from municipalities.models import Municipality
from subscriptions import clock, cycles
from subscriptions.billing import charging
from subscriptions.billing.close import cycle_close, cycles_due
from subscriptions.gateways.base import PaymentGateway


@dataclass
class RunReport:
    cycles_closed: list[int] = field(default_factory=list)
    orders_charged: int = 0
    actions_expired: int = 0


def billing_run(*, gateway: PaymentGateway, now: datetime | None = None) -> RunReport:
    now = now or clock.now()
    report = RunReport()
    for municipality in Municipality.objects.filter(is_active=True):
        cycles.cycles_generate(municipality=municipality)
    for cycle_id in cycles_due(now=now):
        cycle_close(cycle_id=cycle_id, now=now)
        report.cycles_closed.append(cycle_id)
    report.actions_expired = charging.actions_expire(gateway=gateway, now=now)
    for order_id in charging.orders_due_for_charge(now=now):
        charging.order_charge(order_id=order_id, gateway=gateway, now=now)
        report.orders_charged += 1
    return report
