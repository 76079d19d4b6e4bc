"""Diagram functions for delivery: publishing a project, choosing its provider, the fund, progress, follow-ups."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.modules.decision.models import Project, ProjectStatus
from app.modules.delivery.models import FUNDING_MODES, ProjectApplication
from app.modules.delivery import micro_fund
from app.people.models import User
from app.modules.delivery import operations as projects
from app.modules.needs.operations import new_tracking_code, start_follow_up
from app.workflow.helpers import CHINA, after_run, bound, own_community, own_key, own_record, record_write
from app.errors import FieldRefusal, Invalid, Refusal
from app.status import change_status
from app.workflow.notifications import notify, users_for


def publish_project(project_key, community, title, budget, claim_days) -> str:
    """Put a filed project on the project list for claiming; returns when claiming closes (ISO)."""
    session, actor = bound()
    own_community(community)
    project = _own_project(session, project_key)
    now = clock.now()
    before, _ = change_status(project, ProjectStatus, ProjectStatus.CLAIMING)
    project.published_at = now
    project.claim_closes_at = now + timedelta(days=int(claim_days))
    project.budget_fen = round(float(budget or 0) * 100)
    record_write("project_published", summary=f"{project_key}: {title}",
                 changes={"status": [before, ProjectStatus.CLAIMING],
                          "claim_closes_at": project.claim_closes_at.isoformat()})
    for role in ("provider", "volunteer"):
        notify(session, users_for(session, role, project.community_id), f"新项目开放认领：{title}")
    return project.claim_closes_at.astimezone(CHINA).isoformat()


def applicant_options(project_key) -> list[dict]:
    """The providers who applied, as select options (username → unit and plan)."""
    session, _ = bound()
    project = _own_project(session, project_key)
    rows = session.execute(select(User.username, ProjectApplication.unit_name, ProjectApplication.plan)
                           .join(User, User.id == ProjectApplication.applicant_id)
                           .where(ProjectApplication.project_id == project.id).order_by(ProjectApplication.id))
    return [{"const": username, "title": f"{unit}：{plan[:60]}"} for username, unit, plan in rows]


def choose_provider(project_key, selection_mode, provider, reason, funding_mode=None) -> str:
    """Record who delivers the project, how it was chosen and funded, and why; returns the provider ("" if self-run)."""
    session, actor = bound()
    project = _own_project(session, project_key)
    if funding_mode is not None and str(funding_mode) not in FUNDING_MODES:
        raise FieldRefusal({"funding_mode": "choose one of the offered options"},
                           "choose how the project is funded: direct grant, reward in place of subsidy, "
                           "government purchase or venture philanthropy")
    chosen = None
    if selection_mode != "self_run":
        applied = {a.applicant_id: a for a in projects.applications(session, project)}
        user = session.scalars(select(User).where(User.username == str(provider or ""))).first()
        if user is None or user.id not in applied:
            raise Refusal("when chosen by roadshow or review, the provider must be one that applied for the project")
        chosen = applied[user.id]
    project.selection_mode = str(selection_mode)
    before_mode, project.funding_mode = project.funding_mode, (str(funding_mode) if funding_mode else None)
    project.provider_id = chosen.applicant_id if chosen else None
    project.provider_name = chosen.unit_name if chosen else f"{project.community.name}（自行实施）"
    projects.mark_selection(session, project, project.provider_id)
    record_write("provider_selected", summary=f"{project_key}: {project.provider_name}",
                 changes={"selection_mode": [None, selection_mode], "provider": [None, project.provider_name],
                          "funding_mode": [before_mode, project.funding_mode], "reason": str(reason)})
    return str(provider) if chosen else ""


def record_fiscal_share(project_key, amount) -> float:
    """The fiscal share (1+X 的“1”) as the ledger's first line; returns the balance in yuan."""
    session, actor = bound()
    project = _own_project(session, project_key)
    if amount and float(amount) > 0:
        projects.add_fund_entry(session, project, {"kind": "fiscal", "amount": _yuan_text(amount),
                                                   "source": "财政资金"}, None)
    return projects.fund_totals(session, project.id)["balance"] / 100


def micro_fund_balance(community) -> float:
    """The 结余 of the case's community micro-fund this year, in yuan (what a project may still draw)."""
    session, _ = bound()
    return micro_fund.balance_fen(session, own_community(community).id) / 100


def plan_funding(project_key, budget, funding_fiscal, funding_other, funding_pool=0) -> dict:
    """Check a design's budget against its committed funding; keeps and returns the gap (yuan, 0 when covered).

    Committed: the fiscal share, the social funding and the planned micro-fund draw, the draw counting
    only up to the micro-fund's 结余 now."""
    session, _ = bound()
    project = _own_project(session, project_key)
    budget_fen, fiscal_fen, other_fen, pool_fen = (_fen(v) for v in (budget, funding_fiscal, funding_other,
                                                                      funding_pool))
    available = max(0, micro_fund.balance_fen(session, project.community_id))
    committed = fiscal_fen + other_fen + min(pool_fen, available)
    gap = max(0, budget_fen - committed)
    before, project.funding_gap_fen = project.funding_gap_fen, gap
    project.budget_fen = budget_fen
    record_write("funding_gap_flagged" if gap else "funding_planned",
                 summary=f"{project_key}: 预算 {budget_fen / 100:,.2f} 元，已落实 {committed / 100:,.2f} 元"
                         + (f"，资金缺口 {gap / 100:,.2f} 元" if gap else ""),
                 changes={"budget": budget_fen / 100, "funding_committed": committed / 100,
                          "funding_pool": pool_fen / 100, "micro_fund_available": available / 100,
                          "funding_gap": [None if before is None else before / 100, gap / 100]})
    return {"budget": budget_fen / 100, "committed": committed / 100, "pool_available": available / 100,
            "gap": gap / 100, "gap_shown": f"{gap / 100:,.2f}", "committed_shown": f"{committed / 100:,.2f}",
            "pool_over": pool_fen > available}


def check_funding_cover(project_key, feasible, reason) -> bool:
    """The assessment passes a budget with a funding gap only with a reason (rule: 预算须有资金保障)."""
    session, _ = bound()
    project = _own_project(session, project_key)
    gap = project.funding_gap_fen or 0
    reason = str(reason or "").strip()
    if feasible is True and gap > 0:
        if not reason:
            raise FieldRefusal({"funding_gap_reason": "required when the budget is not covered by committed funding"},
                               "the budget is not covered by committed funding (a gap of %(gap)s yuan): the "
                               "assessment can pass it only with a reason (rule: a budget must be covered by funding)", gap=f"{gap / 100:,.2f}")
        record_write("funding_gap_accepted", summary=f"{project_key}: 资金缺口 {gap / 100:,.2f} 元：{reason}"[:300],
                     changes={"funding_gap": gap / 100, "reason": reason})
    return True


def draw_from_micro_fund(project_key, amount) -> float:
    """Draw from the community micro-fund into the project's ledger (never past its 结余); returns the project's balance."""
    session, actor = bound()
    project = _own_project(session, project_key)
    fen = _fen(amount)
    if fen > 0:
        try:
            micro_fund.draw_for_project(session, project, fen, actor, "落实项目资金", field="pool_amount")
        except Invalid as refused:
            raise FieldRefusal(refused.fields, refused.msgid, **refused.params) from None
    return projects.fund_totals(session, project.id)["balance"] / 100


def fund_summary(project_key) -> dict:
    """The ledger in yuan: fiscal, donation, sponsorship, crowdfunding, income, spent, balance, entries."""
    session, _ = bound()
    return projects.fund_summary_yuan(session, _own_project(session, project_key).id)


def record_spending(project_key, amount, purpose) -> float:
    """Spend from the project's fund (never beyond its balance); returns the balance in yuan."""
    session, actor = bound()
    project = _own_project(session, project_key)
    try:
        projects.add_fund_entry(session, project, {"kind": "spending", "amount": _yuan_text(amount),
                                                   "note": str(purpose or "")[:500]}, None)
    except Invalid as refused:
        raise Refusal("spending of %(amount)s yuan was not recorded: %(reason)s (the balance is too low or the "
                      "amount is wrong)", amount=amount, reason=refused) from None
    return projects.fund_totals(session, project.id)["balance"] / 100


def set_project_progress(project_key, percent) -> bool:
    """Record how far delivery has come (0–100)."""
    session, _ = bound()
    project = _own_project(session, project_key)
    before, project.progress_percent = project.progress_percent, max(0, min(100, int(percent)))
    record_write("project_progress_changed", summary=f"{project_key}: {project.progress_percent}%",
                 changes={"progress_percent": [before, project.progress_percent]})
    return True


def start_follow_up_need(project_key, reason) -> str:
    """Start a follow-up need for a project residents were not satisfied with; returns its code."""
    session, actor = bound()
    project = _own_project(session, project_key)
    code = new_tracking_code(session)
    project.follow_up_code = code
    record_write("follow_up_linked", summary=f"{project_key} → {code}",
                 changes={"follow_up_need": [None, code]})
    description = (f"项目“{project.title}”效果评估满意度低于阈值，需跟进。{reason}"
                   f"（调查 {project.survey_responses} 份，平均 {project.satisfaction_avg}）")
    community, title, category = project.community, f"跟进：{project.title}", project.category
    after_run(lambda: start_follow_up(session, community, title, description, category, project_key, code))
    return code


def _own_project(session, project_key) -> Project:
    """The case's project: its key is the case's business key, and it is of the case's community."""
    return own_record(projects.project_by_key(session, own_key(project_key)), f"project {project_key}")


def _yuan_text(amount) -> str:
    return f"{float(amount):.2f}"


def _fen(amount) -> int:
    """A form's amount in yuan as whole fen, rounded half up in decimal (never by binary floats: 0.145 is 15 fen)."""
    try:
        yuan = Decimal(str(amount or 0))
    except InvalidOperation:
        return 0
    return max(0, int((yuan * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))) if yuan.is_finite() else 0


HELPERS = {f.__name__: f for f in (
    publish_project, applicant_options, choose_provider, record_fiscal_share, fund_summary, record_spending,
    set_project_progress, start_follow_up_need, micro_fund_balance, plan_funding, check_funding_cover,
    draw_from_micro_fund)}
