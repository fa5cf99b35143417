"""Background jobs of the core app (django-tasks), on the ``quick`` queue: a message never waits for a backup."""

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
