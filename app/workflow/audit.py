"""Audit: operations record events; at commit they are chained, each hashing the one before.

The hash is public (SHA-256 of the content and the previous hash), so anyone can recompute the chain;
someone with write access to the table could therefore edit an event and recompute every later hash.
Each event also stores `mac`, an HMAC-SHA256 of its hash under AUDIT_KEY, a key the database never holds,
and the head row a MAC of the chain's end: without the key an edited event cannot be re-signed, and
verification names it. The key reaches this module through the session's `info` (see extensions)."""
import hashlib
import hmac
import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.orm import Session

from app.db import one_or_many, utcnow
from app.workflow.models.audit import AuditEvent, AuditHead
from app.workflow.models.instance import Instance
from app.people.models import User

GENESIS = "0" * 64
KEY_INFO = "audit_key"  # where a session's info holds the HMAC key (bytes)
_acting_as: ContextVar[str | None] = ContextVar("audit_acting_as", default=None)
HEAD_ID = 1
# What an event's hash covers: everything but the hash itself.
_HASHED = ("seq", "at", "actor_id", "actor_name", "event_type", "summary", "instance_id", "task_id",
           "task_bpmn_id", "task_name", "data_changes", "prev_hash")

# Built once: every write request runs these, and building a statement costs more than running it here.
_HEAD = AuditHead.__table__
_LOCK_HEAD = select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_APPEND = insert(AuditEvent.__table__)
_MOVE_HEAD = update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(
    last_seq=bindparam("new_seq"), last_hash=bindparam("new_hash"), last_mac=bindparam("new_mac"))


def record(session: Session, event_type: str, actor: User | None, *, instance: Instance | None = None,
           task=None, changes: dict | None = None, summary: str = "", actor_name: str | None = None) -> None:
    """Queue an audit event; it is written, chained, in the same transaction at commit.

    `actor_name` names an actor without an account (e.g. a resident identified by tracking code);
    without one, an event with no actor goes to whoever `acting_as` names, else to "system"."""
    session.info.setdefault("audit_pending", []).append({
        "at": utcnow(), "actor": actor, "actor_name": actor_name or (None if actor else _acting_as.get()),
        "event_type": event_type, "instance": instance,
        "task": task, "changes": _plain(changes or {}), "summary": summary[:300],
    })


@contextmanager
def acting_as(name: str):
    """Events recorded without an account inside the block name `name` (a resident, say), not "system".

    The engine records some events deep inside an operation (an instance completed, tasks cancelled);
    this way they still name the person whose action set them off."""
    token = _acting_as.set(name)
    try:
        yield
    finally:
        _acting_as.reset(token)


def install(session_class) -> None:
    """Chain pending events into the log just before each commit of these sessions."""
    if not event.contains(session_class, "before_commit", _append_pending):
        event.listen(session_class, "before_commit", _append_pending)
        event.listen(session_class, "after_transaction_create", _mark_savepoint)
        event.listen(session_class, "after_soft_rollback", _drop_pending)


def ensure_head(session: Session) -> None:
    """Create the chain's head row if the database has none."""
    if session.get(AuditHead, HEAD_ID) is None:
        session.add(AuditHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS, last_mac=head_mac(audit_key(session), 0, GENESIS)))


def audit_key(session: Session) -> bytes:
    """The HMAC key this session signs and verifies the chain with (set by the app's session factory)."""
    key = session.info.get(KEY_INFO)
    if not key:
        raise RuntimeError("this session has no audit key: open it from app.extensions['db_sessions']")
    return key


def event_mac(key: bytes, event_hash_hex: str) -> str:
    """The keyed code of one event: HMAC-SHA256 of its (public) hash."""
    return hmac.digest(key, b"event:" + event_hash_hex.encode(), "sha256").hex()


def head_mac(key: bytes, seq: int, last_hash: str) -> str:
    """The keyed code of the chain's end, so cutting events off the end and moving the head shows."""
    return hmac.digest(key, f"head:{seq}:{last_hash}".encode(), "sha256").hex()


def _mark_savepoint(session: Session, transaction) -> None:
    # A savepoint remembers how many events were queued when it began: rolled back, it drops only its own.
    if transaction.nested:
        session.info.setdefault("audit_marks", {})[id(transaction)] = len(session.info.get("audit_pending", ()))


def _drop_pending(session: Session, previous_transaction) -> None:
    marks = session.info.get("audit_marks", {})
    if previous_transaction.nested:
        mark = marks.pop(id(previous_transaction), None)
        if mark is not None:
            del session.info.get("audit_pending", [])[mark:]
    elif previous_transaction.parent is None:
        session.info.pop("audit_pending", None)
        marks.clear()


def _append_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the events wait for the real commit
        return
    session.info.pop("audit_marks", None)
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    session.flush()  # instance ids exist now
    # The head row is locked last and briefly: every writer appends through it, in order.
    key = audit_key(session)
    seq, prev = session.execute(_LOCK_HEAD).one()
    rows = []
    for item in pending:
        row = _row_from(item, seq + 1, prev, key)
        seq, prev = row["seq"], row["hash"]
        rows.append(row)
    session.execute(_APPEND, one_or_many(rows))
    session.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev, "new_mac": head_mac(key, seq, prev)})


def _row_from(item: dict, seq: int, prev_hash: str, key: bytes) -> dict:
    """The stored row of a queued event, chained after `prev_hash` (a plain dict: no ORM object)."""
    actor, task, instance = item["actor"], item["task"], item["instance"]
    row = {
        "seq": seq, "at": item["at"], "actor_id": actor.id if actor else None,
        "actor_name": actor.username if actor else (item["actor_name"] or "system"),
        "event_type": item["event_type"], "summary": item["summary"],
        "instance_id": instance.id if instance else None, "task_id": getattr(task, "id", None),
        "task_bpmn_id": getattr(task, "bpmn_id", None), "task_name": getattr(task, "name", None),
        "data_changes": item["changes"], "prev_hash": prev_hash,
    }
    row["hash"] = _content_hash(row)
    row["mac"] = event_mac(key, row["hash"])
    return row


def event_hash(entry: AuditEvent) -> str:
    """The hash of an event's content together with the previous event's hash."""
    return _content_hash({name: getattr(entry, name) for name in _HASHED})


def _content_hash(fields: dict) -> str:
    content = {name: fields[name] for name in _HASHED} | {"at": fields["at"].astimezone(UTC).isoformat()}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_chain(session: Session) -> dict:
    """Walk the whole log: {ok, events_checked, first_broken, keyed} (first_broken names seq and why)."""
    key = audit_key(session)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))
    try:
        checked, broken = _walk(events, key)
    finally:
        events.close()  # a server-side cursor left open on an early return would leak
    if broken is None:
        broken = _head_problem(session, checked, key)
    return {"ok": broken is None, "events_checked": checked, "first_broken": broken, "keyed": "hmac-sha256"}


def _walk(events, key: bytes) -> tuple[int, dict | None]:
    expected_seq, prev, checked = 1, GENESIS, 0
    for entry in events:
        problem = _link_problem(entry, expected_seq, prev, key)
        if problem:
            return checked, {"seq": entry.seq, "reason": problem}
        checked += 1
        expected_seq, prev = entry.seq + 1, entry.hash
    return checked, None


def _head_problem(session: Session, checked: int, key: bytes) -> dict | None:
    """Compare the chain's end with its head row: events deleted from the end, or added past it."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return None
    if checked > head.last_seq:
        return {"seq": head.last_seq + 1, "reason": "event after the chain's head (appended outside the log)"}
    last = session.get(AuditEvent, checked) if checked else None
    if head.last_seq != checked or head.last_hash != (last.hash if last else GENESIS):
        return {"seq": checked + 1, "reason": "events missing at the end of the log"}
    if not _same(head.last_mac, head_mac(key, head.last_seq, head.last_hash)):
        return {"seq": checked + 1, "reason": "the chain's end is not signed with the audit key (events cut off the end?)"}
    return None


def _link_problem(entry: AuditEvent, expected_seq: int, prev: str, key: bytes) -> str | None:
    if entry.seq != expected_seq:
        return f"event {expected_seq} is missing"
    if entry.prev_hash != prev:
        return "does not link to the event before it (deleted or reordered)"
    if entry.hash != event_hash(entry):
        return "content altered after it was written"
    if not _same(entry.mac, event_mac(key, entry.hash)):
        return "not signed with the audit key (altered and rehashed, or written without the key)"
    return None


def _same(stored: str | None, expected: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, expected)


def _plain(value):
    """JSON-safe copy, so the stored value and the hashed value are the same."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# Events that belong to no instance (sign-ins, tokens, deployments, accounts, registers): the auditors'
# view of them, newest first, a page at a time.
OUTSIDE_PER_PAGE = 50


def events_outside_instances(session: Session, event_type: str | None = None, actor: str | None = None,
                             page: int = 1) -> tuple[int, list[AuditEvent]]:
    """(total, one page) of the events with no instance, newest first, filtered by type and actor name."""
    where = [AuditEvent.instance_id.is_(None)]
    if event_type:
        where.append(AuditEvent.event_type == event_type)
    if actor:
        where.append(AuditEvent.actor_name == actor)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where))
    rows = session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.seq.desc())
                           .limit(OUTSIDE_PER_PAGE).offset((max(page, 1) - 1) * OUTSIDE_PER_PAGE)).all()
    return total, list(rows)


def types_outside_instances(session: Session) -> list[str]:
    """The event types that occur without an instance, for the filter."""
    return list(session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id.is_(None))
                                .distinct().order_by(AuditEvent.event_type)))
