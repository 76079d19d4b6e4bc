"""Diagram functions for micro-wishes (微心愿): the claimer's kind, and the service record of a non-volunteer."""
from app.errors import Refusal
from app.people.roles import role_label
from app.workflow.helpers import bound, member_of_case, own_community, record_write

# How the source (004) names each claimer's way of fulfilling wishes; "community" is the community doing it itself.
CLAIM_MODES = {"volunteer": "志愿互助", "party_member": "连心解忧", "unit": "联村结对", "business": "商居联动",
               "community": "社区自办"}


class NotAClaimer(Refusal):
    """The person named holds none of the roles the diagram lets claim a wish."""


def claimer_kind(claimer, kinds) -> str:
    """The first of `kinds` (role ids, in the diagram's order) that the claimer, a person of the case, holds."""
    session, _ = bound()
    user = member_of_case(session, claimer)
    for kind in kinds:
        if str(kind) in user.role_ids:
            return str(kind)
    raise NotAClaimer("%(user)s holds none of the roles that may claim this wish", user=claimer)


def holds_role(person, role) -> bool:
    """Whether a person of the case holds `role`."""
    session, _ = bound()
    return str(role) in member_of_case(session, person).role_ids


def record_wish_service(claimer, kind, hours, activity, community) -> bool:
    """Record a wish fulfilled by a claimer whose hours do not go to the time bank (party member, unit, business,
    the community itself): who, how and how long, in the case's history."""
    session, _ = bound()
    own_community(community)
    user = member_of_case(session, claimer)
    kind = str(kind)
    hours = hours if isinstance(hours, (int, float)) and not isinstance(hours, bool) else 0
    who = role_label(kind) if kind != "community" else "社区"
    record_write("wish_service_recorded",
                 summary=f"{user.display_name}（{who}，{CLAIM_MODES.get(kind, kind)}）{hours:g} 小时：{activity}",
                 changes={"wish_claimer": [None, user.username], "wish_claimer_kind": [None, kind],
                          "hours": [None, hours]})
    return True


HELPERS = {f.__name__: f for f in (claimer_kind, holds_role, record_wish_service)}
