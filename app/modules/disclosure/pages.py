"""Public portal: notices (公示) of the four kinds, the bulletin-board notice, the objection form; the worker's
page for keeping a notice (objections made in person, the issuer and contacts, the posting photo)."""
import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.modules.disclosure.models import RECORDED_CHANNELS
from app.modules.disclosure.notices import (china_day, china_moment, day_text, issuer_of, notice_heading, period_text,
                                           without_phones)
from app.modules.disclosure.operations import (attach_posting_photo, closed_reason, collected_needs, disclosure,
                                               disclosures, file_objection, is_open, may_keep, meetings_of,
                                               posting_photo, project_days, record_objection, set_notice_details)
from app.errors import Conflict, Forbidden, Invalid
from app.workflow.attachments import read_uploads

bp = Blueprint("disclosures", __name__, template_folder="templates")
KINDS = ("collection", "decision", "implementation", "results", "effect", "annual", "rejection")
RECORDED_FIELDS = ("content", "contact", "objector_name", "channel", "objector_account")
DETAIL_FIELDS = ("issuer", "objection_phone", "objection_address")

bp.add_app_template_filter(day_text, "cnday")
bp.add_app_template_filter(china_moment, "cnmoment")
bp.add_app_template_filter(period_text, "cnperiod")
bp.add_app_template_filter(without_phones, "nophones")


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
    return render_template("disclosure.html", notice=notice, open=is_open(notice), closed=closed_reason(notice),
                           meetings=meetings_of(db(), notice.project_id), days=project_days(db(), notice.project_id),
                           printable=request.args.get("print") == "1", objection=objection or {}, errors=errors or {},
                           keeper=may_keep(db(), notice, current_user), **_wording(notice))


def _wording(notice) -> dict:
    """What the bulletin-board notice says: heading, issuer, period and date of issue in Chinese."""
    return {"heading": notice_heading(notice.title) if notice.kind == "decision" else notice.title,
            "issuer": issuer_of(notice), "period": period_text(notice.starts_at, notice.ends_at),
            "issued_on": china_day(notice.starts_at)}


@bp.get("/disclosures/<id:disclosure_id>/photo")
def disclosure_photo(disclosure_id: int):
    photo = posting_photo(db(), disclosure_id)
    return send_file(io.BytesIO(photo.data), mimetype=photo.content_type, download_name=photo.filename)


@bp.post("/disclosures/<id:disclosure_id>/objections")
def objection_post(disclosure_id: int):
    objection = {"content": request.form.get("content", ""), "contact": request.form.get("contact", "")}
    objector = current_user if current_user.is_authenticated else None
    try:
        file_objection(db(), disclosure_id, objection, objector)
    except (Invalid, Conflict) as err:  # the form again, with what was written and why it was refused
        db().rollback()
        flash(err.translated(_), "error")
        return disclosure_page(disclosure_id, objection, err.fields), err.status
    commit()
    flash(_("Your objection was received; the residents' committee will answer within 3 days."), "success")
    return redirect(url_for("disclosures.disclosure_page", disclosure_id=disclosure_id))


@bp.get("/disclosures/<id:disclosure_id>/keep")
@login_required
def disclosure_keep(disclosure_id: int, objection: dict | None = None, errors: dict | None = None):
    notice = disclosure(db(), disclosure_id)
    if not may_keep(db(), notice, current_user):
        raise Forbidden("only the community's workers keep its notices")
    return render_template("disclosure_keep.html", notice=notice, open=is_open(notice), channels=RECORDED_CHANNELS,
                           objection=objection or {"channel": "in_person"}, errors=errors or {}, **_wording(notice))


@bp.post("/disclosures/<id:disclosure_id>/keep/objections")
@login_required
def objection_record_post(disclosure_id: int):
    objection = {k: request.form.get(k, "") for k in RECORDED_FIELDS}
    try:
        record_objection(db(), disclosure_id, objection, current_user)
    except (Invalid, Conflict) as err:
        db().rollback()
        flash(err.translated(_), "error")
        return disclosure_keep(disclosure_id, objection, err.fields), err.status
    commit()
    flash(_("The objection was recorded; it waits for the residents' committee's answer."), "success")
    return redirect(url_for("disclosures.disclosure_keep", disclosure_id=disclosure_id))


@bp.post("/disclosures/<id:disclosure_id>/keep/details")
@login_required
def details_post(disclosure_id: int):
    try:
        set_notice_details(db(), disclosure_id, {k: request.form.get(k, "") for k in DETAIL_FIELDS}, current_user)
    except Invalid as err:
        db().rollback()
        flash(err.translated(_), "error")
        return disclosure_keep(disclosure_id, errors=err.fields), err.status
    commit()
    flash(_("The notice was saved."), "success")
    return redirect(url_for("disclosures.disclosure_keep", disclosure_id=disclosure_id))


@bp.post("/disclosures/<id:disclosure_id>/keep/photo")
@login_required
def photo_post(disclosure_id: int):
    try:
        attach_posting_photo(db(), disclosure_id, read_uploads(request.files.getlist("photo")), current_user)
    except (Invalid, Conflict) as err:
        db().rollback()
        flash(err.translated(_), "error")
        return disclosure_keep(disclosure_id, errors=err.fields), err.status
    commit()
    flash(_("The posting photo was attached."), "success")
    return redirect(url_for("disclosures.disclosure_keep", disclosure_id=disclosure_id))
