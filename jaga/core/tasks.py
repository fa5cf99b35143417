"""Background jobs of the core app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from jaga.core.notifications import notification_channel_send


@task(queue_name="notifications")
def notification_send(*, channel_id: int, title: str, body: str) -> bool:
    """Send one notification through one channel; its outcome is recorded on the channel."""
    return notification_channel_send(channel_id=channel_id, title=title, body=body)
