"""The network kinds (http, tls, dns, tcp) against real servers on loopback."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from jaga.monitoring.kinds import get_kind
from jaga.monitoring.kinds.base import CheckContext, CheckOutcome, Status, validate_config
from jaga.monitoring.tests.loopback import LoopbackServer, free_port


def check(
    kind: str, config: dict[str, Any], *, timeout_s: float = 5.0, max_body_bytes: int = 5 * 1024 * 1024
) -> CheckOutcome:
    impl = get_kind(kind)
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


def test_it_reports_a_dns_failure():
    outcome = check("http", {"url": "http://tidak-ada.invalid/"})
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "dns"
    assert "DNS" in outcome.reason


def test_it_names_a_redirect_loop(server):
    outcome = check("http", {"url": server.url("/loop-a")})
    assert outcome.status == Status.DOWN
    assert outcome.details["error"] == "redirect_loop"
    assert "/loop-b" in outcome.reason


def test_it_limits_the_number_of_redirects(server):
    assert check("http", {"url": server.url("/chain/3"), "max_redirects": 3}).status == Status.UP
    outcome = check("http", {"url": server.url("/chain/5"), "max_redirects": 3})
    assert outcome.details["error"] == "too_many_redirects"


def test_it_reports_a_redirect_as_down_when_not_following(server):
    outcome = check("http", {"url": server.url("/chain/1"), "follow_redirects": False, "expected_status": ["200"]})
    assert outcome.status == Status.DOWN
    assert "/chain/0" in outcome.reason


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
