"""Sign-in and sign-out pages."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.extensions import commit
from app.errors import OperationError, TooManyRequests
from app.modules.accounts.signin import record_sign_out, sign_in

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.get("/login")
def login():
    return render_template("login.html")


@bp.post("/login")
def login_submit():
    try:
        user = sign_in(request.form.get("username", ""), request.form.get("password", ""), "web")
    except TooManyRequests:
        flash(_("Too many failed sign-ins: try again in 15 minutes."), "error")
        return render_template("login.html", username=request.form.get("username", "")), 429
    except OperationError:
        flash(_("Wrong username or password."), "error")
        return render_template("login.html", username=request.form.get("username", "")), 401
    login_user(user)
    commit()  # the sign-in's audit event
    return redirect(_local_target(request.args.get("next", "")) or url_for("home.index"))


def _local_target(target: str) -> str | None:
    """`next` only when it is a path on this site (no scheme, no host, no backslash or control tricks)."""
    if not target.startswith("/") or target.startswith("//") or any(ch == "\\" or ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.post("/logout")
@login_required
def logout():
    record_sign_out(current_user)
    commit()
    logout_user()
    return redirect(url_for("auth.login"))
