"""The community micro-fund (社区微基金, 1+X): a yearly pool per community that projects draw on.

Contributions come in by source (财政资金, 社会捐赠, 企业赞助, 冠名基金, 众筹); a draw moves money from the pool
to a project's ledger. The 结余 never goes below zero, and every movement is an audit event."""
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.errors import Forbidden, Invalid, NotFound
from app.modules.decision.models import NOT_DELIVERING, Project
from app.modules.delivery.money import entry_errors
from app.modules.delivery.models import (CONTRIBUTION_KINDS, NAMED_SOURCES, POOL_KINDS, FundEntry, MicroFund,
                                         MicroFundEntry)
from app.people.models import User
from app.people.org import Organisation
from app.people.policy import LEDGER_ROLES, PROJECT_STAFF, holds_any
from app.people.scope import community_ids_in_scope
from app.tables.filters import CHINA
from app.workflow import audit
from app.workflow.trial import TRIAL_KIND

POOL_SOURCE = "社区微基金"  # the source a project's ledger names for a draw
FIRST_YEAR, LAST_YEAR = 2000, 2100


def fund_year(at: datetime | None = None) -> int:
    """The micro-fund year of an instant: its calendar year in China time (the app clock's now by default)."""
    return (at or clock.now()).astimezone(CHINA).year


def read_year(value) -> int:
    """A year asked for (`?year=`), or this year; 400 when it is not a year."""
    if value in (None, ""):
        return fund_year()
    try:
        year = int(str(value))
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid("the ledger entry needs correcting", {"year": "give a year such as 2026"})
    return year


def community_for(session: Session, user: User, code, keeping: bool = False) -> Organisation:
    """The community named by code, if the user sees (or, `keeping`, keeps) its micro-fund; else 404 / 403."""
    community = session.scalars(select(Organisation).where(Organisation.code == str(code or ""),
                                                           Organisation.kind == "community")).first()
    if community is None or community.kind == TRIAL_KIND:
        raise NotFound("unknown community")
    roles = LEDGER_ROLES if keeping else PROJECT_STAFF
    if not holds_any(user, roles) or community.id not in community_ids_in_scope(session, user):
        raise Forbidden("only the community's workers and the street office keep this ledger" if keeping
                        else "this community is outside your communities")
    return community


def communities_seen(session: Session, user: User) -> list[Organisation]:
    """The communities whose micro-fund this user may see, by name."""
    if not holds_any(user, PROJECT_STAFF):
        return []
    ids = community_ids_in_scope(session, user)
    return list(session.scalars(select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == "community")
                                .order_by(Organisation.name)))


def pool_of(session: Session, community_id: int, year: int, create: bool = False) -> MicroFund | None:
    """The community's micro-fund of that year; made on first use when `create`."""
    found = session.scalars(select(MicroFund).where(MicroFund.community_id == community_id,
                                                    MicroFund.year == year)).first()
    if found is None and create:
        try:
            with session.begin_nested():
                found = MicroFund(community_id=community_id, year=year, created_at=clock.now())
                session.add(found)
        except IntegrityError:  # a concurrent writer made it first
            found = session.scalars(select(MicroFund).where(MicroFund.community_id == community_id,
                                                            MicroFund.year == year)).one()
    return found


def pool_totals(session: Session, fund: MicroFund | None) -> dict[str, int]:
    """Fen per source and drawn, plus income and the 结余 (balance)."""
    rows = {} if fund is None else dict(session.execute(
        select(MicroFundEntry.kind, func.sum(MicroFundEntry.amount_fen))
        .where(MicroFundEntry.fund_id == fund.id).group_by(MicroFundEntry.kind)).all())
    totals = {kind: int(rows.get(kind) or 0) for kind in POOL_KINDS}
    totals["income"] = sum(totals[k] for k in CONTRIBUTION_KINDS)
    totals["drawn"] = totals.pop("draw")
    totals["balance"] = totals["income"] - totals["drawn"]
    return totals


def balance_fen(session: Session, community_id: int, year: int | None = None) -> int:
    """The community's micro-fund 结余 this year (or the year given), in fen."""
    return pool_totals(session, pool_of(session, community_id, year or fund_year()))["balance"]


def entries(session: Session, fund: MicroFund | None) -> list[MicroFundEntry]:
    """Every movement of the fund, oldest first."""
    if fund is None:
        return []
    return list(session.scalars(select(MicroFundEntry).where(MicroFundEntry.fund_id == fund.id)
                                .order_by(MicroFundEntry.id)))


def add_contribution(session: Session, community: Organisation, payload, actor: User | None) -> MicroFundEntry:
    """Record money coming into this year's micro-fund, with its source (a 冠名基金 names its donor and name)."""
    payload = payload if isinstance(payload, Mapping) else {}
    kind = payload.get("kind")
    source, fund_name, note = (payload.get(k, "") for k in ("source", "fund_name", "note"))
    errors, fen = entry_errors(payload, kind, NAMED_SOURCES)
    if kind not in CONTRIBUTION_KINDS:
        errors["kind"] = "choose one of the offered options"
    if not isinstance(fund_name, str) or len(fund_name) > 200:
        errors["fund_name"] = "at most 200 characters"
    elif kind == "named_fund" and not fund_name.strip():
        errors["fund_name"] = "give the named fund's name"
    if errors:
        raise Invalid("the ledger entry needs correcting", errors)
    fund = pool_of(session, community.id, fund_year(), create=True)
    source = source.strip() or ("财政资金" if kind == "fiscal" else "")
    entry = MicroFundEntry(fund_id=fund.id, kind=kind, source=source,
                           fund_name=fund_name.strip() if kind == "named_fund" else "", amount_fen=fen,
                           note=note.strip(), recorded_by_id=actor.id if actor else None, recorded_at=clock.now())
    session.add(entry)
    session.flush()
    audit.record(session, "micro_fund_contribution", actor,
                 summary=f"{community.code} {fund.year}: {kind} {fen / 100:.2f} {source}",
                 changes={"community": community.code, "fund_year": fund.year, "kind": kind, "source": source,
                          "fund_name": entry.fund_name, "amount": [None, fen / 100],
                          "micro_fund_entry_id": entry.id})
    return entry


def draw_for_project(session: Session, project: Project, fen: int, actor: User | None, note: str = "",
                     field: str = "amount") -> FundEntry:
    """Move `fen` from the community's micro-fund of this year to the project's ledger; never past the 结余."""
    if project.status in NOT_DELIVERING:
        raise Invalid("this project's fund is not open: it is not in delivery", {field: "not in delivery"})
    fund = pool_of(session, project.community_id, fund_year(), create=True)
    # The fund row lock serialises draws, so two draws cannot both pass the balance check.
    session.execute(select(MicroFund.id).where(MicroFund.id == fund.id).with_for_update())
    balance = pool_totals(session, fund)["balance"]
    if fen > balance:
        raise Invalid("a draw of %(amount)s yuan exceeds the micro-fund's balance of %(balance)s yuan",
                      {field: "more than the micro-fund's balance"},
                      params={"amount": f"{fen / 100:,.2f}", "balance": f"{balance / 100:,.2f}"})
    now = clock.now()
    draw = MicroFundEntry(fund_id=fund.id, kind="draw", source=project.title[:200], amount_fen=fen,
                          project_id=project.id, note=note[:500], recorded_by_id=actor.id if actor else None,
                          recorded_at=now)
    session.add(draw)
    session.flush()
    line = FundEntry(project_id=project.id, kind="micro_fund", source=POOL_SOURCE, amount_fen=fen, note=note[:500],
                     recorded_by_id=actor.id if actor else None, recorded_at=now, pool_entry_id=draw.id)
    session.add(line)
    session.flush()
    audit.record(session, "micro_fund_drawn", actor,
                 summary=f"{project.project_key}: {fen / 100:.2f} ← {project.community.code} {fund.year}",
                 changes={"project_id": project.id, "fund_year": fund.year, "amount": [None, fen / 100],
                          "micro_fund_balance": [balance / 100, (balance - fen) / 100],
                          "micro_fund_entry_id": draw.id})
    return line


def entry_json(entry: MicroFundEntry, titles: Mapping[int, str] | None = None) -> dict:
    """One movement in yuan: a contribution by source, or a draw naming its project."""
    return {"id": entry.id, "kind": entry.kind, "source": entry.source, "fund_name": entry.fund_name,
            "amount": entry.amount_fen / 100, "project_id": entry.project_id,
            "project": (titles or {}).get(entry.project_id) if entry.project_id else None,
            "note": entry.note, "recorded_at": entry.recorded_at.isoformat()}


def project_titles(session: Session, rows: list[MicroFundEntry]) -> dict[int, str]:
    """The titles of the projects the draws went to."""
    ids = {e.project_id for e in rows if e.project_id}
    return dict(session.execute(select(Project.id, Project.title).where(Project.id.in_(ids))).all()) if ids else {}


def pool_json(session: Session, community: Organisation, year: int) -> dict:
    """The fund of a community and year: totals in yuan and every movement."""
    fund = pool_of(session, community.id, year)
    rows = entries(session, fund)
    titles = project_titles(session, rows)
    return {"community": community.code, "year": year,
            "totals": {k: v / 100 for k, v in pool_totals(session, fund).items()},
            "entries": [entry_json(e, titles) for e in rows]}


def ledger_rows(session: Session, fund: MicroFund | None) -> list[dict]:
    """The 台账 rows: each movement with income or expense and the running 结余 (fen)."""
    rows, balance = [], 0
    found = entries(session, fund)
    titles = project_titles(session, found)
    for entry in found:
        drawn = entry.kind == "draw"
        balance += -entry.amount_fen if drawn else entry.amount_fen
        rows.append({"entry": entry, "income_fen": None if drawn else entry.amount_fen,
                     "expense_fen": entry.amount_fen if drawn else None, "balance_fen": balance,
                     "project": titles.get(entry.project_id, "")})
    return rows
