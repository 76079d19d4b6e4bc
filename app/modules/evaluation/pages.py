"""The street's page of 双向评价: rate each of its communities once a quarter, and see the quarter's ratings."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.errors import Invalid
from app.modules.evaluation import ratings

bp = Blueprint("ratings", __name__, template_folder="templates", url_prefix="/ratings")


@bp.get("/communities")
@login_required
def community_ratings_page(entry: dict | None = None, errors: dict | None = None):
    ratings.require_reader(current_user)
    period = request.args.get("period") or (entry or {}).get("period") or ratings.current_period()
    try:
        rows = ratings.community_ratings(db(), current_user, period)
    except Invalid as err:
        flash(err.translated(_), "error")
        period = ratings.current_period()
        rows = ratings.community_ratings(db(), current_user, period)
    return render_template("community_ratings.html", rows=rows, period=period, label=_period_label,
                           open_periods=ratings.open_periods(), dimensions=_dimensions(),
                           may_rate=ratings.RATING_ROLE in current_user.role_ids,
                           entry=entry or {}, errors=errors or {})


@bp.post("/communities")
@login_required
def community_ratings_post():
    entry = {name: request.form.get(name, "") for name in ("community", "period", "comment",
                                                           *ratings.COMMUNITY_DIMENSIONS)}
    payload = {"community": entry["community"], "period": entry["period"], "comment": entry["comment"],
               **{name: _number(entry[name]) for name in ratings.COMMUNITY_DIMENSIONS}}
    try:
        row, created = ratings.rate_community(db(), current_user, payload)
    except Invalid as err:  # the page again, with what was chosen and why it was refused
        db().rollback()
        flash(err.translated(_), "error")
        return community_ratings_page(entry, err.fields), 400
    name, period = row.community.name, row.period
    commit()
    words = {"community": name, "period": _period_label(period)}
    flash(_("Rated: %(community)s, %(period)s.", **words) if created
          else _("Rating changed: %(community)s, %(period)s.", **words), "success")
    return redirect(url_for("ratings.community_ratings_page", period=period))


def _period_label(period: str) -> str:
    return _("%(year)s, quarter %(quarter)s", **ratings.period_label(period))


def _dimensions() -> list[tuple[str, str, str]]:
    """Each dimension the street rates: field, label, what it asks."""
    return [("need_response", _("Need response"), _("Needs collected, accepted and answered in time")),
            ("handling_quality", _("Handling quality"), _("Needs resolved well and within their deadlines")),
            ("democratic_procedure", _("Democratic procedure"),
             _("Five deliberations, two disclosures and one filing followed for projects")),
            ("resident_satisfaction", _("Residents’ satisfaction"), _("How satisfied residents are with the community’s work"))]


def _number(value: str):
    """A form's score as a number when it is one; anything else goes on as typed, to be refused with the rule."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else value or None
