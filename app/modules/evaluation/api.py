"""双向评价 over the API: the street rates each of its communities once a quarter; the ratings of a quarter."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.modules.evaluation import ratings
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented

bp = Blueprint("api_ratings", __name__, url_prefix="/api/community-ratings")
_SCORE = {"type": "integer", "minimum": 1, "maximum": 5}


@bp.get("")
@documented("The street's ratings of the communities in your scope for a quarter (default: this one): "
            "{period, open_periods, communities: [{community, name, period, rating|null}]}", errors=(400, 401, 403),
            query={"period": "a quarter such as 2026-Q4"})
@requires()
def community_ratings():
    period = request.args.get("period") or None
    rows = ratings.community_ratings(db(), api_user(), period)
    return jsonify({"period": period or ratings.current_period(), "open_periods": ratings.open_periods(),
                    "communities": rows})


@bp.post("")
@documented("Rate one of your street's communities for a quarter (this one or the one just ended) on its "
            "management and service duties, each 1–5; a second rating of the same quarter changes it "
            "(201 new, 200 changed; audited)", ok=201, errors=(400, 401, 403, 409), body={
                "type": "object", "required": ["community", *ratings.COMMUNITY_DIMENSIONS], "properties": {
                    "community": {"type": "string"}, "period": {"type": "string", "pattern": "^\\d{4}-Q[1-4]$"},
                    **{name: _SCORE for name in ratings.COMMUNITY_DIMENSIONS},
                    "comment": {"type": "string", "maxLength": ratings.COMMENT_LENGTH}}})
@requires("street_officer")
def rate_community():
    row, created = ratings.rate_community(db(), api_user(), json_body())
    body = ratings.rating_json(row, row.community)
    commit()
    return jsonify(body), 201 if created else 200
