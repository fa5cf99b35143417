"""Test helpers every app may use: an aiohttp application served on 127.0.0.1 from a background thread, and
``inline_offences`` (what in a page Jaga's strict Content-Security-Policy would block).

Tests serve what they need on loopback (no test reaches the internet); the test settings allow the HTTP
wrapper to connect there (``JAGA_HTTP_ALLOW_INTERNAL``).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from html.parser import HTMLParser
from typing import Any

from aiohttp import web


class LoopbackServer:
    """``with LoopbackServer(app) as server: server.url("/path")`` — a real HTTP server on loopback."""

    def __init__(self, app: web.Application, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.app = app
        self.ssl_context = ssl_context
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def url(self, path: str = "/") -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc: Any) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


def free_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class InlineFinder(HTMLParser):
    """Collects what a strict CSP blocks: inline scripts, style blocks and attributes, event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _value in attrs}
        where = f"line {self.getpos()[0]}: <{tag}>"
        if tag == "style":
            self.found.append(f"{where} a <style> block")
        if tag == "script" and "src" not in names and dict(attrs).get("type") not in {"application/json"}:
            self._script_without_src = True
        if "style" in names:
            self.found.append(f"{where} a style attribute")
        self.found += [f"{where} handler {name}" for name in names if name.startswith("on")]
        for name, value in attrs:
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{where} a javascript: URL")

    def handle_data(self, data: str) -> None:
        if self._script_without_src and data.strip():
            self.found.append(f"line {self.getpos()[0]}: an inline <script>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_without_src = False


def inline_offences(html: str) -> list[str]:
    """``["line 3: <td> a style attribute", ...]``: what the strict CSP would refuse in ``html``."""
    finder = InlineFinder()
    finder.feed(html)
    return finder.found
