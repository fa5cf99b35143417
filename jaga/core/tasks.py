"""Background jobs of the core app (django-tasks): messages on the ``quick`` queue (a message never waits for a
backup), the daily database check on the ``long`` one (it reads the whole file)."""

from __future__ import annotations

from django_tasks import task

from jaga.core.notify_deliveries import notification_deliveries_retry_due, notification_delivery_attempt


@task(queue_name="quick")
def notification_delivery_send(*, delivery_id: int) -> str | None:
    """Send one recorded delivery (its first attempt); the outcome is recorded on it and on its channel."""
    return notification_delivery_attempt(delivery_id=delivery_id)


@task(queue_name="quick")
def notification_deliveries_retry() -> int:
    """The scheduler's minute sweep: retry the deliveries whose back-off has passed."""
    return notification_deliveries_retry_due()


@task(queue_name="long")
def database_integrity_check() -> str:
    """The daily SQLite quick_check (jaga.core.integrity): "ok", or the task fails with what to do."""
    from jaga.core.integrity import integrity_check_daily

    return integrity_check_daily()
