"""Tables as files: CSV (UTF-8 with a BOM, so a spreadsheet reads the Vietnamese right) and
XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from app import dates, numbers


def _cell(value):
    if isinstance(value, datetime):
        return dates.short_datetime(value)
    if isinstance(value, date):
        return dates.date(value)
    return "" if value is None else value


def _text(value):
    """A CSV cell is text: numbers written the Vietnamese way (1.234; 85,33)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return _cell(value)
    return numbers.number(value) if isinstance(value, int) else numbers.two_decimals(value)


def as_csv(columns: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(title: str, columns: list[str], rows: list[list]) -> bytes:
    # openpyxl (~12 MB) is imported by the first spreadsheet asked for, not by every web process.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float | Decimal):
                cell.number_format = "#,##0.00"  # shown by the reader's locale: 85,33 in Vietnamese
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(kind: str, title: str, columns: list[str], rows: list[list]) -> tuple[bytes, str]:
    """(content, mimetype) of the table as `kind` ("csv" or "xlsx")."""
    return (as_csv(columns, rows) if kind == "csv" else as_xlsx(title, columns, rows)), MIMETYPES[kind]
