"""Through a real nginx on loopback: the visitor's address reaches ``jaga web``, and /metrics stays closed.

Loopback has no outside visitors, so the test plays them with addresses of 127.0.0.0/8: nginx listens and
connects out from 127.0.0.2 (``proxy_bind``); the test's client connects from 127.0.0.5 and plays an outer
load balancer that names the visitor (203.0.113.x) in ``X-Forwarded-For``; nginx appends 127.0.0.5, as a
real one appends its client. Without JAGA_TRUSTED_PROXIES the same requests must not look local.
"""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from jaga.core.models import AuditAction, AuditEvent
from jaga.core.tests.processes_helpers import JAGA, jaga_env, shared_database_url

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.2"
BALANCER = "127.0.0.5"  # the test client: an outer proxy Jaga may be told to trust


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_listening(host: str, port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.communicate()[0]) from None
            assert time.monotonic() < deadline, f"{host}:{port} never listened"
            time.sleep(0.1)


@contextmanager
def nginx_in_front_of(tmp_path: Path, upstream_port: int) -> Iterator[int]:
    """nginx in the foreground in a folder of its own, proxying 127.0.0.2:PORT to jaga web."""
    root = tmp_path / "nginx"
    root.mkdir()
    port = _free_port(PROXY_ADDRESS)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"  {name}_temp_path {root}/{name};" for name in kinds)
    (root / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
{temp}
  server {{
    listen {PROXY_ADDRESS}:{port};
    location / {{
      proxy_pass http://127.0.0.1:{upstream_port};
      proxy_bind {PROXY_ADDRESS};
      proxy_set_header Host localhost;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(root), "-e", f"{root}/error.log", "-c", f"{root}/nginx.conf"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_listening(PROXY_ADDRESS, port, process)
        yield port
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@contextmanager
def jaga_web(tmp_path: Path, database_url: str, **env: str) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen(
        [JAGA, "web", "--listen", f"127.0.0.1:{port}", "--threads", "2"],
        env=jaga_env(tmp_path, DATABASE_URL=database_url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_listening("127.0.0.1", port, process)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=15)[0]
        assert "Traceback" not in output, output


class Browser:
    """A visitor at BALANCER's address, with its cookies, talking to nginx."""

    def __init__(self, port: int, visitor: str) -> None:
        self.port, self.visitor, self.cookies = port, visitor, {}  # type: ignore[var-annotated]

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection(PROXY_ADDRESS, self.port, timeout=20, source_address=(BALANCER, 0))
        headers = {"X-Forwarded-For": self.visitor, "Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response.status, text

    def login(self, username: str, password: str) -> int:
        status, page = self.request("GET", "/login/")
        assert status == 200, page
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match, page
        status, _page = self.request(
            "POST", "/login/", {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        )
        return status


@pytest.mark.django_db(transaction=True)
def test_behind_nginx_the_visitor_is_throttled_and_recorded_not_the_proxy(tmp_path: Path, staff) -> None:
    # The tests' fast hasher is unknown to the real jaga web: store the password as Jaga itself would.
    hasher = PBKDF2PasswordHasher()
    staff.password = hasher.encode("rahasia-uji-123", hasher.salt())
    staff.save(update_fields=["password"])
    with (
        shared_database_url(tmp_path) as url,
        jaga_web(tmp_path, url, JAGA_TRUSTED_PROXIES=f"{PROXY_ADDRESS},{BALANCER}") as web_port,
        nginx_in_front_of(tmp_path, web_port) as port,
    ):
        # A forged hop left of the balancer's is ignored: the visitor is the one the balancer saw.
        attacker = Browser(port, "6.6.6.6, 203.0.113.9")
        statuses = [attacker.login("staff", "salah") for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
        assert statuses[-1] == 429, statuses
        # Another visitor through the same nginx is not locked out by the first one's failures.
        assert Browser(port, "198.51.100.20").login("staff", "rahasia-uji-123") == 302
        # /metrics without a token: a visitor from outside is not loopback, even though nginx is.
        assert Browser(port, "203.0.113.9").request("GET", "/metrics")[0] == 401
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    assert AuditEvent.objects.get(action=AuditAction.LOGIN).ip_address == "198.51.100.20"


@pytest.mark.django_db(transaction=True)
def test_without_trusted_proxies_a_proxied_request_never_reads_metrics(tmp_path: Path) -> None:
    with shared_database_url(tmp_path) as url, jaga_web(tmp_path, url) as web_port:
        direct = http.client.HTTPConnection("127.0.0.1", web_port, timeout=20)
        direct.request("GET", "/metrics", headers={"Host": "localhost"})
        assert direct.getresponse().status == 200  # a program on this machine, no proxy in between
        direct.close()
        with nginx_in_front_of(tmp_path, web_port) as port:
            # waitress used to drop the header, so this looked local and answered every institution's figures.
            assert Browser(port, "203.0.113.9").request("GET", "/metrics")[0] == 401
