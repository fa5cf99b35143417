"""Every URL Jaga serves, walked from the URL configuration, is closed to strangers.

The per-app tests check each view with a role that may and one that may not. This test is the net under
them: a view added later without the permission helper fails here, before anyone reviews it. For every
route it checks that an anonymous visitor is sent to the log-in (or refused), and that a member of another
institution gets 404 — never a page, never a change — for GET and POST alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

# Served to everyone on purpose: each is documented where it is defined.
PUBLIC = {
    "set_language",  # Django's language switch
    "public_status",  # the optional public status page (404 unless a monitor is public)
    "api_docs_js",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
    "metrics",  # loopback without a token, see docs/monitoring.md
    "core:login",
    "core:logout",
    # forgotten password: for people who cannot sign in (jaga/core/views/account.py)
    "core:password_reset",
    "core:password_reset_done",
    "core:password_reset_confirm",
    "core:password_reset_complete",
    # a calendar program cannot log in: the secret token in the address is the key (404 without a live one)
    "renewals:feed",
    # the demo's registry, like the demo court site: only the demo's made-up domain, only after `jaga demo`
    "renewals:demo_rdap",
}
PUBLIC_NAMESPACES = {"demo"}  # the demo court website, served only while the demo institution exists


def walk(patterns: list[Any], namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # Django's admin has its own staff-only gate
            yield from walk(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


@pytest.fixture
def world(institution: Any, site: Any, staff: Any) -> dict[str, Any]:
    """One object of every kind a URL can point at, all in ``institution``."""
    from jaga.core.models import (
        ApiToken,
        Membership,
        NotificationChannel,
        NotificationDelivery,
        NotificationRoute,
        Site,
    )
    from jaga.core.services import api_token_create
    from jaga.monitoring.models import MaintenanceWindow, Monitor
    from jaga.sop.services import ledger_record

    now = timezone.now()
    monitor = Monitor.objects.create(site=site, name="Beranda", kind="http", config={"url": "http://127.0.0.1:9/"})
    window = MaintenanceWindow.objects.create(
        site=site, title="Pemeliharaan", starts_at=now, ends_at=now + dt.timedelta(hours=1)
    )
    entry = ledger_record(
        activity_key="monitoring",
        institution=institution,
        site=site,
        performed_by=staff,
        started_at=now - dt.timedelta(minutes=30),
        ended_at=now,
        outcome="success",
        evidence_files=[ContentFile(b"bukti", name="bukti.txt")],
    )
    channel = NotificationChannel.objects.create(institution=institution, name="Kanal", url="json://127.0.0.1:9/")
    route = NotificationRoute.objects.create(
        institution=institution, event_type="*", role="sekretaris", channel=channel
    )
    delivery = NotificationDelivery.objects.create(
        institution=institution, channel=channel, channel_name=channel.name, event_type="test", language="id",
        title="Uji", status="failed", attempts=5,
    )  # fmt: skip
    token, _raw = api_token_create(user=staff, institution=institution, name="uji")
    from jaga.renewals.models import Document, RenewalCase
    from jaga.renewals.services.feeds import feed_create
    from jaga.renewals.services.register import service_create

    service = service_create(institution=institution, sites=[site], kind="hosting", name="Hosting")
    case = RenewalCase.objects.create(institution=institution, service=service, state_since=now, opened_at=now)
    document = Document.objects.create(
        service=service, case=case, kind="invoice", file=ContentFile(b"%PDF-1.4", name="t.pdf"),
        original_name="t.pdf", sha256="0" * 64, size=8, uploaded_at=now,
    )  # fmt: skip
    feed, _feed_token = feed_create(user=staff, institution=institution)
    from jaga.incidents.models import Incident, MaintenanceUpdate, TimelineEntry, Vendor
    from jaga.incidents.services.vendors import vendor_save
    from jaga.incidents.services.workflow import incident_entry_add, incident_open_manual

    incident = incident_open_manual(site=site, user=staff, kind="manual", summary="Formulir galat")
    vendor = vendor_save(institution=institution, user=staff, name="PT Hosting")
    timeline_entry = incident_entry_add(
        incident=incident, user=staff, text="log", upload=ContentFile(b"GET / 500\n", name="akses.log")
    )
    from django_tasks_db.models import DBTaskResult

    from jaga.backups.models import Plan, Repository, Run, Source

    repository = Repository.objects.create(institution=institution, name="Repo", location="/nowhere", password="x")
    plan = Plan.objects.create(site=site, name="Rencana", repository=repository)
    run = Run.objects.create(plan=plan, started_at=now)
    source = Source.objects.create(plan=plan, kind="files", name="www", config={"path": "/srv/www"})
    from jaga.traffic.forms import EXAMPLE
    from jaga.traffic.models import CustomRule

    custom_rule = CustomRule.objects.create(key="aturan-dunia", text=EXAMPLE, institution=institution)
    membership = Membership.objects.get(user=staff, institution=institution)
    from jaga.reports.models import EvidencePack, Report, ReportSchedule

    report = Report.objects.create(
        institution=institution, kind="situation", period_start=now.date(), period_end=now.date()
    )
    report_schedule = ReportSchedule.objects.create(institution=institution, kind="situation")
    pack = EvidencePack.objects.create(institution=institution, period_start=now.date(), period_end=now.date())
    by_url_pk = {
        "monitoring:maintenance_delete": window.pk,
        "core:membership_delete": membership.pk,
        "core:membership_role": membership.pk,
        "core:membership_password": membership.pk,
        "core:channel_edit": channel.pk,
        "core:channel_delete": channel.pk,
        "core:channel_test": channel.pk,
        "core:route_delete": route.pk,
        "core:delivery_resend": delivery.pk,
        "core:token_revoke": token.pk,
        "renewals:feed_revoke": feed.pk,
    }
    return {
        "slug": institution.slug,
        "site_id": site.pk,
        "number": 1,
        "evidence_id": entry.evidence.get().pk,
        "monitor_id": monitor.pk,
        "service_id": service.pk,
        "case_id": case.pk,
        "document_id": document.pk,
        "report_id": report.pk,
        "schedule_id": report_schedule.pk,
        "pack_id": pack.pk,
        "incident_id": incident.pk,
        "entry_id": timeline_entry.pk,
        "vendor_id": vendor.pk,
        "window_id": window.pk,
        "plan_id": plan.pk,
        "run_id": run.pk,
        "repo_id": repository.pk,
        "source_id": source.pk,
        "rule_id": custom_rule.pk,
        "what": "run",
        "kind": "backup",
        "token": "no-such-token",
        "name": "pn-contoh.go.id",
        "format_key": "nginx",
        "pk_for": lambda name: by_url_pk.get(name, monitor.pk),
        "counts": lambda: (
            Monitor.objects.count(),
            MaintenanceWindow.objects.count(),
            NotificationChannel.objects.count(),
            NotificationRoute.objects.count(),
            Membership.objects.count(),
            Site.objects.count(),
            ApiToken.objects.filter(revoked=False).count(),
            list(RenewalCase.objects.values_list("state", "version")),
            Document.objects.count(),
            list(Report.objects.values_list("pk", "number", "sent_at", "acknowledged_at")),
            ReportSchedule.objects.count(),
            list(NotificationDelivery.objects.values_list("status", flat=True)),
            list(Incident.objects.values_list("state", "version", "handler_id", "tier")),
            list(Vendor.objects.values_list("name", "contacts")),
            TimelineEntry.objects.count(),
            MaintenanceUpdate.objects.count(),
            DBTaskResult.objects.count(),
            list(Repository.objects.values_list("sheet_confirmed_at", "name", "location", "removed_at")),
            list(Plan.objects.values_list("name", "interval_hours", "is_active", "removed_at")),
            list(Source.objects.values_list("name", "config")),
            list(CustomRule.objects.values_list("key", "text", "is_active")),
        ),
    }


def protected_urls(world: dict[str, Any]) -> list[tuple[str, str]]:
    urls = []
    for name, pattern in walk(get_resolver().url_patterns):
        if name in PUBLIC or name.split(":")[0] in PUBLIC_NAMESPACES:
            continue
        kwargs: dict[str, Any] = {}
        for key in pattern.pattern.regex.groupindex:
            kwargs[key] = world["pk_for"](name) if key == "pk" else world[key]
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_the_walk_finds_the_views_of_every_app(world: dict[str, Any]) -> None:
    names = {name for name, _url in protected_urls(world)}
    for expected in ("core:home", "sop:institution_dashboard", "monitoring:monitor_delete", "api:monitors_list"):
        assert expected in names


def test_an_anonymous_visitor_is_sent_to_the_login_or_refused_everywhere(client: Any, world: dict[str, Any]) -> None:
    before = world["counts"]()
    for name, url in protected_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("core:login")), (name, method, response["Location"])
            else:
                assert response.status_code in {401, 403, 404, 405}, (name, method, response.status_code)
    assert world["counts"]() == before


def test_a_member_of_another_institution_sees_nothing_and_changes_nothing(
    client: Any, world: dict[str, Any], outsider: Any
) -> None:
    client.force_login(outsider)
    before = world["counts"]()
    for name, url in protected_urls(world):
        if name in {
            "core:home",
            "monitoring:index",
            "core:institution_create",
            "core:otp_setup",
            "core:otp_verify",
            "core:account",
            "core:password_change",
        }:
            continue  # not about one institution: they show the outsider's own, or their own account
        if name.startswith("api:"):
            continue  # token-authenticated: a session is not a credential there (checked below)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in {404, 405}, (name, method, response.status_code)
    assert world["counts"]() == before


def test_the_api_refuses_a_token_of_another_institution(
    client: Any, world: dict[str, Any], make_user: Any, other_institution: Any
) -> None:
    from jaga.core.services import api_token_create

    stranger = make_user("administrator", other_institution, "api-stranger")
    _token, raw = api_token_create(user=stranger, institution=other_institution, name="asing")
    before = world["counts"]()
    for name, url in protected_urls(world):
        if not name.startswith("api:") or str(world["monitor_id"]) not in url:
            continue
        for method in ("get", "delete", "post", "put", "patch"):
            response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
            # A request whose empty body cannot be parsed as JSON (400) or fails validation (422) is refused
            # before any look-up: it says nothing.
            allowed = {404, 405} if method in {"get", "delete"} else {400, 404, 405, 422}
            assert response.status_code in allowed, (name, method, response.status_code)
    assert world["counts"]() == before
