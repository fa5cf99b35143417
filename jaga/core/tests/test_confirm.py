"""Every delete, revoke and removal asks first, on a page that works without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.core.models import ApiToken, Membership, NotificationChannel, NotificationRoute, Site
from jaga.core.services import api_token_create
from jaga.incidents.models import Vendor
from jaga.monitoring.models import MaintenanceWindow
from jaga.renewals.models import CalendarFeed
from jaga.renewals.services.feeds import feed_create
from jaga.reports.document import Period
from jaga.reports.models import Report, ReportSchedule
from jaga.reports.scheduled import report_schedule_create
from jaga.reports.services import report_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user, institution):  # type: ignore[no-untyped-def]
    return make_user("administrator", institution, "admin")


def _channel(institution: Any) -> NotificationChannel:
    return NotificationChannel.objects.create(institution=institution, name="Telegram", url="json://127.0.0.1:9/")


Case = tuple[Callable[..., Any], Callable[[Any], str], Callable[[Any], bool]]

CASES: dict[str, Case] = {
    # name: (make the object, its delete URL, whether it is still there)
    "membership": (
        lambda ctx: Membership.objects.get(user=ctx["staff"]),
        lambda obj: reverse("core:membership_delete", kwargs={"slug": "pn-bangil", "pk": obj.pk}),
        lambda obj: Membership.objects.filter(pk=obj.pk).exists(),
    ),
    "token": (
        lambda ctx: api_token_create(user=ctx["staff"], institution=ctx["institution"], name="skrip")[0],
        lambda obj: reverse("core:token_revoke", kwargs={"slug": "pn-bangil", "pk": obj.pk}),
        lambda obj: not ApiToken.objects.get(pk=obj.pk).revoked,
    ),
    "channel": (
        lambda ctx: _channel(ctx["institution"]),
        lambda obj: reverse("core:channel_delete", kwargs={"slug": "pn-bangil", "pk": obj.pk}),
        lambda obj: NotificationChannel.objects.filter(pk=obj.pk).exists(),
    ),
    "route": (
        lambda ctx: NotificationRoute.objects.create(
            institution=ctx["institution"], event_type="*", channel=_channel(ctx["institution"])
        ),
        lambda obj: reverse("core:route_delete", kwargs={"slug": "pn-bangil", "pk": obj.pk}),
        lambda obj: NotificationRoute.objects.filter(pk=obj.pk).exists(),
    ),
    "site": (
        lambda ctx: ctx["site"],
        lambda obj: reverse("core:site_delete", kwargs={"slug": "pn-bangil", "site_id": obj.pk}),
        lambda obj: Site.objects.filter(pk=obj.pk).exists(),
    ),
    "maintenance window": (
        lambda ctx: MaintenanceWindow.objects.create(
            site=ctx["site"],
            title="Pembaruan WordPress",
            starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=1),
        ),
        lambda obj: reverse("monitoring:maintenance_delete", args=[obj.pk]),
        lambda obj: MaintenanceWindow.objects.filter(pk=obj.pk).exists(),
    ),
    "vendor": (
        lambda ctx: Vendor.objects.create(institution=ctx["institution"], name="PT Hosting Contoh"),
        lambda obj: reverse("incidents:vendor_delete", kwargs={"slug": "pn-bangil", "vendor_id": obj.pk}),
        lambda obj: Vendor.objects.filter(pk=obj.pk).exists(),
    ),
    "draft report": (
        lambda ctx: report_create(
            institution=ctx["institution"], kind="situation", period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
        ),
        lambda obj: reverse("reports:report_delete", kwargs={"slug": "pn-bangil", "report_id": obj.pk}),
        lambda obj: Report.objects.filter(pk=obj.pk).exists(),
    ),
    "report schedule": (
        lambda ctx: report_schedule_create(
            institution=ctx["institution"], kind="situation", cadence="monthly", at=dt.time(7, 30)
        ),
        lambda obj: reverse("reports:schedule_delete", kwargs={"slug": "pn-bangil", "schedule_id": obj.pk}),
        lambda obj: ReportSchedule.objects.filter(pk=obj.pk).exists(),
    ),
    "calendar feed": (  # one's own calendar address: the administrator's here
        lambda ctx: feed_create(user=ctx["admin"], institution=ctx["institution"])[0],
        lambda obj: reverse("renewals:feed_revoke", kwargs={"slug": "pn-bangil", "pk": obj.pk}),
        lambda obj: CalendarFeed.objects.get(pk=obj.pk).revoked_at is None,
    ),
}


@pytest.fixture
def ctx(staff, admin, institution, site) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"staff": staff, "admin": admin, "institution": institution, "site": site}


@pytest.mark.parametrize("name", list(CASES))
def test_the_button_asks_first_and_changes_nothing(client: Client, admin, ctx, name: str) -> None:
    make, url_of, still_there = CASES[name]
    obj = make(ctx)
    client.force_login(admin)
    for method in ("post", "get"):  # the page's button, or a link
        response = getattr(client, method)(url_of(obj))
        assert response.status_code == 200, (name, method)
        body = response.content.decode()
        assert 'role="alertdialog"' in body
        assert '<input type="hidden" name="confirm" value="yes">' in body
        assert f'action="{url_of(obj)}"' in body
        assert ">Batal</a>" in body
        assert "<script" not in body.split('role="alertdialog"', 1)[1]  # no JavaScript needed
        assert still_there(obj), (name, method)


@pytest.mark.parametrize("name", list(CASES))
def test_the_confirmation_does_it(client: Client, admin, ctx, name: str) -> None:
    make, url_of, still_there = CASES[name]
    obj = make(ctx)
    client.force_login(admin)
    response = client.post(url_of(obj), {"confirm": "yes"})
    assert response.status_code == 302
    assert not still_there(obj)


@pytest.mark.parametrize("name", list(CASES))
def test_a_stranger_gets_no_question_and_nothing_happens(client: Client, outsider, ctx, name: str) -> None:
    make, url_of, still_there = CASES[name]
    obj = make(ctx)
    client.force_login(outsider)
    assert client.post(url_of(obj)).status_code == 404
    assert client.post(url_of(obj), {"confirm": "yes"}).status_code == 404
    assert still_there(obj)


def test_the_question_names_what_will_go(client: Client, admin, site) -> None:
    client.force_login(admin)
    body = client.get(reverse("core:site_delete", kwargs={"slug": "pn-bangil", "site_id": site.pk})).content.decode()
    assert "Hapus situs Situs PN Bangil (http://127.0.0.1:9/) dari Jaga?" in body
    assert "Catatan buku kegiatan SOP tetap disimpan" in body


def test_operators_may_not_delete_a_site(client: Client, staff, site) -> None:
    client.force_login(staff)
    url = reverse("core:site_delete", kwargs={"slug": "pn-bangil", "site_id": site.pk})
    assert client.post(url, {"confirm": "yes"}).status_code == 403
    assert Site.objects.filter(pk=site.pk).exists()
