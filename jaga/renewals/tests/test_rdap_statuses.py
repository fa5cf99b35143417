"""A domain's status at its registry reads as words in the reader's language, not RDAP's English codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaga.renewals.models import ExpiryLookup

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "said"),
    [("id", "aktif, pindah registrar dikunci oleh registrar, kode-baru-registri"),
     ("en", "active, transfer locked by the registrar, kode-baru-registri")],
)  # fmt: skip
def test_the_registry_statuses_of_a_domain_read_in_the_readers_language(
    client: Client, staff: Any, hosting: Any, language: str, said: str
) -> None:
    lookup = ExpiryLookup.objects.create(
        service=hosting, at=timezone.now(), source="rdap", status="found",
        statuses=["active", "Client Transfer Prohibited", "kode-baru-registri"],
    )  # fmt: skip
    hosting.last_lookup = lookup
    hosting.save(update_fields=["last_lookup"])
    client.force_login(staff)
    client.cookies["django_language"] = language

    page = client.get(
        reverse("renewals:service_detail", kwargs={"slug": hosting.institution.slug, "service_id": hosting.pk})
    ).content.decode()

    assert f"<dd>{said}</dd>" in page  # an unknown value is shown as the registry wrote it
    assert "client transfer prohibited" not in page.lower()
