"""双向评价 (two-way evaluation, source 001): communities rate the government bodies that handled their needs on
指导、服务、支付、行政干预; the street rates each of its communities' performance of its management and service
duties once a quarter. Scores are whole numbers 1–5, higher is better on every dimension."""
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.errors import Conflict, Forbidden, Invalid
from app.modules.evaluation.models import CommunityRating
from app.people.models import User
from app.people.org import Organisation
from app.people.policy import CONFIRMING_ROLES, DASHBOARD_ROLES
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.workflow.helpers import CHINA

# The community rates the handling body (source 001: 社区评估政府部门的指导、服务、支付、行政干预情况).
DEPARTMENT_DIMENSIONS = ("guidance", "service", "payment", "interference")
# The street rates a community's performance of its duties (source 001: 街道统一评估各社区管理服务事项履行情况),
# on what source 000 asks of a community: answering needs, handling them well, the democratic procedure
# (五议两公开一备案) and the residents' satisfaction.
COMMUNITY_DIMENSIONS = ("need_response", "handling_quality", "democratic_procedure", "resident_satisfaction")
RATING_ROLE = "street_officer"
READING_ROLES = DASHBOARD_ROLES | CONFIRMING_ROLES  # the community reads its own ratings
COMMENT_LENGTH = 2000
SCORE_RULE = "a whole number from 1 to 5"
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def score_errors(values: dict, names) -> dict[str, str]:
    """Field → msgid for every named score that is not a whole number from 1 to 5."""
    return {name: SCORE_RULE for name in names if not is_score(values.get(name))}


def is_score(value) -> bool:
    """Whether `value` is a whole number from 1 to 5 (not a boolean, not text)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


# Quarters -------------------------------------------------------------------------------------------------------

def period_of(at: datetime) -> str:
    """The quarter an instant falls in, in China time: `2026-Q4`."""
    local = at.astimezone(CHINA)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def current_period() -> str:
    """This quarter (China time)."""
    return period_of(clock.now())


def parse_period(value) -> tuple[int, int]:
    """(year, quarter) of `2026-Q4`, or Invalid with the rule."""
    match = _PERIOD.match(str(value).strip()) if isinstance(value, str) else None
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise Invalid("a period is a quarter written like 2026-Q4", {"period": "invalid format"})
    return int(match.group(1)), int(match.group(2))


def period_start(period: str) -> datetime:
    """The first instant of the quarter (China time)."""
    year, quarter = parse_period(period)
    return datetime(year, 3 * quarter - 2, 1, tzinfo=CHINA)


def shift(period: str, quarters: int) -> str:
    """The quarter `quarters` after (or before) `period`."""
    year, quarter = parse_period(period)
    index = year * 4 + quarter - 1 + quarters
    return f"{index // 4}-Q{index % 4 + 1}"


def open_periods(at: datetime | None = None) -> list[str]:
    """The quarters the street may rate or change now: this one and the one just ended (newest first)."""
    current = period_of(at or clock.now())
    return [current, shift(current, -1)]


def period_label(period: str) -> dict:
    """The parts a page puts in its words: year and quarter."""
    year, quarter = parse_period(period)
    return {"year": year, "quarter": quarter}


# The street rates its communities --------------------------------------------------------------------------------

def require_reader(user: User) -> None:
    """The ratings of communities are read by the street and district desks and by the community itself."""
    if not user.role_ids & READING_ROLES:
        raise Forbidden("the communities' ratings are for street, district and community staff")


def rate_community(session: Session, actor: User, payload) -> tuple[CommunityRating, bool]:
    """The street's rating of one of its communities for a quarter: made, or changed while the quarter is open.

    Returns the rating and whether it was new. A quarter is open from its first day to the end of the next
    quarter; one rating per community and quarter (a second submission changes it, audited with before/after)."""
    if RATING_ROLE not in actor.role_ids:
        raise Forbidden("only the street office rates its communities")
    values = _rating_payload(payload)
    community = _own_community(session, actor, values["community"])
    period = values["period"] or current_period()
    _check_open(period)
    row = session.scalars(select(CommunityRating).where(CommunityRating.community_id == community.id,
                                                        CommunityRating.period == period)
                          .with_for_update()).first()
    before = rating_json(row, community) if row else None
    scores = {name: values[name] for name in COMMUNITY_DIMENSIONS}
    now = clock.now()
    if row is None:
        row = CommunityRating(community_id=community.id, rater_org_id=actor.org_id, period=period,
                              comment=values["comment"], rated_by_id=actor.id, rated_at=now, updated_at=now, **scores)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a colleague rated the same community and quarter at the same moment
            raise Conflict("this community has just been rated for this quarter; reload to see it") from None
    else:
        for name, value in scores.items():
            setattr(row, name, value)
        row.comment, row.rated_by_id, row.rater_org_id, row.updated_at = values["comment"], actor.id, actor.org_id, now
        session.flush()
    audit.record(session, "community_rated" if before is None else "community_rating_changed", actor,
                 summary=f"{community.name} {period}",
                 changes={"community": community.code, "period": period, "rating": [before, rating_json(row, community)]})
    return row, before is None


def community_ratings(session: Session, user: User, period: str | None = None) -> list[dict]:
    """Each community in the user's scope with its rating for the quarter (None when not rated yet)."""
    require_reader(user)
    period = period or current_period()
    parse_period(period)
    scope = community_ids_in_scope(session, user)
    communities = list(session.scalars(select(Organisation).where(Organisation.id.in_(scope))
                                       .order_by(Organisation.code)))
    rows = {r.community_id: r for r in session.scalars(select(CommunityRating).where(
        CommunityRating.community_id.in_(scope), CommunityRating.period == period))}
    return [{"community": c.code, "name": c.name, "period": period,
             "rating": rating_json(rows[c.id], c) if c.id in rows else None} for c in communities]


def rating_json(row: CommunityRating, community: Organisation) -> dict:
    """A community's rating as the API gives it."""
    return {"community": community.code, "period": row.period,
            **{name: getattr(row, name) for name in COMMUNITY_DIMENSIONS},
            "comment": row.comment, "rated_at": row.rated_at.isoformat(), "updated_at": row.updated_at.isoformat()}


def _rating_payload(payload) -> dict:
    if not isinstance(payload, dict):
        raise Invalid("send an object with the community, the four scores and, if you like, the period and a comment",
                      {"data": "must be an object"})
    errors = score_errors(payload, COMMUNITY_DIMENSIONS)
    known = {"community", "period", "comment", *COMMUNITY_DIMENSIONS}
    errors |= {key: "unknown field" for key in payload if key not in known}
    community, comment, period = payload.get("community"), payload.get("comment", ""), payload.get("period")
    if not isinstance(community, str) or not community.strip():
        errors["community"] = "required"
    if not isinstance(comment, str) or len(comment) > COMMENT_LENGTH:
        errors["comment"] = "too long" if isinstance(comment, str) else "wrong type"
    if period not in (None, ""):
        try:
            parse_period(period)
        except Invalid as err:
            errors |= err.fields
    if errors:
        if set(errors) & set(COMMUNITY_DIMENSIONS):
            raise Invalid("each score is a whole number from 1 to 5", errors)
        raise Invalid("some fields need correcting", errors)
    return {"community": community.strip(), "period": (period or "").strip() or None, "comment": comment.strip(),
            **{name: payload[name] for name in COMMUNITY_DIMENSIONS}}


def _own_community(session: Session, actor: User, code: str) -> Organisation:
    """The community, if it is one of the actor's street: a street rates only its own communities."""
    community = session.scalars(select(Organisation).where(Organisation.code == code,
                                                           Organisation.kind == "community")).first()
    if community is None:
        raise Invalid("there is no community %(code)s", {"community": "no such community"}, params={"code": code})
    if community.parent_id != actor.org_id:
        raise Forbidden("a street rates only its own communities: %(community)s is not one of them",
                        params={"community": community.name})
    return community


def _check_open(period: str) -> None:
    """A quarter is rated from its first day until the end of the next quarter."""
    current = current_period()
    if period_start(period) > period_start(current):
        raise Invalid("this quarter has not begun: a quarter is rated from its first day",
                      {"period": "not begun"})
    if period not in open_periods():
        raise Conflict("the rating of this quarter is closed: a quarter is rated, or its rating changed, "
                       "until the end of the next quarter")
