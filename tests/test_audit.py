"""The audit chain: every event links to the one before; any alteration, deletion or reordering shows."""
import pytest
from sqlalchemy import select, update

from app.workflow.models.audit import AuditEvent
from factories import assessed_need
from helpers import audit_verdict as verify
from helpers import run_sql


@pytest.fixture
def resolved_need(api):
    return assessed_need(api)


def test_intact_chain_verifies(api, resolved_need):
    verdict = verify(api)
    assert verdict["ok"] is True and verdict["first_broken"] is None
    assert verdict["events_checked"] >= 4  # started, two completions, token issues


def test_altered_event_is_named(app, api, resolved_need):
    seq = first_completion_seq(app)
    run_sql(app, update(AuditEvent).where(AuditEvent.seq == seq).values(
        data_changes={"reasonable": [None, False], "basis": [None, "ok"]}))
    verdict = verify(api)
    assert verdict["ok"] is False
    assert verdict["first_broken"] == {"seq": seq, "reason": "content altered after it was written"}


def test_deleted_event_is_named(app, api, resolved_need):
    seq = first_completion_seq(app)
    run_sql(app, "DELETE FROM audit_event WHERE seq = :seq", seq=seq)
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["first_broken"]["seq"] == seq + 1


def test_deleted_last_event_is_noticed(app, api, resolved_need):
    api.token("auditor1")  # issue the auditor's token before the log is cut
    with app.extensions["db_sessions"]() as session:
        last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    run_sql(app, "DELETE FROM audit_event WHERE seq = :seq", seq=last)
    verdict = verify(api)
    assert verdict["ok"] is False and "missing at the end" in verdict["first_broken"]["reason"]


def test_reordered_events_are_noticed(app, api, resolved_need):
    seq = first_completion_seq(app)
    with app.extensions["db_sessions"]() as session:
        a, b = (session.get(AuditEvent, s) for s in (seq, seq + 1))
        swapped = [(a.seq, b.event_type, b.task_bpmn_id, b.data_changes), (b.seq, a.event_type, a.task_bpmn_id, a.data_changes)]
    for s, event_type, bpmn_id, changes in swapped:
        run_sql(app, update(AuditEvent).where(AuditEvent.seq == s).values(
            event_type=event_type, task_bpmn_id=bpmn_id, data_changes=changes))
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["first_broken"]["seq"] == seq


def test_only_auditors_and_admins_verify(api):
    assert api.get("/api/audit/verify", "worker1").status_code == 403
    assert api.get("/api/audit/verify", "admin").status_code == 200
    assert api.client.get("/api/audit/verify").status_code == 401


def test_history_names_actor_task_and_changes(api, resolved_need):
    events = api.get(f"/api/instances/{resolved_need['instance_id']}/history", "auditor1").get_json()["events"]
    completion = next(e for e in events if e["event_type"] == "task_completed")
    assert completion["actor"] == "worker1"
    assert completion["task"]["bpmn_id"] == "assess_reasonableness"
    assert completion["data_changes"] == {"reasonable": [None, True], "basis": [None, "ok"]}
    assert all(len(e["hash"]) == 64 for e in events)


def first_completion_seq(app) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(AuditEvent.seq).where(AuditEvent.event_type == "task_completed")
                              .order_by(AuditEvent.seq).limit(1))


def _types(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.event_type).order_by(AuditEvent.seq)))


def test_a_savepoint_neither_writes_nor_drops_the_events_queued_around_it(app):
    """Events reach the chain at the real commit, in order; a savepoint rolled back drops only its own."""
    from app.workflow import audit
    sessions = app.extensions["db_sessions"]
    with sessions() as session:
        before = len(_types(session))
        audit.record(session, "before_savepoint", None, summary="kept")
        with session.begin_nested():
            audit.record(session, "inside_kept_savepoint", None, summary="kept")
        assert len(_types(session)) == before  # releasing the savepoint wrote nothing yet
        savepoint = session.begin_nested()
        audit.record(session, "inside_dropped_savepoint", None, summary="dropped")
        savepoint.rollback()
        audit.record(session, "after_savepoint", None, summary="kept")
        session.commit()
        assert _types(session)[before:] == ["before_savepoint", "inside_kept_savepoint", "after_savepoint"]
    with sessions() as session:
        _types(session)  # an operation reads before it records: the transaction has begun
        audit.record(session, "rolled_back", None, summary="dropped")
        session.rollback()
        session.commit()
        assert "rolled_back" not in _types(session)
