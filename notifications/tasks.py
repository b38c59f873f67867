"""Celery tasks: thin, ids in, the service inside, safe to run twice."""

from celery import shared_task

from notifications import services


@shared_task
def messages_send_task(message_ids: list[int]) -> None:
    services.messages_send(message_ids=message_ids)


@shared_task
def messages_sweep_task() -> None:
    services.messages_sweep()
