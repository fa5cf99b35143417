"""The incident workflow in Chromium at 1280 and 390 px, on the demo: an outage of the demo site's HTTP monitor
opens an incident whose diagnostics the live probe attaches (asked by the worker); a person takes it on and
escalates it to the vendor with a ticket; the site comes back and the incident resolves once the monitor has
confirmed it.

With JAGA_SCREENSHOTS=1 it leaves ``incidents-detail-desktop.png`` and ``incidents-detail-phone.png`` in
docs/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from jaga.demo.services import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, has_horizontal_scroll, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _report(monitor: Any, status: str, at: dt.datetime, *, change: bool) -> None:
    """What the probe does: write the check's result and, when the status changed, tell the apps."""
    from jaga.monitoring.models import CheckResult, Monitor
    from jaga.monitoring.services import Transition
    from jaga.monitoring.signals import monitor_status_changed

    CheckResult.objects.create(monitor=monitor, probe="demo", checked_at=at, status=status)
    if change:
        transition = Transition(
            monitor_id=monitor.pk, from_status="up" if status == "down" else "down", to_status=status,
            reason="Koneksi ditolak" if status == "down" else "", at=at, probes=["demo"],
        )  # fmt: skip
        monitor_status_changed.send_robust(sender=Monitor, monitor=monitor, transition=transition)


def _run_queued_diagnostics(incident_id: int, probe_name: str) -> None:
    """What the worker does, then the live probe's errand round, in a thread of their own (Playwright's loop
    runs in this one). Only the probe's errands run: its checks of the demo's other monitors are not this test's."""
    from asgiref.sync import async_to_sync
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from jaga.incidents.tasks import incident_diagnose
    from jaga.monitoring.engine import ProbeEngine

    queued = [
        r for r in DBTaskResult.objects.filter(task_path="jaga.incidents.tasks.incident_diagnose")
        if r.args_kwargs["kwargs"]["incident_id"] == incident_id
    ]  # fmt: skip
    assert len(queued) == 1

    async def errands() -> int:
        async with ProbeEngine(name=probe_name, control_url="") as engine:
            await engine.errands.drain()
            return engine.errands.done

    def work() -> None:
        try:
            assert incident_diagnose.call(**queued[0].args_kwargs["kwargs"]) == {"probes": [probe_name]}
            assert async_to_sync(errands)() == 1
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(work).result(60)


def test_an_outage_is_diagnosed_handled_escalated_and_resolved_when_the_site_is_back(
    demo: Any, open_page: Any, settings: Any
) -> None:
    from django.contrib.auth import get_user_model

    from jaga.core import clock
    from jaga.core.testing import free_port
    from jaga.incidents.demo import VENDOR_NAME
    from jaga.incidents.models import Incident, State
    from jaga.incidents.verify import incidents_verify_waiting
    from jaga.monitoring.engine.probe import VERSION
    from jaga.monitoring.models import Monitor, Probe
    from jaga.monitoring.services import probe_heartbeat

    settings.JAGA_INCIDENT_RESOLVE_CHECKS = 2
    Probe.objects.update(last_seen=clock.now() - dt.timedelta(hours=1))  # the demo's own probes are not running
    probe_heartbeat(probe_name="probe-e2e", now=clock.now(), version=VERSION)
    monitor = Monitor.objects.filter(site=demo.site, kind="http").first()
    assert monitor is not None
    site_url = monitor.config["url"]
    monitor.config = {**monitor.config, "url": f"http://127.0.0.1:{free_port()}/"}  # the hosting stopped
    monitor.save(update_fields=["config"])
    now = clock.now()
    _report(monitor, "down", now, change=True)
    incident = Incident.objects.exclude(state=State.RESOLVED).get(cause_key=f"monitor:{monitor.pk}")
    _run_queued_diagnostics(incident.pk, "probe-e2e")

    page = open_page(viewport=DESKTOP)
    log_in(page, "demo-staff", DEMO_PASSWORD)
    page.goto(incident.get_absolute_url())
    diagnostics = page.locator("[data-diagnostics]")
    assert diagnostics.count() == 1
    assert diagnostics.locator("[data-diagnostics-probe='probe-e2e']").count() == 1  # answered by the probe
    assert diagnostics.locator("tr[data-step='tcp'][data-ok='no']").count() == 1
    assert "ditolak" in diagnostics.locator("tr[data-step='tcp']").inner_text()
    assert diagnostics.locator("tr[data-step='http'][data-ok='no']").count() == 1

    page.click("#acknowledge")
    page.wait_for_load_state("domcontentloaded")
    staff = get_user_model().objects.get(username="demo-staff")
    assert page.locator("#handler").inner_text() == staff.get_full_name()
    page.select_option("#escalate-form select[name=to_tier]", "3")
    page.fill("#escalate-form textarea[name=reason]", "Server hosting tidak menjawab; vendor hosting dihubungi.")
    page.select_option("#escalate-form select[name=vendor]", label=VENDOR_NAME)
    page.fill("#escalate-form input[name=vendor_ticket]", "MWN-2026-0500")
    page.click("#escalate-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#incident-tier").get_attribute("data-tier") == "3"
    assert page.locator("#vendor-ticket").inner_text() == "MWN-2026-0500"
    assert page.locator("#timeline li[data-kind='escalation']").count() == 1
    assert not has_horizontal_scroll(page)
    screenshot(page, "incidents-detail-desktop")

    # The vendor restarts the server: the monitor finds the site up, once, then again.
    monitor.config = {**monitor.config, "url": site_url}
    monitor.save(update_fields=["config"])
    _report(monitor, "up", now + dt.timedelta(minutes=1), change=True)
    incident.refresh_from_db()
    assert incident.state == State.MONITORING  # one good check is not yet "website access available"
    _report(monitor, "up", now + dt.timedelta(minutes=2), change=False)
    assert incidents_verify_waiting(now=now + dt.timedelta(minutes=2)) == 1

    phone = open_page(viewport=PHONE)
    log_in(phone, "demo-staff", DEMO_PASSWORD)
    phone.goto(incident.get_absolute_url())
    assert phone.locator("#incident-state").get_attribute("data-state") == "resolved"
    assert phone.locator("#review").count() == 1  # a Kritis incident asks for its review
    assert phone.locator("[data-diagnostics] tr[data-step='tcp']").is_visible()
    assert not has_horizontal_scroll(phone), "the incident page scrolls sideways at 390 px"
    screenshot(phone, "incidents-detail-phone")


@pytest.mark.parametrize(("screen", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_scheduled_maintenance_gets_a_public_update_on_the_status_page(
    demo: Any, open_page: Any, screen: str, viewport: dict[str, int]
) -> None:
    from zoneinfo import ZoneInfo

    from jaga.core import clock
    from jaga.incidents.models import MaintenanceUpdate
    from jaga.monitoring.models import MaintenanceWindow, Monitor

    Monitor.objects.filter(site=demo.site).update(is_public=True)
    local = clock.now().astimezone(ZoneInfo(demo.institution.time_zone))
    title = f"Pembaruan PHP dan CMS ({screen})"
    page = open_page(viewport=viewport)
    log_in(page, "demo-staff", DEMO_PASSWORD)
    page.goto(f"/monitoring/sites/{demo.site.pk}/maintenance/")
    page.fill("input[name=title]", title)
    page.fill("input[name=starts_at]", (local - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.click("form.stacked button.btn")
    page.wait_for_load_state("domcontentloaded")
    window = MaintenanceWindow.objects.get(site=demo.site, title=title)

    page.click("text=Pembaruan untuk publik")
    page.wait_for_load_state("domcontentloaded")
    section = page.locator(f"[data-maintenance='{window.pk}']")
    assert section.get_attribute("data-when") == "ongoing"
    section.locator("summary").click()
    section.locator("select[name=stage]").select_option("in_progress")
    section.locator("textarea[name=text]").fill("Pembaruan PHP 8.3 dimulai; snapshot VM 10.0.0.7 sudah dibuat.")
    section.locator("input[name=is_public]").check()
    section.locator("textarea[name=public_text]").fill(
        "Pemeliharaan server sedang berlangsung; situs kembali pukul 22.00."
    )
    section.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    assert MaintenanceUpdate.objects.filter(window=window, is_public=True).count() == 1
    assert page.locator(f"[data-maintenance='{window.pk}'] [data-stage='in_progress']").count() == 1
    assert not has_horizontal_scroll(page), f"the maintenance page scrolls sideways at {viewport['width']} px"
    if screen == "desktop":
        screenshot(page, "incidents-maintenance-desktop")

    public = open_page(viewport=viewport)
    public.goto(f"/status/{demo.institution.slug}/{demo.site.pk}/")
    item = public.locator(f"[data-public-maintenance='{window.pk}']")
    assert item.get_attribute("data-stage") == "in_progress"
    assert "situs kembali pukul 22.00" in item.inner_text()
    assert "10.0.0.7" not in public.content()
    assert public.locator(f"text={title}").count() == 1  # with its updates, not again in the schedule above
    assert not has_horizontal_scroll(public), f"the public status page scrolls sideways at {viewport['width']} px"
    if screen == "phone":
        screenshot(public, "public-maintenance-phone")
