"""Behind a reverse proxy, the visitor's address (not the proxy's) reaches throttling and the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jaga.conf import ConfigError, read
from jaga.core.middleware import client_address
from jaga.core.models import AuditAction, AuditEvent

PROXY = ["127.0.0.1/32", "10.0.0.0/8"]


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),  # one proxy
        ("127.0.0.1", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two of our proxies
        ("127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged hop left of the real one is ignored
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not from a trusted proxy: the header is not believed
        ("127.0.0.1", "", "127.0.0.1"),  # no header
        ("127.0.0.1", "bukan-alamat", "127.0.0.1"),  # a malformed hop: keep the proxy's address
        ("127.0.0.1", "6.6.6.6, 10.9.9.9", "6.6.6.6"),
        ("127.0.0.1", "10.4.4.4, 10.9.9.9", "10.9.9.9"),  # every hop ours: the one our proxy wrote
    ],
)
def test_it_finds_the_visitor_behind_trusted_proxies(remote: str, forwarded: str, expected: str) -> None:
    assert client_address(remote, forwarded, PROXY) == expected


def test_it_believes_no_header_without_trusted_proxies() -> None:
    assert client_address("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


def test_it_records_the_visitor_of_a_failed_login_behind_a_proxy(client: Client, staff, settings) -> None:
    settings.JAGA_TRUSTED_PROXIES = ["127.0.0.1/32"]
    client.post(
        reverse("core:login"),
        {"username": "staff", "password": "salah"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip_address == "203.0.113.9"


def test_it_ignores_the_header_from_an_untrusted_address(client: Client, staff, settings) -> None:
    settings.JAGA_TRUSTED_PROXIES = []
    client.post(
        reverse("core:login"),
        {"username": "staff", "password": "salah"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).ip_address == "127.0.0.1"


def test_it_locks_out_the_visitor_not_the_proxy(client: Client, staff, make_user, institution, settings) -> None:
    settings.JAGA_TRUSTED_PROXIES = ["127.0.0.1/32"]
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("core:login"),
            {"username": "staff", "password": "salah"},
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **via_proxy,
        )
    locked = client.post(
        reverse("core:login"),
        {"username": "staff", "password": "salah"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        **via_proxy,
    )
    assert locked.status_code == 429
    # Another visitor through the same proxy is not locked out by the first one's failures.
    other = Client()
    answer = other.post(
        reverse("core:login"),
        {"username": "staff", "password": "rahasia-uji-123"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        **via_proxy,
    )
    assert answer.status_code == 302


def test_it_names_the_setting_when_a_proxy_address_is_wrong() -> None:
    with pytest.raises(ConfigError, match=r"JAGA_TRUSTED_PROXIES.*bukan alamat IP"):
        read("JAGA_TRUSTED_PROXIES", {"JAGA_TRUSTED_PROXIES": "127.0.0.1, proxy.local"})


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("for=203.0.113.9;proto=https", "203.0.113.9"),
        ('for="[2001:db8::1]:4711", for=127.0.0.1', "2001:db8::1"),
        ("for=198.51.100.3:8080;by=127.0.0.1", "198.51.100.3"),
        ("for=6.6.6.6, for=203.0.113.9", "203.0.113.9"),
        ("for=_hidden", "127.0.0.1"),  # an obfuscated hop is not guessed at
    ],
)
def test_it_reads_the_rfc_7239_forwarded_header(forwarded: str, expected: str) -> None:
    assert client_address("127.0.0.1", "", PROXY, forwarded=forwarded) == expected


def test_only_a_trusted_proxy_says_the_visitor_used_https(client: Client, settings) -> None:
    settings.JAGA_TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    # From the proxy: HTTPS, so no redirect to it.
    assert client.get("/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    # From anyone else the header is dropped: plain HTTP, redirected to HTTPS.
    answer = client.get("/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert answer.status_code == 301
    assert answer["Location"].startswith("https://")
