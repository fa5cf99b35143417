"""The demo's notifications: a channel to the demo inbox on Jaga's own address, and the history's outage told.

The deliveries are real: ``notify()`` records them and the worker of ``jaga up`` sends them through apprise
to ``/demo-situs/pesan-masuk/`` (``jaga.demo.inbox``), so the channels page shows sends that succeeded.
"""

from __future__ import annotations

from jaga.core.models import Institution, NotificationChannel, NotificationRoute, Site

DEMO_CHANNEL_NAME = "Webhook PTIP (demo)"


def demo_inbox_url(base_url: str) -> str:
    """``http://127.0.0.1:8000/demo-situs/`` -> ``json://127.0.0.1:8000/demo-situs/pesan-masuk/``."""
    scheme, _, rest = base_url.partition("://")
    return f"{'jsons' if scheme == 'https' else 'json'}://{rest.rstrip('/')}/pesan-masuk/"


def notifications_ensure(*, institution: Institution, site: Site | None, base_url: str) -> str:
    """The demo channel and its route; on the first run, the last outage of the demo history is announced."""
    from jaga.monitoring.announce import transition_notify
    from jaga.monitoring.models import Monitor, MonitorStatus, StatusChange
    from jaga.monitoring.services import Transition

    url = demo_inbox_url(base_url)
    channel, created = NotificationChannel.objects.get_or_create(
        institution=institution, name=DEMO_CHANNEL_NAME, defaults={"url": url}
    )
    if channel.url != url:
        channel.url = url  # JAGA_LISTEN changed since the last run
        channel.save(update_fields=["url"])
    NotificationRoute.objects.get_or_create(institution=institution, channel=channel, event_type="*", role="")
    if not created or site is None:
        return f"notifikasi: saluran {channel.name} ke {url}"
    told = 0
    for monitor in Monitor.objects.filter(site=site):
        changes = StatusChange.objects.filter(monitor=monitor).exclude(from_status=MonitorStatus.UNKNOWN)
        for change in changes.order_by("at"):
            transition = Transition(
                monitor_id=monitor.pk,
                from_status=change.from_status,
                to_status=change.to_status,
                reason=change.reason,
                at=change.at,
                probes=list(change.probes or []),
            )
            transition_notify(monitor, transition)
            told += 1
    return f"notifikasi: saluran {channel.name} ke {url}, {told} perubahan status diberitahukan"
