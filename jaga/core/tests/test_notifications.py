from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from jaga.core import notify_transport
from jaga.core.models import Membership, NotificationChannel, NotificationDelivery, NotificationRoute
from jaga.core.notifications import notification_channels_failing, notification_channels_for, notify, route_matches

pytestmark = pytest.mark.django_db


def _mail_url(server: Any, query: str = "") -> str:
    return f"mailto://127.0.0.1:{server.port}?from=jaga@pn-bangil.go.id{query}"


def _member(make_user, institution, role: str, email: str, *, active: bool = True):  # type: ignore[no-untyped-def]
    user = make_user(role, institution)
    user.email = email
    user.is_active = active
    user.save()
    return user


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


def test_notify_records_and_queues_one_delivery_per_channel_on_the_quick_queue(institution) -> None:
    from django_tasks_db.models import DBTaskResult

    _channel(institution, "json://127.0.0.1:9/", name="a")
    _channel(institution, "json://127.0.0.1:9/", name="b")
    deliveries = notify(institution=institution, event_type="monitor.up", title="t", body="b")
    assert sorted(d.channel_name for d in deliveries) == ["a", "b"]
    assert {d.status for d in NotificationDelivery.objects.all()} == {"pending"}
    jobs = DBTaskResult.objects.filter(task_path="jaga.core.tasks.notification_delivery_send")
    assert jobs.count() == 2
    assert set(jobs.values_list("queue_name", flat=True)) == {"quick"}


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

    monkeypatch.setattr(notifications, "notification_audiences_for", broken)
    assert notify(institution=institution, event_type="monitor.down", title="t", body="b") == []  # no raise


def test_notify_records_a_queueing_failure_on_the_channel(institution, settings) -> None:
    # A worker configuration without the "quick" queue: enqueueing is refused; the retry sweep sends it later.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    channel = _channel(institution, "json://127.0.0.1:9/")
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    channel.refresh_from_db()
    assert channel.last_error.startswith("gagal mengantre")
    delivery = NotificationDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.error.startswith("gagal mengantre")


# --- routing to roles -----------------------------------------------------------------------------


def test_url_with_recipients_adds_to_the_to_parameter_and_keeps_the_rest_verbatim() -> None:
    url = "mailtos://jaga%40pn.go.id:s%2Fa%26d@mail.pn.go.id?smtp=mail.pn.go.id&to=ptip@pn.go.id&from=jaga@pn.go.id"
    built = notify_transport.url_with_recipients(url, ["sek@pn.go.id", "PTIP@pn.go.id", "a+b@pn.go.id"])
    assert built == (
        "mailtos://jaga%40pn.go.id:s%2Fa%26d@mail.pn.go.id?smtp=mail.pn.go.id&from=jaga@pn.go.id"
        "&to=ptip@pn.go.id,sek@pn.go.id,a%2Bb@pn.go.id"
    )


def test_url_with_recipients_creates_a_query_when_there_is_none() -> None:
    assert notify_transport.url_with_recipients("mailto://mail.pn.go.id", ["a@pn.go.id", "b@pn.go.id"]) == (
        "mailto://mail.pn.go.id?to=a@pn.go.id,b@pn.go.id"
    )
    assert notify_transport.url_with_recipients("mailto://mail.pn.go.id", []) == "mailto://mail.pn.go.id"


def test_apprise_reads_the_recipients_it_is_given() -> None:
    import apprise

    built = notify_transport.url_with_recipients(
        "mailto://127.0.0.1:25?from=j@pn.go.id", ["a+b@pn.go.id", "c@pn.go.id"]
    )
    plugin = apprise.Apprise.instantiate(built)
    assert [address for _name, address in plugin.targets] == ["a+b@pn.go.id", "c@pn.go.id"]


@pytest.mark.parametrize(
    ("url", "personal"),
    [
        ("mailto://mail.pn.go.id", True),
        ("MAILTOS://u:p@mail.pn.go.id", True),
        ("tgram://123:abc/-100", False),
        ("ntfys://ntfy.sh/topik", False),
        ("json://127.0.0.1:9/", False),
    ],
)
def test_only_e_mail_urls_address_people(url: str, personal: bool) -> None:
    assert notify_transport.url_addresses_people(url) is personal


def test_an_e_mail_route_reaches_the_active_members_of_its_role_only(
    institution, other_institution, make_user, smtp_server, immediate_tasks
) -> None:
    _member(make_user, institution, "sekretaris", "sekretaris@pn-bangil.go.id")
    _member(make_user, institution, "sekretaris", "wakil@pn-bangil.go.id")
    _member(make_user, institution, "sekretaris", "pensiun@pn-bangil.go.id", active=False)
    _member(make_user, institution, "staff_p2ti", "staff@pn-bangil.go.id")
    _member(make_user, other_institution, "sekretaris", "sekretaris@pn-pasuruan.go.id")
    channel = _channel(institution, _mail_url(smtp_server), name="Surel", event_type="renewal.*")
    NotificationRoute.objects.filter(channel=channel).update(role="sekretaris")
    notify(institution=institution, event_type="renewal.approval_needed", title="Perpanjangan", body="Domain")
    assert sorted(smtp_server.recipients) == ["sekretaris@pn-bangil.go.id", "wakil@pn-bangil.go.id"]
    channel.refresh_from_db()
    assert channel.last_success_at is not None
    assert not channel.is_failing


def test_a_role_without_an_e_mail_address_is_a_visible_error(
    client: Client, institution, make_user, staff, smtp_server, immediate_tasks
) -> None:
    _member(make_user, institution, "sekretaris", "")
    channel = _channel(institution, _mail_url(smtp_server), name="Surel Sekretaris")
    NotificationRoute.objects.filter(channel=channel).update(role="sekretaris")
    notify(institution=institution, event_type="renewal.due", title="t", body="b")
    assert smtp_server.recipients == []
    channel.refresh_from_db()
    assert channel.is_failing
    assert channel.last_error == "tidak ada anggota peran Sekretaris dengan alamat e-mail"
    client.force_login(staff)
    body = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "tidak ada anggota peran Sekretaris dengan alamat e-mail" in body


def test_the_other_roles_still_receive_when_one_role_has_no_address(
    institution, make_user, smtp_server, immediate_tasks
) -> None:
    _member(make_user, institution, "kasubbag_ptip", "ptip@pn-bangil.go.id")
    channel = _channel(institution, _mail_url(smtp_server), event_type="incident.*")
    NotificationRoute.objects.filter(channel=channel).update(role="kasubbag_ptip")
    NotificationRoute.objects.create(institution=institution, event_type="*", role="sekretaris", channel=channel)
    notify(institution=institution, event_type="incident.escalated", title="t", body="b")
    assert smtp_server.recipients == ["ptip@pn-bangil.go.id"]
    channel.refresh_from_db()
    assert channel.is_failing
    assert "Sekretaris" in channel.last_error


def test_an_event_is_sent_once_per_channel_to_the_union_of_its_roles(
    institution, make_user, smtp_server, immediate_tasks
) -> None:
    both = _member(make_user, institution, "kasubbag_ptip", "ptip@pn-bangil.go.id")
    Membership.objects.create(user=both, institution=institution, role="sekretaris")
    _member(make_user, institution, "sekretaris", "sekretaris@pn-bangil.go.id")
    channel = _channel(institution, _mail_url(smtp_server), event_type="monitor.*")
    NotificationRoute.objects.filter(channel=channel).update(role="kasubbag_ptip")
    NotificationRoute.objects.create(
        institution=institution, event_type="monitor.down", role="sekretaris", channel=channel
    )
    NotificationRoute.objects.create(institution=institution, event_type="*", role="sekretaris", channel=channel)
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    assert sorted(smtp_server.recipients) == ["ptip@pn-bangil.go.id", "sekretaris@pn-bangil.go.id"]
    assert len(smtp_server.messages) == 2  # one message per address, none twice


def test_a_route_without_a_role_mails_the_channel_as_configured(
    institution, make_user, smtp_server, immediate_tasks
) -> None:
    _member(make_user, institution, "sekretaris", "sekretaris@pn-bangil.go.id")
    _channel(institution, _mail_url(smtp_server, "&to=ptip@pn-bangil.go.id"))
    notify(institution=institution, event_type="backup.failed", title="t", body="b")
    assert smtp_server.recipients == ["ptip@pn-bangil.go.id"]


def test_a_group_channel_is_the_roles_group_and_is_sent_to_once(
    institution, make_user, json_receiver, immediate_tasks
) -> None:
    _member(make_user, institution, "staff_p2ti", "")  # nobody needs an address for a group channel
    channel = _channel(institution, f"json://127.0.0.1:{json_receiver.server_address[1]}/", event_type="monitor.*")
    NotificationRoute.objects.filter(channel=channel).update(role="staff_p2ti")
    NotificationRoute.objects.create(
        institution=institution, event_type="monitor.down", role="sekretaris", channel=channel
    )
    notify(institution=institution, event_type="monitor.down", title="Situs mati", body="b")
    assert [m["title"] for m in json_receiver.received] == ["Situs mati"]
    channel.refresh_from_db()
    assert not channel.is_failing


def test_notify_records_the_union_of_roles_in_one_delivery(institution) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/", event_type="*")
    NotificationRoute.objects.filter(channel=channel).update(role="staff_p2ti")
    NotificationRoute.objects.create(
        institution=institution, event_type="monitor.*", role="sekretaris", channel=channel
    )
    NotificationRoute.objects.create(institution=institution, event_type="monitor.down", channel=channel)
    notify(institution=institution, event_type="monitor.down", title="t", body="b")
    assert NotificationDelivery.objects.get().roles == ["", "sekretaris", "staff_p2ti"]


# --- where the user sees a failing channel --------------------------------------------------------


def _fail(channel: NotificationChannel, error: str = "pengiriman gagal: koneksi ditolak") -> None:
    NotificationChannel.objects.filter(pk=channel.pk).update(last_error=error, last_error_at=timezone.now())


def test_failing_channels_are_those_whose_last_attempt_failed(institution, other_institution) -> None:
    failing = _channel(institution, "json://127.0.0.1:9/", name="gagal")
    _fail(failing)
    recovered = _channel(institution, "json://127.0.0.1:9/", name="pulih")
    _fail(recovered)
    NotificationChannel.objects.filter(pk=recovered.pk).update(last_success_at=timezone.now())
    _fail(_channel(institution, "json://127.0.0.1:9/", name="nonaktif", enabled=False))
    _channel(institution, "json://127.0.0.1:9/", name="baru")
    _fail(_channel(other_institution, "json://127.0.0.1:9/", name="lain"))
    assert [c.name for c in notification_channels_failing(institution=institution)] == ["gagal"]


def _dashboard(client: Client, user) -> str:  # type: ignore[no-untyped-def]
    from jaga.sop.services import sop_seed_default

    sop_seed_default()
    client.force_login(user)
    response = client.get(reverse("sop:institution_dashboard", kwargs={"slug": "pn-bangil"}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["staff_p2ti", "auditor"])
def test_the_sop_dashboard_warns_members_of_a_failing_channel(client: Client, institution, make_user, role) -> None:
    _fail(_channel(institution, "json://127.0.0.1:9/", name="Telegram PTIP"), "pengiriman gagal: 401 Unauthorized")
    body = _dashboard(client, make_user(role, institution))
    assert "data-channel-warnings" in body
    assert "Telegram PTIP" in body
    assert "401 Unauthorized" in body
    assert reverse("core:channel_list", kwargs={"slug": "pn-bangil"}) in body


def test_the_sop_dashboard_has_no_warning_when_channels_work(client: Client, institution, staff) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/", name="Telegram PTIP")
    NotificationChannel.objects.filter(pk=channel.pk).update(last_success_at=timezone.now())
    assert "data-channel-warnings" not in _dashboard(client, staff)


def test_the_warning_is_not_shown_to_outsiders(institution, outsider) -> None:
    _fail(_channel(institution, "json://127.0.0.1:9/", name="Telegram PTIP"))
    request = RequestFactory().get("/")
    request.user = outsider
    html = Template("{% load jaga_notifications %}{% channel_warnings institution %}").render(
        Context({"request": request, "institution": institution})
    )
    assert "Telegram PTIP" not in html
    assert html.strip() == ""


def test_auditors_see_the_channels_page_but_may_not_change_routes(client: Client, auditor, institution) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/", name="Webhook Kantor")
    client.force_login(auditor)
    body = client.get(reverse("core:channel_list", kwargs={"slug": "pn-bangil"})).content.decode()
    assert "Webhook Kantor" in body
    assert "Kirim uji" not in body
    response = client.post(
        reverse("core:route_create", kwargs={"slug": "pn-bangil"}),
        {"event_type": "monitor.*", "channel": channel.pk, "role": "auditor"},
    )
    assert response.status_code == 403
    assert NotificationRoute.objects.count() == 1


def test_outsiders_may_not_add_routes(client: Client, outsider, institution) -> None:
    channel = _channel(institution, "json://127.0.0.1:9/")
    client.force_login(outsider)
    response = client.post(
        reverse("core:route_create", kwargs={"slug": "pn-bangil"}),
        {"event_type": "monitor.*", "channel": channel.pk, "role": "sekretaris"},
    )
    assert response.status_code == 404
    assert NotificationRoute.objects.count() == 1
