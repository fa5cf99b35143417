"""RDAP beyond PANDI's shape: the domain example of RFC 9083 §5.3, a registry that redirects (RFC 7480 §5.2), a
look-up that fails after a good one, and the ``jaga renewals lookup`` / ``check`` commands, all against
registries on loopback."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from jaga.core import clock
from jaga.renewals.models import ExpirySource, LookupStatus
from jaga.renewals.rdap.lookup import domain_expiry
from jaga.renewals.services.daily import renewals_daily_run
from jaga.renewals.services.register import service_create
from jaga.renewals.tests.rdap_server import Registry, pandi_domain, vcard

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).with_name("fixtures")


def rfc9083_domain() -> dict[str, Any]:
    """The domain object of RFC 9083 §5.3 (Figure 20), its structure kept whole (vCard and remarks shortened):
    variants, a unicodeName, name servers with addresses, secureDNS with keyData, a registrant, four events."""
    document: dict[str, Any] = json.loads((FIXTURES / "rfc9083-domain.json").read_text(encoding="utf-8"))
    return document


def test_it_reads_the_domain_example_of_rfc_9083(registry: Registry) -> None:
    registry.domain("xn--fo-5ja.example", rfc9083_domain())
    finding = domain_expiry(domain="xn--fo-5ja.example", server=registry.url)
    assert finding.status == LookupStatus.FOUND
    assert finding.expires_at == dt.datetime(2016, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert finding.statuses == ["locked", "transfer prohibited"]
    assert finding.nameservers == ["ns1.example.com", "ns2.example.com"]
    assert finding.registrar == ""  # Joe User is the registrant, not a registrar: no name is made up
    assert registry.requests == ["/rdap/domain/xn--fo-5ja.example"]


def test_a_unicode_name_is_asked_for_by_its_a_labels(registry: Registry) -> None:
    registry.domain("xn--fo-5ja.example", rfc9083_domain())
    out = StringIO()
    call_command("renewals", "lookup", "FÓO.example", "--server", registry.url, stdout=out)
    assert registry.requests == ["/rdap/domain/xn--fo-5ja.example"]
    assert "domain: xn--fo-5ja.example" in out.getvalue()


def test_a_registry_that_redirects_is_followed_to_the_one_that_answers(registry: Registry) -> None:
    with Registry() as authoritative:
        authoritative.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2027-03-21T23:59:59Z"))
        registry.redirects["pn-bangil.go.id"] = f"{authoritative.url}domain/pn-bangil.go.id"
        finding = domain_expiry(domain="pn-bangil.go.id", server=registry.url)
    assert finding.status == LookupStatus.FOUND
    assert finding.expires_at == dt.datetime(2027, 3, 21, 23, 59, 59, tzinfo=dt.UTC)
    assert registry.requests == ["/rdap/domain/pn-bangil.go.id"]
    assert authoritative.requests == ["/rdap/domain/pn-bangil.go.id"]


def test_a_redirect_loop_is_a_failure_with_its_reason(registry: Registry) -> None:
    registry.redirects["putar.go.id"] = f"{registry.url}domain/putar.go.id"
    finding = domain_expiry(domain="putar.go.id", server=registry.url)
    assert finding.status == LookupStatus.FAILED
    assert "Pengalihan berputar" in finding.error
    assert "Redirect loop" in finding.error


def test_the_lookup_command_prints_what_the_registry_says(registry: Registry) -> None:
    registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2027-03-21T23:59:59Z"))
    out = StringIO()
    call_command("renewals", "lookup", "https://www.PN-Bangil.go.id/berita", "--server", registry.url, stdout=out)
    text = out.getvalue()
    assert registry.requests == ["/rdap/domain/pn-bangil.go.id"]  # the site's address, asked as its domain
    assert "domain: pn-bangil.go.id" in text
    assert "status: found" in text
    assert "berakhir / expires: 2027-03-21T23:59:59+00:00" in text
    assert "registrar: PT Digital Registra Indonesia" in text
    assert "name server: ns1.pn-bangil.go.id, ns2.pn-bangil.go.id" in text
    assert f"sumber / source: {registry.url}domain/pn-bangil.go.id" in text


def test_the_lookup_command_fails_with_the_registrys_reason(registry: Registry) -> None:
    registry.answers["tolak.go.id"] = (503, b"maintenance", "text/plain")
    with pytest.raises(CommandError, match="HTTP 503"):
        call_command("renewals", "lookup", "tolak.go.id", "--server", registry.url, stdout=StringIO())
    with pytest.raises(CommandError, match="tidak sah"):
        call_command("renewals", "lookup", "bukan domain", stdout=StringIO())


@pytest.fixture
def two_domains(institution: Any, site: Any, registry: Registry) -> tuple[Any, Any]:
    ends = (clock.today("Asia/Jakarta") + dt.timedelta(days=200)).isoformat()
    for name in ("pn-bangil.go.id", "sipp.pn-bangil.go.id"):
        registry.domain(name, pandi_domain(name, expires=f"{ends}T23:59:59Z"))
    made = tuple(
        service_create(institution=institution, sites=[site], kind="domain", name=f"Domain {name}", identifier=name,
                       rdap_url=registry.url)
        for name in ("pn-bangil.go.id", "sipp.pn-bangil.go.id")
    )  # fmt: skip
    renewals_daily_run(institution=institution)
    return made  # type: ignore[return-value]


def test_a_lookup_that_fails_after_a_good_one_keeps_the_date_and_says_why(
    registry: Registry, two_domains: tuple[Any, Any]
) -> None:
    service, _other = two_domains
    service.refresh_from_db()
    known = service.expires_on
    assert known is not None
    assert service.expiry_source == ExpirySource.RDAP
    registry.answers["pn-bangil.go.id"] = (503, b"maintenance", "text/plain")
    report = renewals_daily_run(institution=service.institution, force_lookup=True)
    service.refresh_from_db()
    assert service.expires_on == known  # the registry's silence is not a new date
    assert service.last_lookup.status == LookupStatus.FAILED
    assert [line.split(":", 1)[0] for line in report.failed] == ["Domain pn-bangil.go.id"]
    assert "HTTP 503" in report.failed[0]


def test_the_check_command_lists_a_failed_look_up_and_exits_non_zero(
    registry: Registry, two_domains: tuple[Any, Any]
) -> None:
    service, _other = two_domains
    slug = service.institution.slug
    out, err = StringIO(), StringIO()
    call_command("renewals", "check", "--institution", slug, "--force", stdout=out, stderr=err)
    assert f"{slug}: diperiksa 2, kasus dibuka 0" in out.getvalue()
    assert err.getvalue() == ""
    registry.answers["sipp.pn-bangil.go.id"] = (429, b"slow down", "text/plain")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 layanan gagal diperiksa"):
        call_command("renewals", "check", "--institution", slug, "--force", stdout=out, stderr=err)
    assert f"{slug}: diperiksa 2" in out.getvalue()
    assert "gagal / failed: Domain sipp.pn-bangil.go.id:" in err.getvalue()
    assert "HTTP 429" in err.getvalue()
    assert "pn-bangil.go.id:" not in err.getvalue().replace("sipp.pn-bangil.go.id:", "")
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("renewals", "check", "--institution", "tidak-ada", stdout=StringIO())


def test_a_registrar_is_read_from_a_verisign_style_answer(registry: Registry) -> None:
    """.com and .net answer with the registrar's vCard, its IANA id, and the abuse contact nested in it."""
    document = {
        "objectClassName": "domain", "handle": "2138514_DOMAIN_COM-VRSN", "ldhName": "CONTOH-PENGADILAN.COM",
        "status": ["client delete prohibited", "client transfer prohibited"],
        "events": [{"eventAction": "registration", "eventDate": "2015-09-15T04:00:00Z"},
                   {"eventAction": "expiration", "eventDate": "2028-09-14T04:00:00Z"},
                   {"eventAction": "last update of RDAP database", "eventDate": "2026-12-02T10:11:12Z"}],
        "entities": [{"objectClassName": "entity", "handle": "292", "roles": ["registrar"],
                      "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}],
                      "vcardArray": vcard("MarkMonitor Inc."),
                      "entities": [{"objectClassName": "entity", "roles": ["abuse"],
                                    "vcardArray": vcard("Abuse Desk")}]}],
        "nameservers": [{"objectClassName": "nameserver", "ldhName": "NS1.CONTOH-PENGADILAN.COM"}],
        "secureDNS": {"delegationSigned": False},
    }  # fmt: skip
    registry.domain("contoh-pengadilan.com", document)
    finding = domain_expiry(domain="contoh-pengadilan.com", server=registry.url)
    assert finding.expires_at == dt.datetime(2028, 9, 14, 4, 0, tzinfo=dt.UTC)
    assert finding.registrar == "MarkMonitor Inc."
    assert finding.nameservers == ["ns1.contoh-pengadilan.com"]


def test_a_registry_whose_certificate_is_not_trusted_is_a_failure_naming_the_certificate(tmp_path: Path) -> None:
    """PANDI answers over https; a registry (or a proxy in the court's network) whose certificate this machine
    does not trust is never read."""
    from jaga.monitoring.tests.test_kinds_net import Pki

    context = Pki(tmp_path).server_context(names=["127.0.0.1"], days_left=90)  # signed by a CA nobody trusts
    with Registry(ssl_context=context) as registry:
        registry.domain("pn-bangil.go.id", pandi_domain("pn-bangil.go.id", expires="2027-03-21T23:59:59Z"))
        assert registry.url.startswith("https://127.0.0.1:")
        finding = domain_expiry(domain="pn-bangil.go.id", server=registry.url)
        assert registry.requests == []  # no request got through the handshake
    assert finding.status == LookupStatus.FAILED
    assert finding.expires_at is None
    assert "Sertifikat TLS 127.0.0.1 tidak sah" in finding.error
    assert "CERTIFICATE_VERIFY_FAILED" in finding.error
