from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jaga.core import notify_transport
from jaga.core.models import NotificationChannel, NotificationRoute
from jaga.core.notifications import notification_channels_for, notify, route_matches

pytestmark = pytest.mark.django_db


def _channel(institution, url: str, name: str = "Webhook", event_type: str = "*", **kwargs) -> NotificationChannel:
    channel = NotificationChannel.objects.create(institution=institution, name=name, url=url, **kwargs)
    NotificationRoute.objects.create(institution=institution, event_type=event_type, channel=channel)
    return channel


@pytest.mark.parametrize(
    ("pattern", "event_type", "matches"),
    [
        ("*", "monitor.down", True),
        ("monitor.down", "monitor.down", True),
        ("monitor.down", "monitor.up", False),
        ("backup.*", "backup.failed", True),
        ("backup.*", "monitor.down", False),
    ],
)
def test_routes_match_exact_types_prefixes_and_everything(pattern: str, event_type: str, matches: bool) -> None:
    assert route_matches(pattern, event_type) is matches


def test_it_picks_enabled_routed_channels_once(institution, other_institution) -> None:
    both = _channel(institution, "json://127.0.0.1:9/", name="semua", event_type="*")
    NotificationRoute.objects.create(institution=institution, event_type="monitor.down", channel=both)
    _channel(institution, "json://127.0.0.1:9/", name="cadangan", event_type="backup.*")
    _channel(institution, "json://127.0.0.1:9/", name="mati", event_type="*", enabled=False)
    _channel(other_institution, "json://127.0.0.1:9/", name="lain", event_type="*")
    assert [c.name for c in notification_channels_for(institution=institution, event_type="monitor.down")] == ["semua"]


def test_notify_delivers_through_apprise_to_a_loopback_server(
    institution, site, json_receiver, immediate_tasks
) -> None:
    port = json_receiver.server_address[1]
    channel = _channel(institution, f"json://127.0.0.1:{port}/", event_type="monitor.down")
    notify(institution=institution, event_type="monitor.down", title="Situs mati", body="Tidak menjawab", site=site)
    assert len(json_receiver.received) == 1
    message = json_receiver.received[0]
    assert message["title"] == "Situs mati"
    assert "Tidak menjawab" in message["message"]
    assert "Situs PN Bangil" in message["message"]
    channel.refresh_from_db()
    assert channel.last_success_at is not None
    assert not channel.is_failing


def test_notify_does_not_send_unrouted_events(institution, json_receiver, immediate_tasks) -> None:
    _channel(institution, f"json://127.0.0.1:{json_receiver.server_address[1]}/", event_type="backup.failed")
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    assert json_receiver.received == []


def test_a_failing_channel_does_not_fail_the_caller(institution, closed_port, immediate_tasks) -> None:
    channel = _channel(institution, f"json://127.0.0.1:{closed_port}/")
    notify(institution=institution, event_type="backup.failed", title="Cadangan gagal", body="dump terpotong")
    channel.refresh_from_db()
    assert channel.is_failing
    assert channel.last_error
    assert channel.last_error_at is not None


def test_a_broken_transport_does_not_fail_the_caller(institution, immediate_tasks, monkeypatch) -> None:
    def explode(**kwargs: str) -> None:
        raise RuntimeError("SMTP menolak: 550 mailbox tidak ada")

    monkeypatch.setattr(notify_transport, "send", explode)
    channel = _channel(institution, "json://127.0.0.1:9/")
    notify(institution=institution, event_type="report.ready", title="t", body="b")
    channel.refresh_from_db()
    assert channel.last_error == "SMTP menolak: 550 mailbox tidak ada"


def test_notify_queues_one_job_per_channel_on_the_notifications_queue(institution) -> None:
    from django_tasks_db.models import DBTaskResult

    _channel(institution, "json://127.0.0.1:9/", name="a")
    _channel(institution, "json://127.0.0.1:9/", name="b")
    notify(institution=institution, event_type="monitor.up", title="t", body="b")
    jobs = DBTaskResult.objects.filter(task_path="jaga.core.tasks.notification_send")
    assert jobs.count() == 2
    assert set(jobs.values_list("queue_name", flat=True)) == {"notifications"}


def test_the_channels_page_shows_the_last_error(
    client: Client, staff, institution, closed_port, immediate_tasks
) -> None:
    _channel(institution, f"json://127.0.0.1:{closed_port}/", name="Webhook Kantor")
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    client.force_login(staff)
    body = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "Webhook Kantor" in body
    assert "GAGAL" in body
    assert NotificationChannel.objects.get().last_error in body
    assert "Kirim uji" not in body  # staff may look, not manage
    assert str(closed_port) not in body  # the URL (a secret) is never shown


def test_the_channels_page_is_hidden_from_outsiders(client: Client, outsider, institution) -> None:
    client.force_login(outsider)
    assert client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).status_code == 404


def test_send_test_reports_success_as_an_htmx_fragment(client: Client, admin_user, institution, json_receiver) -> None:
    channel = _channel(institution, f"json://127.0.0.1:{json_receiver.server_address[1]}/")
    client.force_login(admin_user)
    url = reverse("core:channel_test", kwargs={"slug": "pn-bangil", "pk": channel.pk})
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Pesan uji terkirim" in response.content.decode()
    assert "<html" not in response.content.decode()
    assert json_receiver.received[0]["title"] == "Uji notifikasi Jaga"


def test_send_test_shows_the_error(client: Client, admin_user, institution, closed_port) -> None:
    channel = _channel(institution, f"json://127.0.0.1:{closed_port}/")
    client.force_login(admin_user)
    url = reverse("core:channel_test", kwargs={"slug": "pn-bangil", "pk": channel.pk})
    body = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "Pesan uji gagal" in body
    assert "GAGAL" in body


def test_send_test_is_forbidden_to_auditors(client: Client, auditor, institution) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/")
    client.force_login(auditor)
    url = reverse("core:channel_test", kwargs={"slug": "pn-bangil", "pk": channel.pk})
    assert client.post(url).status_code == 403


def test_administrators_add_channels_and_routes(client: Client, admin_user, institution) -> None:
    client.force_login(admin_user)
    response = client.post(
        reverse("core:channel_create", kwargs={"slug": "pn-bangil"}),
        {"name": "ntfy", "url": "ntfys://ntfy.sh/pn-bangil-jaga", "enabled": "on"},
    )
    assert response.status_code == 302
    channel = NotificationChannel.objects.get(name="ntfy")
    assert channel.url == "ntfys://ntfy.sh/pn-bangil-jaga"
    client.post(
        reverse("core:route_create", kwargs={"slug": "pn-bangil"}),
        {"event_type": "monitor.*", "channel": channel.pk, "role": "staff_p2ti"},
    )
    assert NotificationRoute.objects.get().event_type == "monitor.*"


def test_editing_a_channel_with_a_blank_url_keeps_it(client: Client, admin_user, institution) -> None:
    channel = _channel(institution, "ntfys://ntfy.sh/rahasia-topik")
    client.force_login(admin_user)
    url = reverse("core:channel_edit", kwargs={"slug": "pn-bangil", "pk": channel.pk})
    assert "rahasia-topik" not in client.get(url).content.decode()
    client.post(url, {"name": "Ganti nama", "url": "", "enabled": "on"})
    channel.refresh_from_db()
    assert channel.name == "Ganti nama"
    assert channel.url == "ntfys://ntfy.sh/rahasia-topik"


def test_it_rejects_an_unknown_apprise_url(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.post(
        reverse("core:channel_create", kwargs={"slug": "pn-bangil"}),
        {"name": "salah", "url": "bukanskema://apa", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "bukanskema" in response.content.decode()
    assert not NotificationChannel.objects.exists()


def test_channel_changes_are_forbidden_to_staff(client: Client, staff, institution) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/")
    client.force_login(staff)
    assert client.get(reverse("core:channel_create", kwargs={"slug": "pn-bangil"})).status_code == 403
    assert (
        client.post(reverse("core:channel_delete", kwargs={"slug": "pn-bangil", "pk": channel.pk})).status_code == 403
    )
    route = NotificationRoute.objects.get()
    assert client.post(reverse("core:route_delete", kwargs={"slug": "pn-bangil", "pk": route.pk})).status_code == 403
    assert NotificationChannel.objects.filter(pk=channel.pk).exists()


def test_notify_survives_a_failing_route_lookup(institution, monkeypatch) -> None:
    from jaga.core import notifications

    def broken(**kwargs: object) -> list[NotificationChannel]:
        raise RuntimeError("basis data sibuk")

    monkeypatch.setattr(notifications, "notification_channels_for", broken)
    notify(institution=institution, event_type="monitor.down", title="t", body="b")  # does not raise


def test_notify_records_a_queueing_failure_on_the_channel(institution, settings) -> None:
    # A worker configuration without the "notifications" queue: enqueueing is refused.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    channel = _channel(institution, "json://127.0.0.1:9/")
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    channel.refresh_from_db()
    assert channel.last_error.startswith("gagal mengantre")
