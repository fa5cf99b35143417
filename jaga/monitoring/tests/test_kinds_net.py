"""The network kinds (http, tls, dns, tcp) against real servers on loopback."""

from __future__ import annotations

import asyncio
import ssl
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import aiohttp.abc
import pytest
from aiohttp import web

from jaga.monitoring.kinds import REGISTRY
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Status, validate_config
from jaga.monitoring.tests.loopback import LoopbackServer, free_port


def check(
    kind: str, config: dict[str, Any], *, timeout_s: float = 5.0, max_body_bytes: int = 5 * 1024 * 1024
) -> CheckOutcome:
    impl = REGISTRY.get(kind)
    cfg = validate_config(impl, config)

    async def go() -> CheckOutcome:
        async with aiohttp.ClientSession() as session:
            ctx = CheckContext(session=session, timeout_s=timeout_s, max_body_bytes=max_body_bytes)
            return await impl.check(ctx, cfg)

    return asyncio.run(go())


async def _page(request: web.Request) -> web.Response:
    return web.Response(
        text="<html><title>Pengadilan Negeri Bangil</title><body>Beranda</body></html>",
        content_type="text/html",
        headers={"X-Frame-Options": "SAMEORIGIN"},
    )


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(0.3)
    return web.Response(text="lambat")


async def _status(request: web.Request) -> web.Response:
    return web.Response(status=int(request.match_info["code"]), text="x")


async def _loop(request: web.Request) -> web.Response:
    target = "/loop-b" if request.path == "/loop-a" else "/loop-a"
    raise web.HTTPFound(target)


async def _chain(request: web.Request) -> web.Response:
    n = int(request.match_info["n"])
    if n == 0:
        return web.Response(text="akhir")
    raise web.HTTPFound(f"/chain/{n - 1}")


async def _trickle(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    await resp.prepare(request)
    for _ in range(200):  # one byte every 50 ms: 10 s in total, far beyond the deadline
        await resp.write(b"x")
        await asyncio.sleep(0.05)
    return resp


async def _huge(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "text/html"})
    await resp.prepare(request)
    chunk = b"a" * (1024 * 1024)
    try:
        for _ in range(50):  # 50 MB
            await resp.write(chunk)
    except (ConnectionResetError, RuntimeError):
        pass
    return resp


async def _latin1(request: web.Request) -> web.Response:
    body = "Selamat datang di Pengadilan — café Jalan Raya".replace("—", "-").encode("latin-1")
    ctype = request.query.get("ctype", "text/html; charset=iso-8859-1")
    return web.Response(body=body, headers={"Content-Type": ctype})


@pytest.fixture(scope="module")
def server():
    app = web.Application()
    app.router.add_get("/", _page)
    app.router.add_get("/slow", _slow)
    app.router.add_get("/status/{code}", _status)
    app.router.add_get("/loop-a", _loop)
    app.router.add_get("/loop-b", _loop)
    app.router.add_get("/chain/{n}", _chain)
    app.router.add_get("/trickle", _trickle)
    app.router.add_get("/huge", _huge)
    app.router.add_get("/latin1", _latin1)
    with LoopbackServer(app) as srv:
        yield srv


# --- http ---------------------------------------------------------------------------------------


def test_it_reports_up_with_status_and_time(server):
    outcome = check("http", {"url": server.url("/")})
    assert outcome.status == Status.UP
    assert outcome.details["status_code"] == 200
    assert outcome.response_ms is not None
    assert outcome.response_ms > 0


def test_it_reports_an_unexpected_status_as_down(server):
    outcome = check("http", {"url": server.url("/status/503")})
    assert outcome.status == Status.DOWN
    assert "HTTP 503" in outcome.reason


def test_it_accepts_configured_status_codes(server):
    assert check("http", {"url": server.url("/status/404"), "expected_status": ["404"]}).status == Status.UP


def test_it_finds_a_keyword_case_insensitively_by_default(server):
    assert check("http", {"url": server.url("/"), "keyword": "BERANDA"}).status == Status.UP
    outcome = check("http", {"url": server.url("/"), "keyword": "BERANDA", "keyword_case_sensitive": True})
    assert outcome.status == Status.DOWN
    assert "BERANDA" in outcome.reason


def test_it_reports_a_forbidden_keyword(server):
    outcome = check("http", {"url": server.url("/"), "keyword": "bangil", "keyword_mode": "absent"})
    assert outcome.status == Status.DOWN
    assert "terlarang" in outcome.reason


def test_it_checks_required_headers(server):
    assert (
        check("http", {"url": server.url("/"), "required_headers": {"X-Frame-Options": "^SAMEORIGIN$"}}).status
        == Status.UP
    )
    outcome = check("http", {"url": server.url("/"), "required_headers": {"Strict-Transport-Security": ""}})
    assert outcome.status == Status.DOWN
    assert "Strict-Transport-Security" in outcome.reason


def test_it_reports_a_slow_answer_as_degraded(server):
    outcome = check("http", {"url": server.url("/slow"), "max_response_ms": 100})
    assert outcome.status == Status.DEGRADED
    assert "Lambat" in outcome.reason


def test_it_names_an_invalid_url():
    outcome = asyncio.run(_fetch_reason("http://exa mple:99999/"))
    assert "tidak sah" in outcome


async def _fetch_reason(url: str) -> str:
    from jaga.monitoring.kinds.http import FetchError, fetch

    async with aiohttp.ClientSession() as session:
        try:
            await fetch(CheckContext(session=session, timeout_s=2), url)
        except FetchError as exc:
            return exc.message
    return "no error"


def test_it_reports_a_refused_connection():
    outcome = check("http", {"url": f"http://127.0.0.1:{free_port()}/"})
    assert outcome.status == Status.DOWN
    assert "ditolak" in outcome.reason
    assert outcome.details["error"] == "refused"


def test_it_names_a_redirect_loop(server):
    outcome = check("http", {"url": server.url("/loop-a")})
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "redirect_loop"
    assert "/loop-b" in outcome.reason


def test_it_limits_the_number_of_redirects(server):
    assert check("http", {"url": server.url("/chain/3"), "max_redirects": 3}).status == Status.UP
    outcome = check("http", {"url": server.url("/chain/5"), "max_redirects": 3})
    assert outcome.details["error"] == "too_many_redirects"


def test_it_reports_a_redirect_as_down_when_not_following_without_echoing_its_location(server):
    outcome = check("http", {"url": server.url("/chain/1"), "follow_redirects": False, "expected_status": ["200"]})
    assert outcome.status == Status.DOWN
    assert "302" in outcome.reason
    assert "/chain/0" not in outcome.reason  # a header value the reader of the reason may not see


def test_it_stops_a_trickling_server_at_the_total_deadline(server):
    started = time.monotonic()
    outcome = check("http", {"url": server.url("/trickle")}, timeout_s=0.5)
    elapsed = time.monotonic() - started
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "timeout"
    assert elapsed < 2.0  # each byte came within the read timeout; only the total deadline stops it


def test_it_caps_a_huge_body_without_failing(server):
    started = time.monotonic()
    outcome = check("http", {"url": server.url("/huge"), "max_body_bytes": 100_000})
    assert outcome.status == Status.UP
    assert outcome.details["bytes"] == 100_000
    assert outcome.details["truncated"] is True
    assert time.monotonic() - started < 3


def test_it_fails_a_keyword_search_beyond_the_cap_with_a_reason(server):
    outcome = check("http", {"url": server.url("/huge"), "max_body_bytes": 1000, "keyword": "Beranda"})
    assert outcome.status == Status.DOWN
    assert "dipotong" in outcome.reason


def test_it_decodes_a_latin1_body_from_its_header(server):
    outcome = check("http", {"url": server.url("/latin1"), "keyword": "café"})
    assert outcome.status == Status.UP


def test_it_survives_a_non_utf8_body_without_a_charset(server):
    outcome = check("http", {"url": server.url("/latin1?ctype=text/html"), "keyword": "Jalan Raya"})
    assert outcome.status == Status.UP


def test_it_reports_a_dns_failure_without_leaving_the_machine():
    class NoResolver(aiohttp.abc.AbstractResolver):
        async def resolve(self, host, port=0, family=0):  # type: ignore[no-untyped-def]
            raise OSError(-2, "Name or service not known")

        async def close(self) -> None:
            return None

    impl = REGISTRY.get("http")
    cfg = validate_config(impl, {"url": "http://tidak-ada.pn-bangil.invalid/"})

    async def go() -> CheckOutcome:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=NoResolver())) as session:
            return await impl.check(CheckContext(session=session, timeout_s=2), cfg)

    outcome = asyncio.run(go())
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "dns"
    assert "tidak-ada.pn-bangil.invalid" in outcome.reason


# --- tcp ----------------------------------------------------------------------------------------


def test_it_connects_to_an_open_port_and_times_it(server):
    outcome = check("tcp", {"host": "127.0.0.1", "port": server.port})
    assert outcome.status == Status.UP
    assert outcome.response_ms is not None


def test_it_reports_a_closed_port():
    outcome = check("tcp", {"host": "127.0.0.1", "port": free_port()})
    assert outcome.status == Status.DOWN
    assert "ditolak" in outcome.reason


def test_it_rejects_a_url_where_a_host_is_expected():
    with pytest.raises(ValueError, match="host"):
        validate_config(REGISTRY.get("tcp"), {"host": "https://pn.example/", "port": 443})


# --- tls ----------------------------------------------------------------------------------------


class Pki:
    """A private CA and certificates signed by it (or by themselves), written as PEM files."""

    def __init__(self, directory) -> None:  # type: ignore[no-untyped-def]
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.x509, self.hashes, self.ec, self.NameOID = x509, hashes, ec, NameOID
        self.dir = directory
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Jaga Test CA")])
        now = datetime.now(UTC)
        self.ca_cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=10))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.ca_key, hashes.SHA256())
        )
        self.ca_file = str(directory / "ca.pem")
        with open(self.ca_file, "wb") as f:
            f.write(self.ca_cert.public_bytes(_pem()))

    def server_context(self, *, names: list[str], days_left: int, self_signed: bool = False) -> ssl.SSLContext:
        import ipaddress

        from cryptography.hazmat.primitives import serialization

        x509 = self.x509
        key = self.ec.generate_private_key(self.ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(self.NameOID.COMMON_NAME, names[0])])
        sans: list[x509.GeneralName] = []
        for n in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self.ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=400))
            .not_valid_after(now + timedelta(days=days_left, hours=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .sign(key if self_signed else self.ca_key, self.hashes.SHA256())
        )
        cert_file = self.dir / f"cert-{cert.serial_number}.pem"
        key_file = self.dir / f"key-{cert.serial_number}.pem"
        cert_file.write_bytes(cert.public_bytes(_pem()))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        return context


def _pem():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.PEM


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def tls_check(pki: Pki, **server: Any) -> CheckOutcome:
    app = web.Application()
    app.router.add_get("/", _page)
    with LoopbackServer(app, ssl_context=pki.server_context(**server)) as srv:
        return check("tls", {"host": "127.0.0.1", "port": srv.port, "ca_file": pki.ca_file})


def test_it_accepts_a_valid_certificate_from_a_trusted_ca(pki):
    outcome = tls_check(pki, names=["127.0.0.1", "pn-bangil.test"], days_left=90)
    assert outcome.status == Status.UP
    assert outcome.details["days_left"] in (89, 90)
    assert "Jaga Test CA" in outcome.details["issuer"]
    assert "pn-bangil.test" in outcome.details["sans"]


def test_it_warns_before_a_certificate_expires(pki):
    outcome = tls_check(pki, names=["127.0.0.1"], days_left=5)
    assert outcome.status == Status.DEGRADED
    assert outcome.findings[0].code == "tls_expiring"
    assert outcome.findings[0].severity == "critical"


def test_it_reports_a_wrong_host_name_with_the_expiry(pki):
    outcome = tls_check(pki, names=["lain.example"], days_left=60)
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "hostname_mismatch"
    assert "127.0.0.1" in outcome.reason
    assert outcome.details["days_left"] in (59, 60)


def test_it_reports_an_expired_certificate(pki):
    outcome = tls_check(pki, names=["127.0.0.1"], days_left=-3)
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "expired"
    assert outcome.details["days_left"] < 0


def test_it_reports_an_untrusted_chain_and_still_reads_the_expiry(pki):
    outcome = tls_check(pki, names=["127.0.0.1"], days_left=30, self_signed=True)
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "untrusted_chain"
    assert outcome.details["days_left"] in (29, 30)


def test_it_reports_a_tls_error_for_a_plain_http_port(server):
    outcome = check("tls", {"host": "127.0.0.1", "port": server.port}, timeout_s=2)
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] in {"tls", "reset"}


def test_it_reports_an_https_site_with_an_untrusted_certificate(pki):
    app = web.Application()
    app.router.add_get("/", _page)
    with LoopbackServer(app, ssl_context=pki.server_context(names=["127.0.0.1"], days_left=30)) as srv:
        outcome = check("http", {"url": srv.url("/")})
        trusted = check("http", {"url": srv.url("/"), "ca_file": pki.ca_file})
        unverified = check("http", {"url": srv.url("/"), "verify_tls": False})
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "tls_certificate"
    assert trusted.status == Status.UP
    assert unverified.status == Status.UP


# --- dns ----------------------------------------------------------------------------------------


class TinyDns:
    """A UDP DNS server on loopback answering from a dict, built with dnspython's message API."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        import socket
        import threading

        self.records = records
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset

        while self.running:
            try:
                data, addr = self.sock.recvfrom(4096)
            except OSError:
                continue
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            rtype = dns.rdatatype.to_text(question.rdtype)
            if not any(n == name for n, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif (name, rtype) in self.records:
                response.answer.append(
                    dns.rrset.from_text(question.name, 300, "IN", rtype, *self.records[(name, rtype)])
                )
            self.sock.sendto(response.to_wire(), addr)

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def tiny_dns():
    server = TinyDns(
        {
            ("pn-bangil.go.id", "A"): ["203.0.113.10", "203.0.113.11"],
            ("pn-bangil.go.id", "MX"): ["10 mail.pn-bangil.go.id."],
            ("pn-bangil.go.id", "TXT"): ['"v=spf1 mx -all"'],
            ("pn-bangil.go.id", "NS"): ["ns1.pandi.id."],
        }
    )
    yield server
    server.close()


def dns_check(tiny_dns, **config: Any) -> CheckOutcome:  # type: ignore[no-untyped-def]
    return check(
        "dns", {"nameserver": "127.0.0.1", "port": tiny_dns.port, "name": "pn-bangil.go.id", **config}, timeout_s=2
    )


def test_it_resolves_and_matches_a_subset_of_expected_values(tiny_dns):
    outcome = dns_check(tiny_dns, expected=["203.0.113.11"])
    assert outcome.status == Status.UP
    assert sorted(outcome.details["values"]) == ["203.0.113.10", "203.0.113.11"]


def test_it_reports_unexpected_records(tiny_dns):
    outcome = dns_check(tiny_dns, expected=["198.51.100.1"])
    assert outcome.status == Status.DOWN
    assert "198.51.100.1" in outcome.reason
    assert "203.0.113.10" in outcome.reason


@pytest.mark.parametrize(
    ("record_type", "expected"),
    [
        ("MX", "mail.pn-bangil.go.id"),
        ("MX", "10 mail.pn-bangil.go.id."),
        ("TXT", "v=spf1 mx -all"),
        ("NS", "NS1.pandi.id"),
    ],
)
def test_it_compares_records_the_way_people_write_them(tiny_dns, record_type, expected):
    assert dns_check(tiny_dns, record_type=record_type, expected=[expected]).status == Status.UP


def test_it_reports_a_missing_name_and_a_missing_record(tiny_dns):
    assert dns_check(tiny_dns, name="tidak-ada.go.id").details["error"] == "nxdomain"
    assert dns_check(tiny_dns, record_type="AAAA").details["error"] == "no_answer"


def test_it_reports_a_silent_nameserver_as_a_timeout():
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        outcome = check(
            "dns",
            {"nameserver": "127.0.0.1", "port": silent.getsockname()[1], "name": "pn-bangil.go.id"},
            timeout_s=0.5,
        )
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "timeout"
