"""Monitor kinds: one module each, listed in ``REGISTRY``. A new kind is a module plus one line here.

Each kind validates its own typed configuration (a pydantic model) and runs one check,
returning a :class:`~jaga.monitoring.kinds.base.CheckOutcome`. Kinds never raise for a bad site:
every failure (bad URL, TLS error, timeout, huge page...) becomes an outcome with a readable reason.
"""

from __future__ import annotations

from importlib import import_module

from jaga.monitoring.kinds.base import MonitorKind

# kind name -> module path; imported lazily so the probe only loads what it uses.
REGISTRY: dict[str, str] = {
    "http": "jaga.monitoring.kinds.http",
    "tls": "jaga.monitoring.kinds.tls",
    "dns": "jaga.monitoring.kinds.dns",
    "tcp": "jaga.monitoring.kinds.tcp",
    "freshness": "jaga.monitoring.kinds.freshness",
    "required_pages": "jaga.monitoring.kinds.required_pages",
    "integrity": "jaga.monitoring.kinds.integrity",
}


def get_kind(name: str) -> MonitorKind:
    try:
        module_path = REGISTRY[name]
    except KeyError:
        raise KeyError(f"jenis monitor tidak dikenal / unknown monitor kind: {name!r}") from None
    kind: MonitorKind = import_module(module_path).KIND
    return kind
