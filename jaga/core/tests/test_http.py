"""The HTTP wrapper: the address guard, the sync face, size caps and the body budget, against loopback servers."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from django.utils import translation

from jaga.core import http
from jaga.core.http import AddressPolicy, address_refusal
from jaga.core.sentences import said, sentence_dump, sentence_read
from jaga.core.testing import LoopbackServer
from tests.test_i18n import compiled_messages  # noqa: F401  (the fixture: catalogues compiled)

STRICT = AddressPolicy(allow_internal=False, allow_private=False)


def _app() -> web.Application:
    app = web.Application()

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="Beranda", headers={"X-Secret": "institution-b-monitor-names"})

    async def data(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        return web.json_response({"ok": True, "echo": body, "agent": request.headers.get("User-Agent")})

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 300_000)

    async def to_loopback(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url.with_path("/")))

    app.router.add_get("/", page)
    app.router.add_route("*", "/data", data)
    app.router.add_get("/big", big)
    app.router.add_get("/redirect", to_loopback)
    return app


@pytest.fixture
def server():
    with LoopbackServer(_app()) as srv:
        yield srv


def _fetch(url: str, policy: AddressPolicy, **kwargs):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        async with http.session_new(policy) as session:
            return await http.fetch(session, url, timeout_s=3, **kwargs)

    return asyncio.run(go())


def test_the_guard_refuses_loopback_by_address_and_by_name(server):
    for url in (server.url("/"), f"http://localhost:{server.port}/"):  # localhost resolves to 127.0.0.1
        with pytest.raises(http.HttpError) as refused:
            _fetch(url, STRICT)
        assert refused.value.code == "address_refused"
        assert "loopback" in refused.value.message
        assert "administrator" in refused.value.message


def test_an_institution_allowed_internal_addresses_reaches_loopback(server, institution, settings):
    settings.JAGA_HTTP_ALLOW_INTERNAL = False
    assert AddressPolicy.for_institution(institution).allow_internal is False
    institution.allow_internal_addresses = True
    policy = AddressPolicy.for_institution(institution)
    assert _fetch(server.url("/"), policy).body == b"Beranda"


def test_the_guard_checks_every_redirect_hop(server):
    # A public page that redirects to loopback is refused at the hop, before anything is read from there.
    allowed_first = AddressPolicy(allow_internal=True)
    assert _fetch(server.url("/redirect"), allowed_first).status == 200
    with pytest.raises(http.HttpError) as refused:
        _fetch(server.url("/redirect"), STRICT)
    assert refused.value.code == "address_refused"


def _refusal(ip: str, port: int, policy: AddressPolicy) -> str:
    refusal = address_refusal(ip, port, policy)
    return said(refusal, translate=False) if refusal else ""


def test_private_link_local_and_own_addresses_follow_their_rules(settings):
    settings.JAGA_LISTEN = ("10.1.2.3", 8000)
    http._own_addresses.cache_clear()
    intranet = AddressPolicy(allow_internal=False, allow_private=True)
    assert address_refusal("10.1.2.3", 8001, intranet) is None  # a court's intranet site
    assert "JAGA_HTTP_ALLOW_PRIVATE" in _refusal("10.1.2.3", 8001, STRICT)
    assert "alamat Jaga sendiri" in _refusal("10.1.2.3", 8000, intranet)  # Jaga itself, even on the intranet
    assert "link-local" in _refusal("169.254.169.254", 80, intranet)  # cloud metadata
    assert "loopback" in _refusal("::ffff:127.0.0.1", 80, intranet)  # mapped IPv6 is unwrapped
    assert address_refusal("203.0.113.9", 80, STRICT) is not None  # documentation range: not global
    assert address_refusal("8.8.8.8", 443, STRICT) is None
    http._own_addresses.cache_clear()


@pytest.mark.usefixtures("compiled_messages")
def test_a_refusal_is_stored_as_a_sentence_each_reader_reads_in_his_language(settings):
    settings.JAGA_LISTEN = ("10.1.2.3", 8000)
    http._own_addresses.cache_clear()
    stored = sentence_dump(address_refusal("10.1.2.3", 8000, STRICT) or "")
    assert stored.startswith('["net.address_internal"')  # a code and its values, no words of either language
    with translation.override("id"):
        indonesian = sentence_read(stored)
    with translation.override("en"):
        english = sentence_read(stored)
    assert "alamat Jaga sendiri" in indonesian
    assert "tidak boleh diperiksa" in indonesian
    assert "Jaga's own address" in english
    assert "10.1.2.3" in english
    assert "tidak" not in english
    assert "refused" not in indonesian
    http._own_addresses.cache_clear()


def test_the_sync_face_returns_any_status_and_reads_json(server):
    response = http.request("POST", server.url("/data"), json={"domain": "pn-bangil.go.id"}, timeout=3)
    assert response.status == 200
    assert response.json()["echo"] == {"domain": "pn-bangil.go.id"}
    assert response.json()["agent"] == http.user_agent()
    assert http.request("GET", server.url("/missing"), timeout=3).status == 404


def test_the_sync_face_refuses_an_answer_over_its_cap_and_names_it(server):
    with pytest.raises(http.HttpError) as too_large:
        http.request("GET", server.url("/big"), max_bytes=1000, timeout=3)
    assert too_large.value.code == "too_large"
    assert "1000" in too_large.value.message


def test_the_sync_face_refuses_loopback_unless_allowed(server, settings):
    settings.JAGA_HTTP_ALLOW_INTERNAL = False
    with pytest.raises(http.HttpError) as refused:
        http.request("GET", server.url("/"), timeout=3)
    assert refused.value.code == "address_refused"
    assert "institution-b" not in refused.value.message


def test_the_body_budget_bounds_what_all_readers_hold_at_once(server):
    async def go() -> http.BodyBudget:
        budget = http.BodyBudget(400_000)
        async with http.session_new(AddressPolicy(allow_internal=True)) as session:

            async def one() -> None:
                hold = http.BodyHold(budget)
                await http.fetch(session, server.url("/big"), timeout_s=5, hold=hold)
                await asyncio.sleep(0.05)  # the check goes on working with its body
                hold.release()

            await asyncio.gather(*(one() for _ in range(6)))
        return budget

    budget = asyncio.run(go())
    assert budget.peak <= 400_000
    assert budget.waits > 0
    assert budget.used == 0


def test_a_body_cap_cannot_exceed_the_hard_limit(server):
    page = _fetch(server.url("/big"), AddressPolicy(allow_internal=True), max_bytes=10**12)
    assert len(page.body) == 300_000
    assert http.MAX_BODY_BYTES < 10**12
