"""A registry on loopback for the RDAP tests: answers domain queries from a table, or misbehaves on purpose.

The documents follow RFC 9083 and the answers of PANDI's RDAP service (``https://rdap.pandi.id/rdap/``) as
public clients read them: ``ldhName`` in lower case, an ``expiration`` event at 23:59:59Z, the registrar as a
vCard ``fn`` of an entity with the ``registrar`` role, ``nameservers`` by ``ldhName``, ``secureDNS``.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, bytes, str] | Callable[[], tuple[int, bytes, str]]


def vcard(name: str) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", name]]]


def pandi_domain(name: str, *, expires: str | None, registrar: str = "PT Digital Registra Indonesia") -> dict[str, Any]:
    events = [
        {"eventAction": "registration", "eventDate": "2012-03-21T13:24:37Z"},
        {"eventAction": "last changed", "eventDate": "2025-05-05T00:54:05Z"},
        {"eventAction": "last update of RDAP database", "eventDate": "2026-12-01T17:00:02Z"},
    ]
    if expires is not None:
        events.insert(1, {"eventAction": "expiration", "eventDate": expires})
    return {
        "rdapConformance": ["rdap_level_0"],
        "objectClassName": "domain",
        "handle": f"{name.upper()}-ID",
        "ldhName": name,
        "status": ["active", "client transfer prohibited"],
        "events": events,
        "nameservers": [
            {"objectClassName": "nameserver", "ldhName": f"ns1.{name}"},
            {"objectClassName": "nameserver", "ldhName": f"NS2.{name.upper()}"},
        ],
        "secureDNS": {"delegationSigned": False},
        "entities": [
            {
                "objectClassName": "entity",
                "handle": "registrar-1",
                "roles": ["registrar"],
                "vcardArray": vcard(registrar),
            },
            {"objectClassName": "entity", "handle": "REDACTED", "roles": ["registrant"]},
        ],
        "notices": [{"title": "Terms of Use", "description": ["Data PANDI / PANDI data"]}],
        "links": [
            {"rel": "self", "href": f"https://rdap.pandi.id/rdap/domain/{name}", "type": "application/rdap+json"}
        ],
    }


class Registry:
    """``with Registry() as registry: registry.domains["x.go.id"] = (200, body, type)``; ``registry.url``."""

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.scheme = "https" if ssl_context is not None else "http"
        self.answers: dict[str, Answer] = {}
        self.redirects: dict[str, str] = {}  # name -> where a 301 sends the client (RFC 7480 §5.2)
        self.requests: list[str] = []
        self.delay = 0.0
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests.append(self.path)
                if registry.delay:
                    time.sleep(registry.delay)
                name = self.path.rsplit("/domain/", 1)[-1].lower()
                if name in registry.redirects:
                    self.send_response(301)
                    self.send_header("Location", registry.redirects[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                answer = registry.answers.get(name)
                if answer is None:
                    status, body, kind = (
                        404,
                        json.dumps({"errorCode": 404, "title": "Not Found"}).encode(),
                        "application/rdap+json",
                    )
                else:
                    status, body, kind = answer() if callable(answer) else answer
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}/rdap/"

    def domain(self, name: str, document: Any, status: int = 200) -> None:
        self.answers[name] = (status, json.dumps(document).encode(), "application/rdap+json")

    def __enter__(self) -> Registry:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
