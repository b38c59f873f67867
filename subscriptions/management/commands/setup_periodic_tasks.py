"""Create (or update) the beat schedules of the billing engine in django-celery-beat. Safe to repeat."""

from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

# name -> (task, schedule). Crontab times are Asia/Seoul (CELERY_TIMEZONE).
SCHEDULES = {
    # Every day at 01:00: keep eight weeks of delivery cycles ahead for every municipality.
    "cycles-generate": ("subscriptions.tasks.cycles_generate_task", {"crontab": {"minute": "0", "hour": "1"}}),
    # Every 5 minutes: close cycles whose cutoff has passed and fan their charges out.
    "cycles-close-due": ("subscriptions.tasks.cycles_close_due_task", {"interval": 5 * 60}),
    # Every hour at :15: retry failed charges whose dunning day has come; expire unfinished 3-D Secure.
    "dunning-retry": ("subscriptions.tasks.dunning_retry_task", {"crontab": {"minute": "15", "hour": "*"}}),
    # Every 10 minutes: settle attempts whose outcome was never recorded, by asking the gateway.
    "attempts-reconcile": ("subscriptions.tasks.attempts_reconcile_task", {"interval": 10 * 60}),
    # Every day at 04:00: cancel subscriptions past due longer than the municipality allows.
    "past-due-cancel": ("subscriptions.tasks.past_due_cancel_task", {"crontab": {"minute": "0", "hour": "4"}}),
    # Every 10 minutes: closed cycles with paid orders not yet boxed get shipments, coupons, pick lists.
    "shipments-prepare": ("delivery.tasks.shipments_prepare_due_task", {"interval": 10 * 60}),
    # Every day at 10:00: remind subscribers of cutoffs in the next 48 hours (each cycle once per subscription).
    "cycle-reminders": ("subscriptions.tasks.cycle_reminders_send_task", {"crontab": {"minute": "0", "hour": "10"}}),
    # Every 10 minutes: send notifications whose task was lost; close the log on ones whose worker died.
    "notifications-sweep": ("notifications.tasks.messages_sweep_task", {"interval": 10 * 60}),
    # Every hour at :40: post new payments, refunds and coupon redemptions into the settlement ledger.
    "settlement-post-pending": (
        "settlement.tasks.ledger_post_pending_task",
        {"crontab": {"minute": "40", "hour": "*"}},
    ),
    # Every day at 03:00: close ended settlement periods whose close day (SETTLEMENT_CLOSE_DAY) has come.
    "settlement-close-due": ("settlement.tasks.periods_close_due_task", {"crontab": {"minute": "0", "hour": "3"}}),
    # Every 10 minutes: render the statement PDFs still missing in closed periods (a lost task, a restart).
    "settlement-pdfs-pending": ("settlement.tasks_pdf.statements_pdf_pending_task", {"interval": 10 * 60}),
}


class Command(BaseCommand):
    help = "Celery beat 일정을 등록합니다. Registers the periodic tasks (idempotent)."

    def handle(self, *args, **options) -> None:
        for name, (task, schedule) in SCHEDULES.items():
            fields = {"task": task, "interval": None, "crontab": None, "enabled": True}
            if "interval" in schedule:
                fields["interval"], _ = IntervalSchedule.objects.get_or_create(
                    every=schedule["interval"], period=IntervalSchedule.SECONDS
                )
            else:
                fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                    **schedule["crontab"],
                    day_of_week="*",
                    day_of_month="*",
                    month_of_year="*",
                    timezone="Asia/Seoul",
                )
            PeriodicTask.objects.update_or_create(name=name, defaults=fields)
            self.stdout.write(f"  {name}: {task}")
