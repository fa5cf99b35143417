"""Fixtures of the renewals tests: the SOP's people, a register with a domain on a loopback registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from jaga.renewals.tests.rdap_server import Registry


@pytest.fixture(autouse=True)
def _loopback_allowed(settings: Any) -> None:
    settings.JAGA_HTTP_ALLOW_INTERNAL = True  # the test registries live on 127.0.0.1


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A test that reads a page in English leaves the thread's language behind: the next test starts in Indonesian."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def registry() -> Iterator[Registry]:
    with Registry() as running:
        yield running


@pytest.fixture
def people(make_user: Any, institution: Any) -> dict[str, Any]:
    """One member for each role of the SOP chain, plus an auditor."""
    return {
        "staff": make_user("staff_p2ti", institution, "staff"),
        "ptip": make_user("kasubbag_ptip", institution, "ptip"),
        "umum": make_user("kasubbag_umum", institution, "umum"),
        "sekretaris": make_user("sekretaris", institution, "sekretaris"),
        "admin": make_user("administrator", institution, "admin"),
        "auditor": make_user("auditor", institution, "auditor"),
    }


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\n"
    b"endobj\nxref\n0 3\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n"
)


def pdf(name: str = "tagihan.pdf", body: bytes = PDF) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def hosting(institution: Any, site: Any) -> Any:
    from jaga.core import clock
    from jaga.renewals.services.register import service_create

    return service_create(
        institution=institution,
        sites=[site],
        kind="hosting",
        name="Hosting situs",
        provider="PT Hosting Contoh",
        cost=1_500_000,
        expires_on=clock.now().date() + dt.timedelta(days=20),
    )
