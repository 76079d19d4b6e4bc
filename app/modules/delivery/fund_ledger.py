"""The community micro-fund's 台账 as people read it: the page's table, the xlsx and the CSV share one set of columns."""
from decimal import Decimal

from flask_babel import gettext as _, lazy_gettext

from app.modules.delivery import micro_fund
from app.tables.exports import table_download
from app.tables.filters import CHINA

COLUMNS = (lazy_gettext("Date"), lazy_gettext("Movement"), lazy_gettext("Source or project"),
           lazy_gettext("Named fund"), lazy_gettext("Income (yuan)"), lazy_gettext("Expense (yuan)"),
           lazy_gettext("Balance (yuan)"), lazy_gettext("Note"))


def yuan(fen: int) -> Decimal:
    """An amount in fen as yuan with two decimals (the export keeps it a number)."""
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def ledger_title(community, year: int) -> str:
    """The 台账's title: the community, the year and the fund."""
    return _("%(community)s %(year)s micro-fund ledger", community=community.name, year=year)


def ledger_table(session, community, year: int) -> list[list]:
    """One row per movement: date (China time), kind, source or project, named fund, income, expense, 结余."""
    rows = []
    for row in micro_fund.ledger_rows(session, micro_fund.pool_of(session, community.id, year)):
        entry = row["entry"]
        rows.append([entry.recorded_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"), _("pool_" + entry.kind),
                     row["project"] if entry.kind == "draw" else entry.source, entry.fund_name,
                     None if row["income_fen"] is None else yuan(row["income_fen"]),
                     None if row["expense_fen"] is None else yuan(row["expense_fen"]),
                     yuan(row["balance_fen"]), entry.note])
    return rows


def ledger_download(session, community, year: int, fmt: str):
    """The 台账 as an xlsx or CSV file."""
    return table_download(ledger_title(community, year), [str(c) for c in COLUMNS],
                          ledger_table(session, community, year), fmt)
