"""The columns of the three lists: one definition for the page, the xlsx and the CSV, so they agree."""
from decimal import Decimal
from typing import NamedTuple

from flask_babel import gettext, lazy_gettext

from app.tables.filters import CHINA


class Column(NamedTuple):
    key: str
    header: object  # a lazy translation
    kind: str = "text"
    on_page: bool = True


NEED_COLUMNS = (
    Column("tracking_code", lazy_gettext("Tracking code")),
    Column("title", lazy_gettext("Title")),
    Column("community_name", lazy_gettext("Community")),
    Column("grid_name", lazy_gettext("Grid")),
    Column("category_label", lazy_gettext("Category")),
    Column("status", lazy_gettext("Status"), "need_status"),
    Column("supporters", lazy_gettext("Raised by"), "number"),
    Column("first_responder_name", lazy_gettext("First responder")),
    Column("created_at", lazy_gettext("Submitted"), "time"),
)
RESOURCE_COLUMNS = (
    Column("name", lazy_gettext("Name")),
    Column("kind", lazy_gettext("Kind"), "resource_kind"),
    Column("community_name", lazy_gettext("Community")),
    Column("contact", lazy_gettext("Contact")),
    Column("capacity", lazy_gettext("Capacity")),
    Column("description", lazy_gettext("Description"), on_page=False),
    Column("active", lazy_gettext("In use"), "yes_no"),
    Column("created_at", lazy_gettext("Added"), "time", on_page=False),
)
PROJECT_COLUMNS = (
    Column("project_key", lazy_gettext("Project number")),
    Column("title", lazy_gettext("Title")),
    Column("community_name", lazy_gettext("Community")),
    Column("category_label", lazy_gettext("Category")),
    Column("status", lazy_gettext("Status"), "project_status"),
    Column("budget_fen", lazy_gettext("Budget (yuan)"), "yuan"),
    Column("raised_fen", lazy_gettext("Raised (yuan)"), "yuan"),
    Column("spent_fen", lazy_gettext("Spent (yuan)"), "yuan"),
    Column("balance_fen", lazy_gettext("Balance (yuan)"), "yuan"),
    Column("provider_name", lazy_gettext("Provider")),
    Column("selection_mode", lazy_gettext("Selection"), on_page=False),
    Column("progress_percent", lazy_gettext("Progress (%)"), "number"),
    Column("started_at", lazy_gettext("Started"), "time"),
    Column("decided_at", lazy_gettext("Decided"), "time", on_page=False),
    Column("published_at", lazy_gettext("Published"), "time", on_page=False),
    Column("completed_at", lazy_gettext("Completed"), "time", on_page=False),
    Column("survey_responses", lazy_gettext("Survey responses"), "number", on_page=False),
    Column("satisfaction_avg", lazy_gettext("Satisfaction (1-5)"), "number"),
    Column("satisfied_share", lazy_gettext("Satisfied share"), "share", on_page=False),
    Column("self_score", lazy_gettext("Self-evaluation score"), "number", on_page=False),
    Column("community_score", lazy_gettext("Community evaluation score"), "number", on_page=False),
    Column("third_party_score", lazy_gettext("Third-party score"), "number", on_page=False),
    Column("follow_up_code", lazy_gettext("Follow-up need"), on_page=False),
)


def cell(row: dict, column: Column):
    """A row's value in a column as people read it: text, a number, or yuan as a two-place Decimal."""
    value = row.get(column.key)
    if value is None:
        return None if column.kind in ("number", "yuan") else ""
    return _FORMATS.get(column.kind, _text)(value)


def shown(value) -> str:
    """A cell as the page writes it (the same text as the CSV)."""
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


def code_label(prefix: str, code: str) -> str:
    """The translated name of a code (`resource_kind_venue` …), or the code itself when it has none."""
    msgid = f"{prefix}{code}"
    text = gettext(msgid)
    return code if text == msgid else text


def yuan(fen: int) -> Decimal:
    """An amount in fen as yuan with two decimals."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def _text(value) -> str:
    return str(value)


def _time(value) -> str:
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


_FORMATS = {
    "number": lambda v: v,
    "yuan": yuan,
    "time": _time,
    "share": lambda v: f"{float(v) * 100:.1f}%",
    "yes_no": lambda v: gettext("Yes") if v else gettext("No"),
    "need_status": lambda v: gettext(v),
    "project_status": lambda v: code_label("project_", v),
    "resource_kind": lambda v: code_label("resource_kind_", v),
}
