"""Tasks: the caller's inbox, one task with its form, claim, release, complete."""
from flask import Blueprint, jsonify, request
from flask_babel import force_locale

from app.extensions import commit, db
from app.workflow import tasks
from app.errors import Invalid
from app.workflow.queries import inbox
from app.http.auth import api_user, json_body, requires
from app.http.serialize import task_json
from app.http.docs import documented

bp = Blueprint("api_tasks", __name__, url_prefix="/api/tasks")


@bp.get("")
@documented("My inbox", errors=(401,), query={
    "task": "only tasks with this BPMN id", "community": "only this community's code",
    "overdue": "1: only tasks past their due date"})
@requires()
def task_list():
    args = request.args
    found = inbox(db(), api_user(), task=args.get("task"), community=args.get("community"),
                  overdue=args.get("overdue") in ("1", "true"))
    return jsonify({"tasks": [task_json(t) for t in found]})


@bp.get("/<task_id>")
@documented("A task with its form")
@requires()
def task_detail(task_id: str):
    view = tasks.task_view(db(), tasks.actionable_task(db(), task_id, api_user()), api_user())
    return jsonify(task_json(view["task"]) | {"form": view["form"], "data": view["data"],
                                               "instructions": view["instructions"]})


@bp.post("/<task_id>/claim")
@documented("Claim a task")
@requires()
def task_claim(task_id: str):
    task = tasks.claim(db(), task_id, api_user())
    commit()
    return jsonify(task_json(task))


@bp.post("/<task_id>/release")
@documented("Release a claimed task")
@requires()
def task_release(task_id: str):
    task = tasks.release(db(), task_id, api_user())
    commit()
    return jsonify(task_json(task))


@bp.post("/<task_id>/complete")
@documented("Complete a task", body={"type": "object", "required": ["data"],
                                       "properties": {"data": {"type": "object"}}})
@requires()
def task_complete(task_id: str):
    body = json_body()
    if "data" not in body:
        raise Invalid("send {\"data\": {...}} with the form's fields", {"data": "required"})
    done = tasks.complete(db(), task_id, api_user(), body["data"])
    commit()
    return jsonify({"instance": {"id": done.instance.id, "status": done.instance.status,
                                 "outcome": done.instance.outcome},
                    "next_tasks": [task_json(t) for t in done.next_tasks], "verdict": verdict_json(done.verdict)})


def verdict_json(verdict: dict | None) -> dict | None:
    """What the rules decided about a meeting the submission recorded; its message in Chinese, like its reason."""
    if verdict is None:
        return None
    with force_locale("zh"):
        message = tasks.verdict_message(verdict)
    return verdict | {"message": message}
