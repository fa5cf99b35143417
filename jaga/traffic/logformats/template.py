"""Custom formats as a template of literal text and fields, compiled into one regular expression.

nginx's ``log_format`` and GoAccess's format strings are both "literal, field, literal, field...". Each
field matches up to the first character of the literal after it (``"$request"`` → ``[^"]*``), the way
GoAccess reads them; a field at the end of the line takes the rest. DuckDB (RE2) runs the pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A field that the normalised line does not keep is matched and dropped.
SKIP = ""


@dataclass(frozen=True)
class Part:
    literal: str = ""
    field: str | None = None  # None: a literal; SKIP: matched and dropped


def template_regex(parts: list[Part]) -> tuple[str, list[str]]:
    """The anchored pattern and the names of its groups, in order (a field named twice keeps the first)."""
    pattern = ["^"]
    names: list[str] = []
    for index, part in enumerate(parts):
        if part.field is None:
            pattern.append(re.escape(part.literal))
            continue
        following = next((p.literal for p in parts[index + 1 :] if p.field is None and p.literal), "")
        body = f"[^{re.escape(following[0])}]*" if following else ".*"
        if part.field == SKIP or part.field in names:
            pattern.append(body)
        else:
            # RE2 group names are word characters only.
            pattern.append(f"(?P<{part.field}>{body})")
            names.append(part.field)
    pattern.append("$")
    return "".join(pattern), names
