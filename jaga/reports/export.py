"""The tables of a report as CSV files, for a person who takes them elsewhere (a spreadsheet, another report)."""

from __future__ import annotations

import csv
import io
import zipfile

from jaga.reports.document import Table


def table_csv(table: Table) -> str:
    """The table with its header row; a byte-order mark so that spreadsheet programs read UTF-8 correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return buffer.getvalue()


def tables_zip(tables: list[Table]) -> bytes:
    """The tables as ``<key>.csv`` files of one zip (a key met twice gets ``-2``, ``-3``...)."""
    buffer = io.BytesIO()
    seen: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            seen[table.key] = seen.get(table.key, 0) + 1
            name = table.key if seen[table.key] == 1 else f"{table.key}-{seen[table.key]}"
            archive.writestr(f"{name}.csv", table_csv(table))
    return buffer.getvalue()
