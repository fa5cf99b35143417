"""``jaga web``: the Django site under waitress, static files served by whitenoise (already in MIDDLEWARE)."""

from __future__ import annotations

import errno
import logging
import signal
import socket
import threading
from types import FrameType

from jaga.conf import StartupError

logger = logging.getLogger("jaga.web")


def _shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def browser_url(*, listen: tuple[str, int], path: str = "/") -> str:
    """The address to type in a browser: a wildcard listen address is shown as localhost."""
    host, port = listen
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - only compared, never bound here
        host = "localhost"
    return f"http://{_shown(host, port)}{path}"


def listen_socket_open(*, host: str, port: int, source: str = "JAGA_LISTEN") -> socket.socket:
    """Bind and listen on ``host:port``; a clear StartupError (naming ``source``) when that is impossible."""
    address = _shown(host, port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(
            f"alamat {address} tidak dikenal ({exc.strerror}); periksa {source}. / "
            f"unknown address {address}; check {source}."
        ) from None
    family, socktype, proto, _canon, sockaddr = infos[0]
    sock = socket.socket(family, socktype, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"alamat {address} sudah dipakai program lain; hentikan program itu atau pilih port lain "
                f"dengan {source} (mis. {source}=127.0.0.1:8001). / address {address} is already in use; "
                f"stop that program or choose another port with {source}."
            ) from None
        raise StartupError(
            f"tidak dapat mendengarkan di {address} ({exc.strerror}); periksa {source}. / "
            f"cannot listen on {address}; check {source}."
        ) from None
    return sock


def web_serve(*, host: str, port: int, threads: int, source: str = "JAGA_LISTEN") -> None:
    """Serve until SIGTERM or Ctrl-C. The socket is bound before Django loads, so a busy port fails fast."""
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    sock = listen_socket_open(host=host, port=port, source=source)
    application = get_wsgi_application()
    # waitress drops X-Forwarded-For and Forwarded unless told which proxy to trust, and it can trust only
    # one address; Jaga trusts networks (JAGA_TRUSTED_PROXIES), so waitress passes the headers through and
    # TrustedProxyMiddleware alone decides what they mean (and /metrics sees that a request was proxied).
    server = create_server(
        application, sockets=[sock], threads=threads, ident="Jaga", clear_untrusted_proxy_headers=False
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        # waitress's loop catches SystemExit and then lets running requests finish.
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    logger.info(
        "web melayani di http://%s/ (%d thread) / web serving on http://%s/ (%d threads)",
        _shown(host, port),
        threads,
        _shown(host, port),
        threads,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    logger.info("web berhenti / web stopped")
