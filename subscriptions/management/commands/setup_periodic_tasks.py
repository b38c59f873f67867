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
