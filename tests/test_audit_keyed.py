"""The keyed audit chain: an attacker who can write the tables but lacks AUDIT_KEY cannot rewrite history
unnoticed, even by recomputing every hash with the public function; sign-ins and sign-outs are audited."""
import re

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text, update

from app import create_app
from app.migrate import alembic_config, upgrade
from app.workflow.models.audit import AuditEvent, AuditHead
from app.workflow.audit import HEAD_ID, event_hash, verify_chain
from api_client import DEMO_PASSWORD
from factories import assessed_need
from helpers import audit_verdict as verify
from helpers import csrf_of, events_of, run_sql, sign_in

UNSIGNED = "not signed with the audit key (altered and rehashed, or written without the key)"
HEAD_UNSIGNED = "the chain's end is not signed with the audit key (events cut off the end?)"
WRONG = "not-the-demo-password-9"


@pytest.fixture
def log(app, api) -> dict:
    """A need taken through two steps; the auditor's token is issued first, so verifying appends nothing."""
    assessed_need(api)
    api.token("auditor1")
    with app.extensions["db_sessions"]() as session:
        seqs = list(session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        completion = session.scalar(select(AuditEvent.seq).where(AuditEvent.event_type == "task_completed")
                                    .order_by(AuditEvent.seq).limit(1))
    return {"last": seqs[-1], "completion": completion}


def recompute_from(app, seq: int) -> None:
    """What an attacker with table access but no key can do: rehash `seq` and every later event with the
    public hash function, relink them, and move the head to the new end (the MACs cannot be redone)."""
    with app.extensions["db_sessions"]() as session:
        prev = session.get(AuditEvent, seq - 1).hash if seq > 1 else "0" * 64
        for entry in session.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)):
            entry.prev_hash = prev
            entry.hash = prev = event_hash(entry)
        head = session.get(AuditHead, HEAD_ID)
        head.last_hash = prev
        session.commit()


def verify_page(api) -> tuple[str, str | None]:
    """The verify page's verdict as auditor1: (data-ok, data-seq)."""
    assert sign_in(api.client, "auditor1").status_code == 302
    html = api.client.get("/audit/verify").get_data(as_text=True)
    found = re.search(r'id="verify-result" data-ok="(\w+)"(?: data-seq="(\d+)")?', html)
    return found.group(1), found.group(2)


def test_untouched_chain_verifies(api, log):
    verdict = verify(api)
    assert verdict["ok"] is True and verdict["first_broken"] is None and verdict["events_checked"] == log["last"]
    assert verdict["keyed"] == "hmac-sha256"
    assert verify_page(api) == ("true", None)


def test_edited_and_recomputed_chain_is_named(app, api, log):
    seq = log["completion"]
    run_sql(app, update(AuditEvent).where(AuditEvent.seq == seq).values(
        data_changes={"reasonable": [None, False], "basis": [None, "ok"]}))
    recompute_from(app, seq)
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["events_checked"] == seq - 1
    assert verdict["first_broken"] == {"seq": seq, "reason": UNSIGNED}
    assert verify_page(api) == ("false", str(seq))


def test_edited_actor_recomputed_from_the_first_event_is_named(app, api, log):
    run_sql(app, update(AuditEvent).where(AuditEvent.seq == 1).values(actor_name="intruder"))
    recompute_from(app, 1)
    assert verify(api)["first_broken"] == {"seq": 1, "reason": UNSIGNED}


def test_events_cut_off_the_end_with_the_head_moved_are_noticed(app, api, log):
    run_sql(app, "DELETE FROM audit_event WHERE seq = :seq", seq=log["last"])
    with app.extensions["db_sessions"]() as session:
        new_end = session.get(AuditEvent, log["last"] - 1).hash
    run_sql(app, update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_seq=log["last"] - 1, last_hash=new_end))
    verdict = verify(api)
    assert verdict["ok"] is False and verdict["first_broken"] == {"seq": log["last"], "reason": HEAD_UNSIGNED}


def test_the_key_is_not_in_the_database(app, database_url, log):
    other = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "AUDIT_KEY": "another-key-" * 3})
    try:
        with other.extensions["db_sessions"]() as session:
            assert verify_chain(session)["first_broken"] == {"seq": 1, "reason": UNSIGNED}
    finally:
        other.extensions["db_engine"].dispose()


def below_0012(url: str) -> str:
    return ScriptDirectory.from_config(alembic_config(url)).get_revision("0012").down_revision


def test_migration_signs_an_intact_older_log(app, api, database_url, log):
    app.extensions["db_engine"].dispose()
    command.downgrade(alembic_config(database_url), below_0012(database_url))  # as before the chain was keyed
    upgrade(database_url, audit_key="test-audit-key-for-the-migration!")
    assert verify(api)["first_broken"] == {"seq": 1, "reason": UNSIGNED}  # signed with the key given, not this app's
    migrated = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test",
                           "AUDIT_KEY": "test-audit-key-for-the-migration!"})
    try:
        with migrated.extensions["db_sessions"]() as session:
            assert verify_chain(session) | {"keyed": None} == {
                "ok": True, "events_checked": log["last"], "first_broken": None, "keyed": None}
    finally:
        migrated.extensions["db_engine"].dispose()


def test_migration_leaves_an_already_broken_older_log_broken(app, api, database_url, log):
    app.extensions["db_engine"].dispose()
    command.downgrade(alembic_config(database_url), below_0012(database_url))
    seq = log["completion"]
    run_sql(app, f"UPDATE audit_event SET actor_name = 'intruder' WHERE seq = {seq}")  # no hash redone: it shows
    upgrade(database_url, audit_key="dev-only-audit-key-change-me")  # the app fixture's key
    verdict = verify(api)
    assert verdict["events_checked"] == seq - 1
    assert verdict["first_broken"] == {"seq": seq, "reason": "content altered after it was written"}
    recompute_from(app, seq)  # rehashing it now does not help: the migration did not sign it
    assert verify(api)["first_broken"] == {"seq": seq, "reason": UNSIGNED}


@pytest.mark.parametrize("settings,message", [
    ({}, "AUDIT_KEY"),
    ({"AUDIT_KEY": "short"}, "AUDIT_KEY"),
    ({"AUDIT_KEY": "dev-only-audit-key-change-me"}, "AUDIT_KEY"),
    ({"AUDIT_KEY": "s" * 40}, "differ from SECRET_KEY"),
])
def test_production_refuses_to_start_without_its_own_audit_key(tmp_path, settings, message):
    base = {"APP_ENV": "production", "SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"}
    with pytest.raises(RuntimeError, match=message):
        create_app(base | settings)
    started = create_app(base | {"AUDIT_KEY": "k" * 40})
    started.extensions["db_engine"].dispose()


def test_page_sign_in_failure_and_sign_out_are_audited(app, client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    failed = client.post("/login", data={"username": "worker1", "password": WRONG, "csrf_token": token})
    assert failed.status_code == 401
    assert sign_in(client, "worker1").status_code == 302
    assert client.post("/logout", data={"csrf_token": csrf_of(client.get("/").get_data(as_text=True))}).status_code == 302
    [miss], [signed_in], [signed_out] = (events_of(app, t) for t in ("sign_in_failed", "user_signed_in", "user_signed_out"))
    assert miss.actor_id is None and miss.actor_name == "anonymous" and miss.instance_id is None
    assert miss.data_changes == {"via": "web", "address": "127.0.0.1", "username": "worker1"}
    assert (signed_in.actor_name, signed_in.data_changes) == ("worker1", {"via": "web", "address": "127.0.0.1"})
    assert (signed_out.actor_name, signed_out.data_changes) == ("worker1", {"via": "web", "address": "127.0.0.1"})
    assert miss.seq < signed_in.seq < signed_out.seq


def test_api_sign_in_and_failure_are_audited_without_the_password(app, api):
    refused = api.client.post("/api/tokens", json={"username": "nobody-here", "password": WRONG})
    assert refused.status_code == 401
    api.token("worker1")
    [miss], [signed_in] = events_of(app, "sign_in_failed"), events_of(app, "user_signed_in")
    assert miss.data_changes == {"via": "api", "address": "127.0.0.1", "username": "nobody-here"}
    assert signed_in.actor_name == "worker1" and signed_in.data_changes["via"] == "api"
    with app.extensions["db_engine"].connect() as conn:
        rows = conn.execute(text("SELECT * FROM audit_event")).all()
    assert rows and not any(WRONG in repr(row) or DEMO_PASSWORD in repr(row) for row in rows)
    assert verify(api)["ok"] is True


def test_auditors_see_sign_in_events_and_workers_do_not(app, api):
    assert api.client.post("/api/tokens", json={"username": "worker1", "password": WRONG}).status_code == 401
    listed = api.get("/api/audit/events?type=sign_in_failed", "auditor1").get_json()
    assert listed["total"] == 1 and listed["events"][0]["data_changes"]["username"] == "worker1"
    assert api.get("/api/audit/events", "worker1").status_code == 403
    assert sign_in(api.client, "auditor1").status_code == 302
    html = api.client.get("/audit/events").get_data(as_text=True)
    assert 'data-type="sign_in_failed"' in html and 'data-type="user_signed_in"' in html and "登录失败" in html
    assert "账号与系统事件" in api.client.get("/audit").get_data(as_text=True)
    assert sign_in(api.client, "worker1").status_code == 302
    assert api.client.get("/audit/events").status_code == 403
