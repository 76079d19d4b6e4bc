"""The audit trail: every operation leaves an event naming its actor and what changed; tampering is named.

Complements tests/test_audit.py, which covers an altered data_changes, a deleted middle event and swapped
event contents."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import clock
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance
from app.people.models import User
from app.workflow.audit import event_hash
from api_client import Api
from flows import OK, run_timers, to_disclosure, to_project
from helpers import audit_verdict as verify
from helpers import audit_event_count as event_count
from helpers import run_sql

# An access, not a change to any record: who got a token is the whole event.
ACCESS_EVENTS = {"token_issued", "user_signed_in"}
# Every other event type is a write and must carry a [before, after] pair.
# What the flows below must leave in the log: one type per operation they drive.
EXPECTED_TYPES = {
    "process_deployed", "token_issued", "instance_started", "task_claimed", "task_released", "task_completed",
    "instance_completed", "need_withdrawn", "task_cancelled", "instance_cancelled", "hours_logged",
    "hours_confirmed", "points_earned", "redemption_requested", "points_redeemed", "redemption_redeemed",
    "resource_added", "disclosure_opened", "project_status_changed", "objection_filed", "timer_fired",
}
RESOURCE = {"community": "nanshan", "kind": "venue", "name": "居民活动室", "contact": "前台 0535-6210009",
            "capacity": "20 人", "description": "可预约"}
ONLINE_NEED = {"title": "健身器材损坏", "description": "广场单杠松动", "category": "culture", "community": "nanshan"}


class AuditedApi(Api):
    """The API helper, failing any successful write that leaves no audit event."""

    def __init__(self, client, app):
        super().__init__(client)
        self.app = app

    def post(self, path: str, json=None, as_user: str | None = None):
        before = event_count(self.app)
        response = super().post(path, json, as_user)
        if response.status_code < 300:
            assert event_count(self.app) > before, f"POST {path} succeeded and left no audit event"
        return response


def all_events(app) -> list[AuditEvent]:
    with app.extensions["db_sessions"]() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def has_pairs(changes: dict) -> bool:
    """Whether the changes hold at least one [before, after] pair."""
    return any(isinstance(value, list) and len(value) == 2 for value in (changes or {}).values())


def need_flow(api) -> str:
    """A recorded need claimed, released, handled and rated by its resident; its tracking code."""
    need = api.record_need()
    iid, code = need["instance_id"], need["tracking_code"]
    task = api.task_for("worker1", "assess_reasonableness", iid)
    assert api.post(f"/api/tasks/{task['id']}/claim", as_user="worker1").status_code == 200
    assert api.post(f"/api/tasks/{task['id']}/release", as_user="worker1").status_code == 200
    api.complete("worker1", "assess_reasonableness", OK, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "当天修复"}, iid)
    assert api.post(f"/api/public/needs/{code}/feedback", {"satisfaction": 5}).status_code == 200
    return code


def online_need_withdrawn(api) -> str:
    """A resident's online need, withdrawn by the resident; its tracking code."""
    code = api.post("/api/public/needs", ONLINE_NEED).get_json()["tracking_code"]
    assert api.post(f"/api/public/needs/{code}/withdraw", {"reason": "已自行修好"}).status_code == 200
    return code


def time_bank_flow(api) -> None:
    """Hours logged and confirmed into points, then a redemption approved."""
    logged = api.post("/api/timebank/hours", {"hours": 2, "activity": "助老陪护"}, "volunteer1").get_json()
    assert api.post(f"/api/timebank/hours/{logged['id']}/decision", {"confirm": True}, "worker1").status_code == 200
    asked = api.post("/api/timebank/redemptions", {"item": "大米一袋", "points": 15}, "volunteer1").get_json()
    api.complete("worker1", "approve_redemption", {"approved": True, "decision_note": "同意"}, asked["instance_id"])


def objection_flow(app, api) -> None:
    """A project through its deliberations, an objection answered, the notice period ended and filed."""
    need = to_project(api)
    to_disclosure(api, need["instance_id"])
    notice = api.get("/api/public/disclosures?kind=decision").get_json()["disclosures"][0]
    assert api.post(f"/api/public/disclosures/{notice['id']}/objections", {"content": "噪音扰民"}).status_code == 201
    api.complete("worker1", "answer_objection", {"settled": True, "answer": "加装隔音"})
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))
    api.complete("street1", "street_filing", {"filing_decision": "filed"}, need["instance_id"])


@pytest.fixture
def audited(app, client) -> AuditedApi:
    return AuditedApi(client, app)


@pytest.fixture
def populated(app, audited) -> list[AuditEvent]:
    """The log after the main flows, all driven through the API."""
    need_flow(audited)
    online_need_withdrawn(audited)
    time_bank_flow(audited)
    assert audited.post("/api/resources", RESOURCE, "worker1").status_code == 201
    objection_flow(app, audited)
    return all_events(app)


def actor_problem(event: AuditEvent, usernames: dict, codes: dict) -> str | None:
    """Why the event's actor is not a user, a resident by tracking code, a resident, or the system."""
    if event.actor_id is not None:
        return None if event.actor_name == usernames[event.actor_id] else "not the actor's username"
    if event.actor_name in ("system", "resident"):
        return None
    if event.actor_name.startswith("resident:"):
        return None if event.actor_name[9:] == codes.get(event.instance_id) else "not this instance's tracking code"
    return "no actor"


def test_every_event_names_its_actor(app, populated):
    with app.extensions["db_sessions"]() as session:
        usernames = dict(session.execute(select(User.id, User.username)).all())
        codes = dict(session.execute(select(Instance.id, Instance.business_key)).all())
    problems = [(e.seq, e.event_type, e.actor_name, actor_problem(e, usernames, codes)) for e in populated]
    assert [p for p in problems if p[3]] == []
    actors = {e.actor_name.split(":")[0] for e in populated}
    assert {"worker1", "volunteer1", "street1", "resident", "system"} <= actors


def test_every_write_event_records_its_changes(populated):
    seen = {e.event_type for e in populated}
    assert EXPECTED_TYPES <= seen, f"operations that left no event: {EXPECTED_TYPES - seen}"
    without = {e.event_type for e in populated if e.event_type not in ACCESS_EVENTS and not has_pairs(e.data_changes)}
    assert without == set(), f"write events without [before, after] changes: {without} (seen: {seen})"


def test_task_completions_record_each_submitted_field(populated):
    completed = [e for e in populated if e.event_type == "task_completed"]
    assert len(completed) >= 15
    for event in completed:
        assert event.task_bpmn_id and event.data_changes, event.seq
        assert all(isinstance(v, list) and len(v) == 2 for v in event.data_changes.values()), event.seq
    rated = next(e for e in completed if e.task_bpmn_id == "resident_feedback")
    assert rated.actor_name.startswith("resident:") and rated.data_changes == {"satisfaction": [None, 5]}


def test_claim_and_release_record_who_holds_the_task(app, api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    api.post(f"/api/tasks/{task['id']}/claim", as_user="worker1")
    api.post(f"/api/tasks/{task['id']}/release", as_user="worker1")
    held = [e.data_changes for e in all_events(app) if e.event_type in ("task_claimed", "task_released")]
    assert held == [{"claimed_by": [None, "worker1"]}, {"claimed_by": ["worker1", None]}]


def test_a_cancelled_task_records_its_status(app, api):
    online_need_withdrawn(api)
    cancelled = [e for e in all_events(app) if e.event_type == "task_cancelled"]
    assert cancelled and all(has_pairs(e.data_changes) for e in cancelled)


def test_an_online_need_is_started_by_its_resident(app, api):
    code = api.post("/api/public/needs", ONLINE_NEED).get_json()["tracking_code"]
    started = next(e for e in all_events(app) if e.event_type == "instance_started")
    assert started.actor_name == f"resident:{code}"


def test_created_records_are_recorded_as_pairs(app, api):
    assert api.post("/api/resources", RESOURCE, "worker1").status_code == 201
    created = [e for e in all_events(app) if e.event_type in ("process_deployed", "resource_added")]
    assert created and all(has_pairs(e.data_changes) for e in created)


# Tamper evidence, each on the log of one need recorded, claimed, released, handled and rated.

@pytest.fixture
def log(app, api) -> dict:
    """A populated log; the auditor's token is issued first so verifying appends nothing."""
    need_flow(api)
    api.token("auditor1")
    assert verify(api)["ok"] is True
    events = all_events(app)
    return {"last": events[-1].seq, "completion": next(e.seq for e in events if e.event_type == "task_completed")}


def altered(seq: int) -> dict:
    return {"seq": seq, "reason": "content altered after it was written"}


UNSIGNED = "not signed with the audit key (altered and rehashed, or written without the key)"


def unlinked(seq: int) -> dict:
    return {"seq": seq, "reason": "does not link to the event before it (deleted or reordered)"}


@pytest.mark.parametrize("field", ["actor_name", "at"])
def test_altered_field_is_named(app, api, log, field):
    seq = log["completion"]
    with app.extensions["db_sessions"]() as session:
        event = session.get(AuditEvent, seq)
        value = "worker2" if field == "actor_name" else event.at - timedelta(seconds=1)
    run_sql(app, update(AuditEvent).where(AuditEvent.seq == seq).values({field: value}))
    assert verify(api)["first_broken"] == altered(seq)


def test_deleted_last_event_is_named_by_its_seq(app, api, log):
    run_sql(app, "DELETE FROM audit_event WHERE seq = :seq", seq=log["last"])
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["events_checked"] == log["last"] - 1
    assert verdict["first_broken"] == {"seq": log["last"], "reason": "events missing at the end of the log"}


def test_swapped_seq_values_are_named(app, api, log):
    a, b = log["completion"], log["completion"] + 1
    for old, new in ((a, -1), (b, a), (-1, b)):  # through a free value: seq is the primary key
        run_sql(app, "UPDATE audit_event SET seq = :new WHERE seq = :old", old=old, new=new)
    assert verify(api)["first_broken"] == unlinked(a)


def forged(app, seq: int, prev_hash: str, valid_hash: bool = True) -> dict:
    """A made-up completion by worker1 at `seq`, linked to `prev_hash`; hashed like a real one if asked."""
    with app.extensions["db_sessions"]() as session:
        model = session.get(AuditEvent, first_completion(session))  # a real event to borrow an instance and a time from
        worker = session.scalar(select(User.id).where(User.username == "worker1"))
        entry = AuditEvent(seq=seq, at=model.at, actor_id=worker, actor_name="worker1", event_type="task_completed",
                           summary="", instance_id=model.instance_id, task_id=None, task_bpmn_id="resolve_need",
                           task_name="办理", data_changes={"resolution": [None, "已全部解决"]}, prev_hash=prev_hash)
    entry.hash = event_hash(entry) if valid_hash else "f" * 64
    return {c.key: getattr(entry, c.key) for c in AuditEvent.__table__.columns}


def first_completion(session) -> int:
    return session.scalar(select(AuditEvent.seq).where(AuditEvent.event_type == "task_completed").limit(1))


def hash_of(app, seq: int) -> str:
    with app.extensions["db_sessions"]() as session:
        return session.get(AuditEvent, seq).hash


def test_forged_event_inserted_mid_log_breaks_the_next_link(app, api, log):
    k = log["completion"] + 1
    for seq in range(log["last"], k - 1, -1):  # make room, highest first: seq is the primary key
        run_sql(app, "UPDATE audit_event SET seq = :new WHERE seq = :old", old=seq, new=seq + 1)
    run_sql(app, AuditEvent.__table__.insert().values(forged(app, k, hash_of(app, k - 1))))
    # The forgery links to its predecessor and hashes right, but it cannot carry the keyed MAC.
    assert verify(api)["first_broken"] == {"seq": k, "reason": UNSIGNED}


def test_forged_event_appended_with_a_made_up_hash_is_named(app, api, log):
    seq = log["last"] + 1
    run_sql(app, AuditEvent.__table__.insert().values(forged(app, seq, hash_of(app, log["last"]), valid_hash=False)))
    assert verify(api)["first_broken"] == altered(seq)


def test_forged_event_appended_with_a_valid_hash_is_named(app, api, log):
    seq = log["last"] + 1
    run_sql(app, AuditEvent.__table__.insert().values(forged(app, seq, hash_of(app, log["last"]))))
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["first_broken"]["seq"] == seq
