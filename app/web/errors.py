"""Operation errors shown as pages."""
from flask import Flask, flash, redirect, render_template, request
from flask_babel import gettext as _

from ..ops.errors import OperationError


def register(app: Flask) -> None:
    """Nothing to add beyond the shared handler in app.api; kept for page-only handlers."""
    app.register_error_handler(404, lambda e: (render_template("error.html", status=404, message=_("Not found.")), 404)
                               if not request.path.startswith("/api/") and request.path != "/healthz" else e)


def operation_error_page(err: OperationError):
    """A refused operation: back to the page it came from with the message, or an error page."""
    if err.status in (400, 409) and request.method == "POST" and request.referrer:
        flash(_(err.message), "error")
        return redirect(request.referrer)
    return render_template("error.html", status=err.status, message=_(err.message)), err.status
