"""Close delivery cycles by hand (the beat schedule normally does it at each cutoff)."""

from django.core.management.base import BaseCommand, CommandError

from subscriptions.billing.close import CycleNotDue, cycle_close, cycles_due


class Command(BaseCommand):
    help = "배송 회차를 마감해 주문을 만듭니다. Close delivery cycles (creates their orders)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("cycle_ids", nargs="*", type=int, help="cycle ids; default: every cycle past its cutoff")

    def handle(self, *args, cycle_ids: list[int], **options) -> None:
        targets = cycle_ids or cycles_due()
        if not targets:
            self.stdout.write("마감할 회차가 없습니다 / nothing to close")
        for index, cycle_id in enumerate(targets, start=1):
            try:
                result = cycle_close(cycle_id=cycle_id)
            except CycleNotDue as error:
                raise CommandError(f"회차 {cycle_id}은(는) 아직 변경 마감 전입니다 / {error}") from error
            state = "이미 마감됨 / already closed" if result.already_closed else "마감 / closed"
            self.stdout.write(f"[{index}/{len(targets)}] cycle {cycle_id}: {result.orders} orders ({state})")
