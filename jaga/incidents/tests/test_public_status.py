"""The site's public status page shows its incidents with only the updates a person chose to publish."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from jaga.incidents.models import Incident, State
from jaga.incidents.services import incident_open_or_update
from jaga.incidents.services.workflow import incident_entry_add
from jaga.monitoring.models import Monitor


def test_open_incidents_and_their_public_updates_show_and_nothing_internal_does(
    client: Client, site: Any, staff: Any
) -> None:
    Monitor.objects.create(site=site, name="Beranda", kind="http", config={}, is_public=True)
    incident = incident_open_or_update(
        site=site, kind="outage", cause_key="monitor:1", summary="Beranda: connect 10.0.0.5:443 ditolak",
    )  # fmt: skip
    incident_entry_add(incident=incident, user=staff, text="nginx mati di 10.0.0.5, restart", is_public=False)
    incident_entry_add(
        incident=incident, user=staff, text="Server web dimulai ulang", is_public=True,
        public_text="Kami sedang memulihkan layanan situs.",
    )  # fmt: skip
    old = incident_open_or_update(site=site, kind="manual", cause_key="lama", summary="s")
    Incident.objects.filter(pk=old.pk).update(
        state=State.RESOLVED, resolved_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )  # long over, nothing public: not shown
    page = client.get(reverse("public_status", args=[site.institution.slug, site.pk])).content.decode()
    assert f'data-public-incident="{incident.pk}"' in page
    assert f'data-public-incident="{old.pk}"' not in page
    assert "Situs tidak dapat diakses" in page
    assert "Kami sedang memulihkan layanan situs." in page
    assert "10.0.0.5" not in page
    assert "Server web dimulai ulang" not in page
