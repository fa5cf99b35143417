"""Which app serves which part of the API: the registry that ``AppConfig.ready()`` fills.

Kept apart from :mod:`jaga.core.api` so that registering costs nothing: every ``jaga`` command runs every
``ready()``, and only the web server loads the URL configuration that imports django-ninja and the routers
(``jaga.core.api.api_urls``)."""

from __future__ import annotations

_routers: dict[str, str] = {}


def api_router_register(prefix: str, dotted_path: str) -> None:
    """Serve the ``ninja.Router`` at ``dotted_path`` (``"pkg.module.router"``) under ``/api/<prefix>/``.

    Call it from the app's ``ready()``. Idempotent: the same registration again changes nothing; another
    router for a prefix already taken is an error (two apps would answer the same paths). Nothing is
    imported here: the router is imported when the URL configuration is first loaded."""
    prefix = prefix.strip("/")
    existing = _routers.get(prefix)
    if existing is not None and existing != dotted_path:
        raise ValueError(f"API prefix {prefix!r} is already taken by {existing}")
    _routers[prefix] = dotted_path


def api_routers() -> dict[str, str]:
    """Prefix → dotted path of every registered router, in registration order."""
    return dict(_routers)
