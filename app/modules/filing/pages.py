"""The filing receipt (备案回执): a printable page for the community and the street."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.modules.filing import operations as filings
from app.tables.filters import chinese_date

bp = Blueprint("filings", __name__, template_folder="templates")
bp.add_app_template_filter(chinese_date, "cndate")


@bp.get("/filings/<id:filing_id>/receipt")
@login_required
def receipt_page(filing_id: int):
    filing = filings.receipt_filing(db(), current_user, filing_id)
    return render_template("filing_receipt.html", **filings.receipt(db(), filing))
