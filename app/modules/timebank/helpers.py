"""Diagram functions for the volunteer time bank: hours logged, balances, redemptions."""


from app.modules.timebank.models import Redemption
from app.modules.timebank import operations as timebank, reads
from app.workflow.helpers import bound, member_of_case, own_community, own_key, own_record


def log_volunteer_hours(volunteer, hours, activity, community, source) -> int:
    """Pending hours for a volunteer (a worker confirms them into points); 0 when no hours."""
    session, actor = bound()
    own_community(community)
    member_of_case(session, volunteer, "volunteer")
    logged = timebank.log_hours_for(session, volunteer, hours, activity, community, source, actor)
    return logged.id if logged else 0


def points_balance(volunteer) -> int:
    """A volunteer's time-bank balance in points."""
    session, _ = bound()
    return reads.balance(session, member_of_case(session, volunteer, "volunteer").id)


def redeem_points(redemption_id) -> bool:
    """Debit an approved redemption; False (and refused) when the balance no longer covers it."""
    session, actor = bound()
    return timebank.redeem(session, _own_redemption(session, redemption_id), actor)


def refuse_redemption(redemption_id, reason) -> bool:
    """Refuse a redemption with its reason."""
    session, actor = bound()
    return timebank.refuse(session, _own_redemption(session, redemption_id), reason, actor)


def _own_redemption(session, redemption_id) -> int:
    """The redemption this case decides (its instance's business key is RD and the redemption's id)."""
    own_key(f"RD{int(redemption_id)}")
    own_record(session.get(Redemption, int(redemption_id)), f"redemption {redemption_id}")
    return int(redemption_id)


HELPERS = {f.__name__: f for f in (log_volunteer_hours, points_balance, redeem_points, refuse_redemption)}
