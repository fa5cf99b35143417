"""The tables of a report as CSV files, for a person who takes them elsewhere (a spreadsheet, another report)."""

from __future__ import annotations

import csv
import io

from jaga.reports.document import Table


def table_csv(table: Table) -> str:
    """The table with its header row; a byte-order mark so that spreadsheet programs read UTF-8 correctly."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return buffer.getvalue()
