"""A kind's configuration model named, imported on first use: ``Config = LazyConfig("app.configs:Name")``.

The models are pydantic classes (:mod:`jaga.core.kindconfig`): importing pydantic and building them costs a
process about 0.1 CPU s. What validates, builds a form or masks a configuration reads ``kind.Config`` and
gets the model; a backup run uses its stored configuration, validated when it was saved, and never loads it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jaga.core.kindconfig import KindConfig


class LazyConfig:
    """A class attribute that is the model named by ``path`` (``"package.module:Class"``) once read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._model: type[KindConfig] | None = None

    def __get__(self, instance: Any, owner: Any = None) -> type[KindConfig]:
        if self._model is None:
            module, _, name = self.path.partition(":")
            self._model = getattr(import_module(module), name)
        return self._model
