"""Registers as spreadsheets (花名册 .xlsx), in the columns communities keep them in.

An import checks every row and reports each bad one (row, column, why); nothing is stored until the whole file
is clean. A clean file becomes the body's register: rows matching a member (same name and phone) update them,
new rows add members, and members missing from the file leave the register today (kept for the records that
name them)."""
import io
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy.orm import Session

from app.errors import Invalid
from app.modules.decision.models import RegisterMember
from app.modules.decision.registers import (STATUS_LABELS, checked_body, community, members,
                                            parsed_fields, today)
from app.people.models import User
from app.people.org import Organisation
from app.tables.exports import xlsx_bytes
from app.workflow import audit

# Field → the column heading in the file (and other headings communities use for it).
COLUMNS = {"name": ("姓名",), "grid": ("网格", "所在网格"), "phone": ("电话", "联系电话", "手机"),
           "affiliation": ("身份/所属组织", "身份", "所属组织", "所属支部"), "status": ("状态",),
           "joined_on": ("入册日期",), "left_on": ("离册日期",), "username": ("账号", "系统账号")}
HEADERS = [names[0] for names in COLUMNS.values()]
MAX_ROWS = 5000
MAX_COLUMNS = 50  # cells further right (a sheet formatted out to column XFD) are not read
MAX_UNPACKED = 50 * 1024 * 1024  # a 5000-row register unpacks to a few MB: more is a zip bomb, refused unread


@dataclass
class RowProblem:
    """One refused cell: its row in the sheet (as Excel numbers it), its column heading and why."""

    row: int
    column: str
    msgid: str
    params: dict

    def translated(self, gettext) -> str:
        return gettext(self.msgid, **self.params) if self.params else gettext(self.msgid)

    @property
    def message(self) -> str:
        return self.msgid % self.params if self.params else self.msgid


class RegisterFileRefused(Invalid):
    """A register file with bad rows: nothing imported; `problems` lists every one."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("the register file has %(count)s problem(s): nothing was imported",
                         params={"count": len(problems)},
                         problems=[{"row": p.row, "column": p.column, "problem": p.message} for p in problems])
        self.problems = problems


def export_register(session: Session, actor: User, code: str, body: str) -> bytes:
    """The body's register as an .xlsx sheet (phones whole: the file is the community's own record; audited)."""
    org = community(session, code)
    rows = [[m.name, m.grid.name if m.grid else "", m.phone, m.affiliation, STATUS_LABELS[m.status],
             _text(m.joined_on), _text(m.left_on), m.user.username if m.user else ""]
            for m in members(session, org, checked_body(body))]
    audit.record(session, "register_exported", actor, summary=f"{code} {body}",
                 changes={"community": code, "body": body, "rows": len(rows)})
    return xlsx_bytes("花名册", HEADERS, rows)


def import_register(session: Session, actor: User, code: str, body: str, content: bytes) -> dict:
    """Make the file the body's register if every row is clean; else RegisterFileRefused listing each bad row."""
    org, body = community(session, code), checked_body(body)
    parsed = _parsed_rows(session, org, _sheet_rows(content))
    kept = {(m.name, m.phone): m for m in members(session, org, body)}  # the newest entry per person
    seen, result = set(), {"added": 0, "updated": 0, "left": 0}
    for clean in parsed:
        key = (clean["name"], clean["phone"])
        seen.add(key)
        member = kept.get(key)
        if member is None:
            session.add(RegisterMember(community_id=org.id, body=body, **clean))
            result["added"] += 1
        elif any(getattr(member, k) != v for k, v in clean.items()):
            for k, v in clean.items():
                setattr(member, k, v)
            result["updated"] += 1
    for key, member in kept.items():
        if key not in seen and member.on_register(today()):
            member.left_on = today()
            result["left"] += 1
    session.flush()
    audit.record(session, "register_imported", actor, summary=f"{code} {body}",
                 changes={"community": code, "body": body} | {k: [None, v] for k, v in result.items()})
    return result


def _sheet_rows(content: bytes) -> list[tuple]:
    """The first sheet's rows (values only, at most MAX_COLUMNS wide); Invalid for a file that is not an .xlsx
    workbook, or one that unpacks to more than MAX_UNPACKED bytes (checked on the zip's directory before reading)."""
    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Invalid("the file is not an .xlsx workbook") from None
    if unpacked > MAX_UNPACKED:
        raise Invalid("the file unpacks to more than %(max)s MB: it is not a register", params={
            "max": MAX_UNPACKED // (1024 * 1024)})
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS))
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, TypeError, AttributeError, IndexError,
            InvalidFileException):  # broken XML (lxml's and ElementTree's errors are SyntaxErrors), missing parts …
        raise Invalid("the file is not an .xlsx workbook") from None
    if len(rows) > MAX_ROWS + 1:
        raise Invalid("a register file may have at most %(max)s rows", params={"max": MAX_ROWS})
    return rows


def _parsed_rows(session: Session, org: Organisation, rows: list[tuple]) -> list[dict]:
    """Every data row parsed, or RegisterFileRefused with every problem of every row."""
    if not rows:
        raise RegisterFileRefused([RowProblem(1, "姓名", "the sheet is empty: the first row must name the columns", {})])
    where = _columns(rows[0])
    if "name" not in where:
        raise RegisterFileRefused([RowProblem(1, "姓名", "no column %(column)s in the first row", {"column": "姓名"})])
    problems, parsed, first_row = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        values = {field: row[i] if i < len(row) else None for field, i in where.items()}
        if all(v in (None, "") for v in values.values()):
            continue  # blank lines between blocks are common in kept registers
        clean, refused = parsed_fields(session, org, {k: _cell(v) for k, v in values.items()})
        problems += [RowProblem(number, _heading(rows[0], where[f]), msgid, params)
                     for f, (msgid, params) in refused.items()]
        key = (clean["name"], clean["phone"])
        if not refused and key in first_row:
            problems.append(RowProblem(number, "姓名", "the same person as row %(row)s", {"row": first_row[key]}))
        first_row.setdefault(key, number)
        parsed.append(clean)
    if problems:
        raise RegisterFileRefused(problems)
    if not parsed:  # the blank template imported by mistake would otherwise take everyone off the register
        raise RegisterFileRefused([RowProblem(2, "姓名", "the file has no members: a register is not emptied by an "
                                                         "import (record the day each member left instead)", {})])
    return parsed


def _columns(header: tuple) -> dict[str, int]:
    titles = [str(h or "").strip() for h in header]
    return {field: titles.index(name) for field, names in COLUMNS.items() for name in names[::-1] if name in titles}


def _heading(header: tuple, index: int) -> str:
    return str(header[index]).strip()


def _cell(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into a number cell
    if isinstance(value, int):
        return str(value)
    return value


def _text(day) -> str:
    return day.isoformat() if day else ""
