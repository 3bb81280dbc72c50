"""Tables as files: CSV (UTF-8 with a BOM, so a spreadsheet reads the Vietnamese right) and
XLSX (openpyxl)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

from app.domain.deadlines import OFFICE_TZ


def _cell(value):
    if isinstance(value, datetime):
        return value.astimezone(OFFICE_TZ).strftime("%H:%M %d/%m/%Y")
    return "" if value is None else value


def as_csv(columns: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(title: str, columns: list[str], rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MIMETYPES = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(kind: str, title: str, columns: list[str], rows: list[list]) -> tuple[bytes, str]:
    """(content, mimetype) of the table as `kind` ("csv" or "xlsx")."""
    return (as_csv(columns, rows) if kind == "csv" else as_xlsx(title, columns, rows)), MIMETYPES[kind]
