"""Public portal: notices (公示) of the four kinds, a printable notice, and the objection form."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.extensions import commit, db
from app.modules.disclosure.operations import collected_needs, disclosure, disclosures, file_objection, is_open, meetings_of, project_days
from app.errors import Conflict, Invalid

bp = Blueprint("disclosures", __name__, template_folder="templates")
KINDS = ("collection", "decision", "implementation", "results", "effect", "annual", "rejection")


@bp.get("/disclosures")
def disclosure_list():
    kind = request.args.get("kind", "decision")
    kind = kind if kind in KINDS else "decision"
    community = request.args.get("community") or None
    if kind == "collection":
        return render_template("disclosures.html", kind=kind, kinds=KINDS, needs=collected_needs(db(), community))
    return render_template("disclosures.html", kind=kind, kinds=KINDS, notices=disclosures(db(), community, kind))


@bp.get("/disclosures/<id:disclosure_id>")
def disclosure_page(disclosure_id: int, objection: dict | None = None, errors: dict | None = None):
    notice = disclosure(db(), disclosure_id)
    return render_template("disclosure.html", notice=notice, open=is_open(notice),
                           meetings=meetings_of(db(), notice.project_id), days=project_days(db(), notice.project_id),
                           printable=request.args.get("print") == "1", objection=objection or {}, errors=errors or {})


@bp.post("/disclosures/<id:disclosure_id>/objections")
def objection_post(disclosure_id: int):
    objection = {"content": request.form.get("content", ""), "contact": request.form.get("contact", "")}
    try:
        file_objection(db(), disclosure_id, objection)
    except (Invalid, Conflict) as err:  # the form again, with what was written and why it was refused
        db().rollback()
        flash(err.translated(_), "error")
        return disclosure_page(disclosure_id, objection, err.fields), err.status
    commit()
    flash(_("Your objection was received; the residents' committee will answer within 3 days."), "success")
    return redirect(url_for("disclosures.disclosure_page", disclosure_id=disclosure_id))
