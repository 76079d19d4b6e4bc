"""The decision's API: the clerk records the online vote of a two-committee member who has no account."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.modules.decision.ballots import record_ballot
from app.people.policy import BALLOT_CLERKS

bp = Blueprint("api_decision", __name__, url_prefix="/api")


@bp.post("/instances/<id:instance_id>/ballots")
@documented("While a case's online two-committee vote is open, record the vote of a member on the register who has "
            "no account, with the reason (audited); a member votes once", ok=201, body={
                "type": "object", "required": ["member_id", "vote", "reason"], "properties": {
                    "member_id": {"type": "integer"}, "vote": {"enum": ["for", "against", "abstain"]},
                    "reason": {"type": "string", "maxLength": 300}}}, errors=(400, 401, 403, 404, 409))
@requires(*BALLOT_CLERKS)
def ballot_record(instance_id: int):
    ballot = record_ballot(db(), api_user(), instance_id, json_body())
    commit()
    return jsonify({"id": ballot.id, "member_id": ballot.member_id, "vote": ballot.vote}), 201
