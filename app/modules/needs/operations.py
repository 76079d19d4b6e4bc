"""Needs: a resident's or a worker's submission starts `need_lifecycle`; anyone can follow it by code."""
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import ENDED, Instance, InstanceStatus, ReadyTask
from app.people.org import Organisation
from app.people.models import User, UserRole
from app.people.scope import community_ids_in_scope
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.workflow.forms import form_pair, validate_submission
from app.workflow import audit
from app.workflow.instances import current_data, load_workflow, lock_instance, save_state, start_process
from app.workflow.tasks import apply_submission
from app.workflow.notifications import notify
from app.modules.duty.operations import china_today, on_duty
from app.tables.filters import chinese_date
from app.workflow.versions import bundle_for, engine, latest_version

PROCESS_ID = "need_lifecycle"
# Started only here (a tracking code, the first responder, the grid): POST /api/processes/…/instances refuses it.
STARTED_BY = {PROCESS_ID: "POST /api/public/needs, POST /api/needs"}
FEEDBACK_TASK = "resident_feedback"
PUBLIC_FIELDS = ("title", "description", "category", "grid", "contact")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# An administrator's cancellation (terminated) shows as withdrawn: api.md fixes the public statuses.
# resolved, closed_unreasonable and merged are end events of need_lifecycle; withdrawn and terminated are the
# reasons a need is cancelled with.
OUTCOME_STATUS = {"resolved": "resolved", "closed_unreasonable": "closed_unreasonable",
                  "merged": "merged", "withdrawn": "withdrawn", "terminated": "withdrawn", "wish_closed": "wish_closed"}
END_EVENTS = ("resolved", "closed_unreasonable", "merged", "wish_closed")
# Ends whose explanation to the resident (`explanation`) the public progress page shows.
EXPLAINED_ENDS = ("closed_unreasonable", "wish_closed")
RELIED_ON = {PROCESS_ID: {FEEDBACK_TASK: "the resident's rating by tracking code"} | {
    end: "the needs' public status and the needs list" for end in END_EVENTS}}


def submit_need(session: Session, payload, actor: User | None, public: bool) -> Instance:
    """Validate a need against the intake form and start its lifecycle.

    `public`: submitted online by a resident (signed in or not), not recorded by a worker."""
    if not isinstance(payload, dict):
        raise Invalid("the need must be a JSON object", {"data": "must be an object"})
    fields = dict(payload)
    community = _community(session, fields.pop("community", None))
    if not public and community.id not in community_ids_in_scope(session, actor):
        raise Forbidden("you may record needs only in your own communities")
    if public:
        unknown = {k: "unknown field" for k in fields if k not in PUBLIC_FIELDS}
        if unknown:
            raise Invalid("some fields need correcting", unknown)
        fields["channel"] = "online"
    bundle = bundle_for(session, latest_version(session, PROCESS_ID).id)
    data = validate_submission(form_pair(bundle, *engine().start_form(bundle))["schema"], fields)
    grid = _check_grid(session, data.get("grid"), community)
    # 首问负责: whoever records a need answers for it; online needs go to the day's on-duty worker.
    responder, rostered = on_duty_worker(session, community) if public else (actor, True)
    data = {"grid": "", "visit_type": "", "anonymous": False} | data  # keys the diagrams may read
    data.update(community=community.code, tracking_code=_new_code(session),
                first_responder=responder.username if responder else None, **_names(community, grid))
    with audit.acting_as(f"resident:{data['tracking_code']}"):  # only used when nobody is signed in
        instance = start_process(session, PROCESS_ID, data, community, actor, business_key=data["tracking_code"])
    if public:
        _first_responder_named(session, instance, responder, rostered)
    return instance


def intake_form(session: Session) -> dict:
    """The need intake form {schema, ui_schema} of the latest need_lifecycle version."""
    bundle = bundle_for(session, latest_version(session, PROCESS_ID).id)
    return form_pair(bundle, *engine().start_form(bundle))


def on_duty_worker(session: Session, community: Organisation) -> tuple[User | None, bool]:
    """The worker who answers a need nobody recorded (首问负责), and whether the duty roster named them.

    The community's on-duty worker today (China date, app clock); with nobody on the roster that day, the
    community's first active community worker, as before there was a roster."""
    rostered = on_duty(session, community, china_today())
    if rostered is not None:
        return rostered, True
    return session.scalars(select(User).join(UserRole).where(
        UserRole.role == "community_worker", User.org_id == community.id, User.is_active.is_(True))
        .order_by(User.id).limit(1)).first(), False


def _first_responder_named(session: Session, instance: Instance, responder: User | None, rostered: bool) -> None:
    """Say in the case's history who answers for a need nobody recorded, and tell them it has arrived."""
    day = chinese_date(china_today())
    if responder is None:
        audit.record(session, "first_responder_missing", None, instance=instance, actor_name="system",
                     summary=f"{instance.community.name} {day}")
        return
    how = "first_responder_on_duty" if rostered else "first_responder_fallback"
    audit.record(session, how, None, instance=instance, actor_name="system",
                 summary=f"{responder.display_name} {day}", changes={"first_responder": [None, responder.username]})
    notify(session, [responder], f"新需求已到达，您是首问责任人：{instance.title}", instance)


def need_by_code(session: Session, code: str) -> Instance:
    """The need with this tracking code, or 404."""
    instance = session.scalars(select(Instance).where(
        Instance.business_key == str(code), Instance.process_id == PROCESS_ID)).first()
    if instance is None:
        raise NotFound("no need has this tracking code")
    return instance


def rate_need(session: Session, code: str, payload) -> Instance:
    """The resident rates the handling (回访评价) with the tracking code as their credential."""
    instance = need_by_code(session, code)
    task = session.scalars(select(ReadyTask).where(
        ReadyTask.instance_id == instance.id, ReadyTask.bpmn_id == FEEDBACK_TASK)).first()
    if task is None:
        raise Conflict("this need is not waiting for a rating now")
    with audit.acting_as(f"resident:{code}"):
        apply_submission(session, task, None, payload, actor_name=f"resident:{code}")
    return instance


def withdraw_need(session: Session, code: str, reason) -> Instance:
    """The resident withdraws an open need (撤回); its open tasks are cancelled."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise Invalid("say why the need is withdrawn", {"reason": "required"})
    instance = lock_instance(session, need_by_code(session, code).id)
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict("this need is no longer open")
    workflow = load_workflow(session, instance)
    audit.record(session, "need_withdrawn", None, instance=instance, actor_name=f"resident:{code}",
                 summary=reason.strip(), changes={"status": [InstanceStatus.RUNNING, InstanceStatus.CANCELLED]})
    with audit.acting_as(f"resident:{code}"):
        save_state(session, instance, workflow, engine().cancel(workflow, "withdrawn"), None)
    return instance


def public_progress(session: Session, code: str) -> dict:
    """Progress by tracking code, without anybody's personal data."""
    instance = need_by_code(session, code)
    ready = session.scalars(select(ReadyTask.name).where(ReadyTask.instance_id == instance.id)).all()
    can_rate = session.scalar(select(ReadyTask.id).where(
        ReadyTask.instance_id == instance.id, ReadyTask.bpmn_id == FEEDBACK_TASK)) is not None
    steps = session.execute(select(AuditEvent.at, AuditEvent.event_type, AuditEvent.task_name)
                            .where(AuditEvent.instance_id == instance.id,
                                   AuditEvent.event_type.in_(("instance_started", "task_completed", "timer_fired")))
                            .order_by(AuditEvent.seq)).all()
    ended = instance.status in ENDED
    status = OUTCOME_STATUS.get(instance.outcome or "", "open") if ended else "open"
    data = current_data(session, instance) if status in EXPLAINED_ENDS else {}
    ended_at = engine().element_name(bundle_for(session, instance.version_id), instance.outcome)
    return {
        "tracking_code": code, "title": instance.title, "status": status,
        "stage": "、".join(ready) if ready else (ended_at or ""),
        "submitted_at": instance.created_at.isoformat(),
        "steps": [{"at": s.at.isoformat(), "event": s.event_type, "name": s.task_name} for s in steps],
        "explanation": data.get("explanation"), "supporters": instance.supporters,
        "merged_into_title": _title_of(session, instance.merged_into), "can_rate": can_rate, "can_withdraw": instance.status == InstanceStatus.RUNNING,
    }


def communities_with_grids(session: Session) -> list[tuple[Organisation, list[Organisation]]]:
    """Every community with its grids, for the residents' submission page."""
    orgs = session.scalars(select(Organisation).where(Organisation.kind.in_(("community", "grid")))
                           .order_by(Organisation.code)).all()
    return [(c, [g for g in orgs if g.parent_id == c.id]) for c in orgs if c.kind == "community"]


def _title_of(session: Session, code: str | None) -> str | None:
    """Another need's title (never its tracking code, which is that resident's credential)."""
    return session.scalar(select(Instance.title).where(Instance.business_key == code)) if code else None


def _community(session: Session, code) -> Organisation:
    community = session.scalars(select(Organisation).where(
        Organisation.code == str(code or ""), Organisation.kind == "community")).first()
    if community is None:
        raise Invalid("unknown community", {"community": "choose one of the offered options"})
    return community


def _check_grid(session: Session, grid, community: Organisation) -> Organisation | None:
    if not grid:
        return None
    found = session.scalars(select(Organisation).where(
        Organisation.code == grid, Organisation.kind == "grid", Organisation.parent_id == community.id)).first()
    if found is None:
        raise Invalid("unknown grid", {"grid": "not a grid of this community"})
    return found


def _names(community: Organisation, grid: Organisation | None) -> dict:
    """The names people read (南山社区, 南山第1网格) beside the codes, for the diagrams' instructions."""
    return {"community_name": community.name, "grid_name": grid.name if grid else ""}


def _new_code(session: Session) -> str:
    while True:
        # The China date the need arrived (a need recorded at 07:00 China time is that day's, not yesterday's).
        code = china_today().strftime("%y%m%d") + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not session.scalar(select(Instance.id).where(Instance.business_key == code)):
            return code


def new_tracking_code(session: Session) -> str:
    """A fresh tracking code (residents' credential for following a need)."""
    return _new_code(session)


def start_follow_up(session: Session, community: Organisation, title: str, description: str,
                    category: str | None, follows: str, code: str, extra: dict | None = None) -> Instance:
    """Start a need that follows up an earlier one (反馈到需求库), under a code chosen beforehand.

    `extra`: more start data (the annual review names its source and the year's pool it feeds)."""
    responder, rostered = on_duty_worker(session, community)
    data = {"title": title[:100], "description": description[:2000], "category": category or "community_management",
            "channel": "steward_station", "grid": "", "visit_type": "", "anonymous": True, "contact": "",
            "community": community.code, "tracking_code": code, "follow_up_of": follows,
            "first_responder": responder.username if responder else None, **_names(community, None)}
    data |= extra or {}
    instance = start_process(session, PROCESS_ID, data, community, None, business_key=code)
    audit.record(session, "follow_up_started", None, instance=instance, actor_name="system",
                 summary=f"{follows} → {code}", changes={"follow_up_of": [None, follows]})
    _first_responder_named(session, instance, responder, rostered)
    return instance
