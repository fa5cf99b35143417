"""Background jobs of the core app (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from jaga.core.notifications import notification_channel_send


@task(queue_name="quick")
def notification_send(*, channel_id: int, title: str, body: str, roles: list[str] | None = None) -> bool:
    """Send one notification through one channel to the holders of ``roles``; its outcome is recorded on the channel.

    Recipients are looked up when the job runs, so a member added in between is included."""
    return notification_channel_send(channel_id=channel_id, title=title, body=body, roles=roles or ())
