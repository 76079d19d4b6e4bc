"""Sign-in and sign-out pages."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from ..extensions import db
from ..ops.accounts import authenticate
from ..ops.errors import OperationError

bp = Blueprint("auth", __name__)


@bp.get("/login")
def login():
    return render_template("login.html")


@bp.post("/login")
def login_submit():
    try:
        user = authenticate(db(), request.form.get("username", ""), request.form.get("password", ""))
    except OperationError:
        flash(_("Wrong username or password."), "error")
        return render_template("login.html", username=request.form.get("username", "")), 401
    login_user(user)
    target = request.args.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else url_for("home.index"))


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
