"""How the probe is doing: the cause of a database failure in words, and its lag over the last minute."""

from __future__ import annotations

import errno
import time
from collections import deque
from dataclasses import dataclass

# PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_CAUSES = {
    "53100": "disk_full",
    "53200": "out_of_memory",
    "53300": "too_many_connections",
    "55P03": "locked",
    "40P01": "locked",
    "57014": "locked",  # statement timeout (waiting for a lock, mostly)
    "25006": "read_only",
    "XX001": "damaged",
    "XX002": "damaged",
    "57P01": "unreachable",
    "57P02": "unreachable",
    "57P03": "unreachable",
}

CAUSES = {
    "disk_full": "disk basis data penuh; kosongkan ruang disk / the database disk is full; free some disk space",
    "out_of_memory": "server basis data kehabisan memori / the database server is out of memory",
    "too_many_connections": "server basis data menolak sambungan baru (terlalu banyak) / too many database connections",
    "locked": "basis data sedang dikunci oleh proses lain / the database is locked by another process",
    "read_only": "basis data hanya bisa dibaca / the database is read-only",
    "damaged": (
        "berkas basis data rusak; hentikan Jaga dan pulihkan dari cadangan / the database file is damaged; "
        "stop Jaga and restore it from a backup"
    ),
    "io": "galat baca/tulis disk basis data / disk I/O error on the database",
    "unreachable": (
        "basis data tidak dapat dihubungi; periksa servernya dan DATABASE_URL / the database cannot be reached"
    ),
    "error": "galat basis data / database error",
}


def database_trouble(exc: BaseException) -> tuple[str, str]:
    """``(cause, sentence)`` for a database exception: disk full, locked, damaged, unreachable, ..."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        code = getattr(item, "sqlstate", None) or getattr(getattr(item, "diag", None), "sqlstate", None)
        if code:
            cause = _PG_CAUSES.get(code) or ("unreachable" if code.startswith("08") else "")
            if cause:
                return cause, _sentence(cause, item)
        if isinstance(item, OSError) and item.errno == errno.ENOSPC:
            return "disk_full", _sentence("disk_full", item)
    text = " ".join(str(item) for item in chain).lower()
    for needles, cause in (
        (("disk is full", "no space left", "disk full"), "disk_full"),
        (("database is locked", "table is locked", "lock timeout", "deadlock"), "locked"),
        (("malformed", "file is not a database", "corrupt"), "damaged"),
        (("readonly database", "read-only"), "read_only"),
        (("disk i/o error",), "io"),
        (
            (
                "unable to open database",
                "connection refused",
                "could not connect",
                "connection is closed",
                "server closed the connection",
                "connection failed",
                "name or service not known",
                "terminating connection",
                "the connection is lost",
            ),
            "unreachable",
        ),
    ):
        if any(needle in text for needle in needles):
            return cause, _sentence(cause, exc)
    return "error", _sentence("error", exc)


def _sentence(cause: str, exc: BaseException) -> str:
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return f"{CAUSES[cause]} ({type(exc).__name__}: {detail})"


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
