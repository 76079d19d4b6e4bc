"""Tables written as files (台账): xlsx through openpyxl, CSV in UTF-8 with a BOM so Excel reads Chinese."""
import csv
import io
from decimal import Decimal

from flask import send_file

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.db import utcnow
from app.tables.filters import china_time

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# A cell starting with one of these is a formula to a spreadsheet: residents write titles, so never run them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def table_download(title: str, headers: list[str], rows: list[list], fmt: str):
    """The table as a downloaded file, xlsx or CSV, named after its title and the time (China)."""
    stamp = china_time(utcnow(), "%Y%m%d-%H%M")
    body, mimetype = ((xlsx_bytes(title, headers, rows), XLSX_TYPE) if fmt == "xlsx"
                      else (csv_bytes(headers, rows), CSV_TYPE))
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=f"{title}-{stamp}.{fmt}")


def xlsx_bytes(title: str, headers: list[str], rows: list[list]) -> bytes:
    """One sheet: a bold header row, then the rows; text stays text, amounts keep two decimals."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([_xlsx_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    """The rows as CSV, UTF-8 with a byte-order mark, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_text(h) for h in headers])
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx_cell(sheet, value, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
    elif isinstance(value, Decimal):
        cell.number_format = "0.00"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return _csv_text(value) if isinstance(value, str) else str(value)


def _csv_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
