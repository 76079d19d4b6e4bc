"""三张清单 pages: needs, resources and projects for staff, filtered and paged, exported as xlsx or CSV (台账)."""
import math
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.modules.lists.models import RESOURCE_KINDS
from app.errors import Invalid
from app.modules.lists.reads import (FILTERS, LIST_ROLES, NEED_STATUSES, PER_PAGE, READERS, category_labels,
                                     community_choices, project_statuses, read_page)
from app.modules.lists.resources import RESOURCE_EDITORS, RESOURCE_FIELDS, add_resource
from app.tables.exports import table_download
from app.modules.lists.columns import NEED_COLUMNS, PROJECT_COLUMNS, RESOURCE_COLUMNS, cell, code_label, shown

bp = Blueprint("lists", __name__, template_folder="templates", url_prefix="/lists")
FORMATS = ("xlsx", "csv")


class ListPage(NamedTuple):
    title: object  # a lazy translation
    read: Callable
    columns: tuple
    filters: tuple[str, ...]


LISTS = {name: ListPage(title, READERS[name], columns, FILTERS[name]) for name, title, columns in (
    ("needs", lazy_gettext("Needs list"), NEED_COLUMNS),
    ("resources", lazy_gettext("Resources list"), RESOURCE_COLUMNS),
    ("projects", lazy_gettext("Projects list"), PROJECT_COLUMNS),
)}


@bp.app_context_processor
def _sees_lists() -> dict:
    """For the header and home page: whether the signed-in person may open the lists."""
    return {"sees_lists": current_user.is_authenticated and bool(current_user.role_ids & LIST_ROLES)}


@bp.before_request
@login_required
def _staff_only():
    if not current_user.role_ids & LIST_ROLES:
        abort(403)


@bp.get("/needs")
def needs():
    return _list_page("needs")


@bp.get("/resources")
def resources():
    return _list_page("resources")


@bp.get("/projects")
def projects():
    return _list_page("projects")


@bp.get("/resources/new")
def resource_new():
    _editors_only()
    return _resource_form({"community": current_user.org.code}, {})


@bp.post("/resources/new")
def resource_new_submit():
    _editors_only()
    data = {name: request.form.get(name, "") for name in RESOURCE_FIELDS}
    try:
        resource = add_resource(db(), current_user, data)
    except Invalid as err:
        db().rollback()
        flash(_("Some fields need correcting."), "error")
        return _resource_form(data, err.fields), 400
    commit()
    flash(_("Resource added: %(name)s", name=resource.name), "success")
    return redirect(url_for("lists.resources"))


def _list_page(name: str):
    spec, fmt = LISTS[name], request.args.get("format", "")
    try:
        if fmt and fmt not in FORMATS:
            raise Invalid("some filters are not valid", {"format": "choose one of the offered options"})
        page = None if fmt else read_page(request.args.get("page"))
        listing = spec.read(db(), current_user, request.args, page)  # an export holds every matching row
    except Invalid as err:
        return _render(name, spec, [], 0, 1, err.fields), 400
    if fmt:
        return _export(spec, listing.rows, fmt)
    return _render(name, spec, listing.rows, listing.total, page, {})


def _render(name: str, spec: ListPage, rows: list[dict], total: int, page: int, errors: dict):
    columns = [c for c in spec.columns if c.on_page]
    chosen = {k: v for k, v in request.args.items() if k in spec.filters and v}
    return render_template("lists.html", name=name, title=spec.title, filters=spec.filters, chosen=chosen,
                           options=_options(name), errors=errors, columns=columns, total=total, page=page,
                           pages=max(1, math.ceil(total / PER_PAGE)),
                           rows=[(_link(name, row), [shown(cell(row, c)) for c in columns]) for row in rows],
                           may_add=bool(current_user.role_ids & RESOURCE_EDITORS))


def _link(name: str, row: dict) -> str | None:
    """Where a row's first cell leads: the need's case page, the project's page."""
    if name == "needs":
        return url_for("instances.instance", instance_id=row["id"])
    if name == "projects" and "projects.project_page" in current_app.view_functions:
        return url_for("projects.project_page", project_id=row["id"])
    return None


def _options(name: str) -> dict[str, list[tuple[str, str]]]:
    """The choices each filter offers: code and label."""
    options = {"community": community_choices(db(), current_user)}
    if name == "needs":
        options["status"] = [(s, _(s)) for s in NEED_STATUSES]
    if name == "projects":
        options["status"] = [(s, code_label("project_", s)) for s in project_statuses(db())]
    if name in ("needs", "projects"):
        options["category"] = list(category_labels(db()).items())
    if name == "resources":
        options["kind"] = [(k, code_label("resource_kind_", k)) for k in RESOURCE_KINDS]
    return options


def _export(spec: ListPage, rows: list[dict], fmt: str):
    headers = [str(c.header) for c in spec.columns]
    return table_download(str(spec.title), headers, [[cell(row, c) for c in spec.columns] for row in rows], fmt)


def _editors_only() -> None:
    if not current_user.role_ids & RESOURCE_EDITORS:
        abort(403)


def _resource_form(data: dict, errors: dict):
    return render_template("resource_new.html", data=data, errors=errors,
                           communities=community_choices(db(), current_user),
                           kinds=[(k, code_label("resource_kind_", k)) for k in RESOURCE_KINDS])
