"""The registry helper every kind registry uses."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jaga.core.registry import Registry, UnknownEntry
from jaga.monitoring.kinds import REGISTRY


def test_it_lists_labels_without_importing_the_implementations() -> None:
    registry: Registry[object] = Registry("thing")
    registry.register("ghost", "jaga.does_not_exist", label="Hantu", description="Belum ditulis")
    assert registry.choices() == [("ghost", "Hantu")]
    assert [entry.description for entry in registry] == ["Belum ditulis"]
    with pytest.raises(ModuleNotFoundError):
        registry.get("ghost")  # only when used


def test_it_imports_an_entry_once_by_module_attribute_or_by_name() -> None:
    registry: Registry[object] = Registry("thing", attribute="KIND")
    registry.register("tcp", "jaga.monitoring.kinds.tcp", label="TCP")
    registry.register("dedent", "textwrap:dedent", label="dedent")
    from textwrap import dedent

    from jaga.monitoring.kinds import tcp

    assert registry.get("tcp") is tcp.KIND
    assert registry.get("tcp") is registry.get("tcp")
    assert registry.get("dedent") is dedent


def test_an_unknown_key_is_a_sentence_naming_what_is_known() -> None:
    registry: Registry[object] = Registry("log format", noun="format log")
    registry.register("combined", "x", label="Combined")
    with pytest.raises(UnknownEntry) as caught:
        registry.get("clf")
    assert str(caught.value) == "format log tidak dikenal / unknown log format: 'clf' (dikenal / known: combined)"
    assert isinstance(caught.value, KeyError)


def test_registering_again_is_harmless_but_a_conflict_is_an_error() -> None:
    registry: Registry[object] = Registry("thing")
    first = registry.register("a", "m.a", label="A")
    assert registry.register("a", "m.a", label="A") is first
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a", "m.b", label="A")


def test_monitor_kinds_are_labelled_in_the_users_language() -> None:
    assert set(REGISTRY.keys()) >= {"http", "tls", "dns", "tcp", "freshness", "required_pages", "integrity"}
    with translation.override("id"):
        assert dict(REGISTRY.choices())["freshness"] == "Kesegaran konten"
    with translation.override("en"):
        assert str(dict(REGISTRY.choices())["freshness"]) == "Content freshness"
    assert all(entry.description for entry in REGISTRY)
    lazy = _("Kesegaran konten")
    assert str(lazy)
