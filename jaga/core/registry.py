"""One registry helper for every kind of thing Jaga has several of (STYLE.md habit 2).

Monitor kinds, backup sources, repository back ends, log formats, detection rules, report builders,
incident kinds: each is a :class:`Registry`. An entry names the module (or ``module:attribute``) that
implements it, with its translated label and description, so that a page can list the kinds, and a form
can offer them, without importing a single implementation. The implementation is imported on first use.

A new kind is a new module plus one ``register(...)`` line, usually in the owning app's ``registry``
module; nothing in shared code changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, Generic, TypeVar

from django_stubs_ext import StrOrPromise

T = TypeVar("T")


class UnknownEntry(KeyError):
    """A key that is not in the registry. ``str()`` is a sentence in Indonesian and English."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown"


@dataclass(frozen=True)
class Entry:
    """One registered implementation: its key, where it lives, and what a person reads about it."""

    key: str
    path: str  # "package.module" (its ``attribute``) or "package.module:name"
    label: StrOrPromise
    description: StrOrPromise = ""
    extra: dict[str, Any] = field(default_factory=dict)  # what a registry's users need without importing


class Registry(Generic[T]):
    """Entries in registration order; ``get`` imports an entry's implementation once, on first use.

    ``attribute`` is the module attribute that holds the implementation when an entry's path names only a
    module (monitor kinds: ``KIND``).
    """

    def __init__(self, name: str, *, attribute: str = "KIND", noun: StrOrPromise = "") -> None:
        self.name = name
        self.attribute = attribute
        self.noun = noun or name
        self._entries: dict[str, Entry] = {}
        self._loaded: dict[str, T] = {}
        self._lock = threading.Lock()

    def register(
        self,
        key: str,
        path: str,
        *,
        label: StrOrPromise,
        description: StrOrPromise = "",
        **extra: Any,
    ) -> Entry:
        """Add an entry. Registering the same key again with the same path is a no-op (apps re-run ready())."""
        existing = self._entries.get(key)
        if existing is not None:
            if existing.path != path:
                raise ValueError(f"{self.name}: {key!r} is already registered for {existing.path}, not {path}")
            return existing
        entry = Entry(key=key, path=path, label=label, description=description, extra=dict(extra))
        self._entries[key] = entry
        return entry

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[str]:
        return list(self._entries)

    def entry(self, key: str) -> Entry:
        try:
            return self._entries[key]
        except KeyError:
            raise UnknownEntry(
                f"{self.noun} tidak dikenal / unknown {self.name}: {key!r} "
                f"(dikenal / known: {', '.join(self._entries) or '-'})"
            ) from None

    def choices(self) -> list[tuple[str, StrOrPromise]]:
        """``(key, label)`` pairs for a form or a model field's choices."""
        return [(entry.key, entry.label) for entry in self._entries.values()]

    def get(self, key: str) -> T:
        """The implementation of ``key`` (imported on first use). :class:`UnknownEntry` for an unknown key."""
        loaded = self._loaded.get(key)
        if loaded is not None:
            return loaded
        entry = self.entry(key)
        module_path, _, attribute = entry.path.partition(":")
        implementation: T = getattr(import_module(module_path), attribute or self.attribute)
        with self._lock:
            self._loaded[key] = implementation
        return implementation
