"""Extra lines on the SOP dashboards' activity tiles, given by the app that performs the activity.

The sop app knows the activities, not what each app has to say about them. An app registers, in its
``ready()``, a function that answers for some activity keys::

    from jaga.sop.tiles import tile_lines_register

    tile_lines_register(("renewal",), "jaga.renewals.selectors.sop_tile_lines")

The function is called as ``fn(*, institution, site=None, activity_keys=(...))`` and returns
``{activity_key: [TileLine, ...]}``; it is imported when a dashboard is first drawn. A function that fails is
logged and its lines are left out: a dashboard never breaks because of one app.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TileLine:
    text: str
    css: str = ""  # "ok", "warn", "bad", "info": the badge colour of the line
    href: str = ""
    bar: str = ""  # HTML the app made safe (format_html): a small bar under the line, e.g. the latest checks


_PROVIDERS: dict[str, tuple[str, ...]] = {}  # dotted path -> the activity keys it answers for


def tile_lines_register(activity_keys: Sequence[str], dotted_path: str) -> None:
    """Register ``dotted_path`` for ``activity_keys``. Registering the same again changes nothing."""
    _PROVIDERS[dotted_path] = tuple(dict.fromkeys((*_PROVIDERS.get(dotted_path, ()), *activity_keys)))


def _load(dotted_path: str) -> Any:
    module, _dot, name = dotted_path.rpartition(".")
    return getattr(import_module(module), name)


def tile_lines_for(*, institution: Any, site: Any = None, activity_keys: Iterable[str]) -> dict[str, list[TileLine]]:
    wanted = set(activity_keys)
    lines: dict[str, list[TileLine]] = {}
    for dotted_path, keys in _PROVIDERS.items():
        asked = tuple(key for key in keys if key in wanted)
        if not asked:
            continue
        try:
            answer = _load(dotted_path)(institution=institution, site=site, activity_keys=asked)
        except Exception:
            logger.exception("SOP tile lines from %s failed", dotted_path)
            continue
        for key, found in answer.items():
            if key in asked:
                lines.setdefault(key, []).extend(found)
    return lines


def statuses_with_lines(statuses: Sequence[Any], *, institution: Any, site: Any = None) -> list[Any]:
    """The dashboard's activity statuses, each with the lines its apps give (``status.lines``)."""
    keys = [status.activity.key for status in statuses if status.activity.key]
    lines = tile_lines_for(institution=institution, site=site, activity_keys=keys)
    return [dataclasses.replace(status, lines=tuple(lines.get(status.activity.key, ()))) for status in statuses]
