"""How the probe is doing: the cause of a database failure in words, and its lag over the last minute."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from jaga.core.dbcheck import CAUSES, database_trouble

__all__ = ["CAUSES", "LagFigures", "LagWindow", "database_trouble"]


@dataclass
class LagFigures:
    p50_ms: int | None
    p99_ms: int | None
    max_ms: int | None
    checks: int


class LagWindow:
    """Scheduling lags of the checks started in the last ``seconds`` (bounded)."""

    def __init__(self, seconds: float = 60.0, keep: int = 100_000) -> None:
        self.seconds = seconds
        self._items: deque[tuple[float, float]] = deque(maxlen=keep)

    def add(self, lag_ms: float) -> None:
        self._items.append((time.monotonic(), lag_ms))

    def figures(self) -> LagFigures:
        horizon = time.monotonic() - self.seconds
        while self._items and self._items[0][0] < horizon:
            self._items.popleft()
        lags = sorted(lag for _, lag in self._items)
        if not lags:
            return LagFigures(None, None, None, 0)

        def at(fraction: float) -> int:
            return round(lags[min(len(lags) - 1, round(fraction * (len(lags) - 1)))])

        return LagFigures(at(0.5), at(0.99), round(lags[-1]), len(lags))
