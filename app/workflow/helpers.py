"""Functions diagrams may call. They run inside an operation's transaction, bound by `bound_to`.

Each acts only on its own case: the running instance's community and the records its business key
names. A call reaching for another case's record raises `OutsideCase`, so the script fails and the
person's request is refused with nothing changed. Every write is audited on the running instance,
naming the acting person."""
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.errors import Refusal
from app.workflow.models.instance import Instance
from app.people.org import Organisation
from app.people.models import User
from app.workflow import audit
from app.workflow.notifications import notify, users_for

CHINA = timezone(timedelta(hours=8))
HANDLING_WEEKDAY, HANDLING_TIME = 0, time(9, 0)  # 一般事项定期办: Mondays at 09:00, China time
# Links and markup never reach a public notice: tags, markdown links, entities and web addresses are taken
# out (a need's title may carry them, and refusing it would stall the real case it belongs to).
_TLDS = "com|cn|net|org|top|xyz|info|io|cc|me|co|app|link|site|vip|shop|club|online|ly|gl|to|tk|ru|biz"
_TAG = re.compile(r"<[^<>]*>")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ENTITY = re.compile(r"&#?\w+;?")
_LINK = re.compile(r"[!-~]*?(?:\b(?:https?|ftp|file|javascript|data|mailto|vbscript)\s*:|\bwww\.|//[a-z0-9])[!-~]*"
                   rf"|[!-~]*?\b[a-z0-9-]+\.(?:{_TLDS})\b[!-~]*", re.I | re.A)
LINK_REMOVED = "（链接已删除）"


@dataclass(frozen=True)
class Case:
    """The instance a helper runs for: its community and business key bound what it may touch."""

    instance: Instance

    @property
    def community(self) -> Organisation:
        """The instance's community (set before the first run, so known at start too)."""
        return self.instance.community

    @property
    def key(self) -> str | None:
        """The instance's business key (a need's tracking code is also its project's key)."""
        return self.instance.business_key


class OutsideCase(Refusal):
    """A helper was asked to act on a record outside the running instance's case."""


_context: ContextVar[tuple[Session, User | None, Case] | None] = ContextVar("diagram_helpers", default=None)
_after_run: ContextVar[list | None] = ContextVar("diagram_helpers_after_run", default=None)
_verdicts: ContextVar[list | None] = ContextVar("diagram_helpers_verdicts", default=None)


@dataclass
class Run:
    """What an engine run has to tell the person whose request ran it (a meeting's verdict, …)."""

    verdicts: list[dict]

    @property
    def verdict(self) -> dict | None:
        """The last verdict a helper reported during the run, if any."""
        return self.verdicts[-1] if self.verdicts else None


@contextmanager
def bound_to(session: Session, actor: User | None, instance: Instance):
    """Let diagram functions reach this transaction, for this instance's case, while the engine runs.

    Work a function defers with `after_run` happens once the engine has stopped, still inside
    this transaction: starting another instance from inside a running one would nest engines.
    Audit events the run queued without an instance or actor get the running instance and the
    acting person, so each write a helper makes shows in that instance's history."""
    queued = len(session.info.get("audit_pending", ()))
    token, deferred = _context.set((session, actor, Case(instance))), _after_run.set([])
    run = Run(verdicts=[])
    told = _verdicts.set(run.verdicts)
    try:
        yield run
        pending = _after_run.get()
    finally:
        _context.reset(token)
        _after_run.reset(deferred)
        _verdicts.reset(told)
        _attribute_events(session, queued, actor, instance)
    for action in pending:
        action()


def _attribute_events(session: Session, queued: int, actor: User | None, instance: Instance) -> None:
    """Name the running instance and the acting person on the events queued during the run."""
    for item in session.info.get("audit_pending", [])[queued:]:
        item["instance"] = item["instance"] or instance
        if item["actor"] is None and item["actor_name"] is None:
            item["actor"] = actor


def bound() -> tuple[Session, User | None]:
    """The session and actor of the operation running the engine now."""
    bound = _context.get()
    if bound is None:
        raise RuntimeError("this function can only run inside an operation")
    return bound[0], bound[1]


def case() -> Case:
    """The case of the instance the engine runs now."""
    bound = _context.get()
    if bound is None:
        raise RuntimeError("this function can only run inside an operation")
    return bound[2]


def own_community(code) -> Organisation:
    """The case's community, if `code` names it; else the call is refused."""
    community = case().community
    if str(code) != community.code:
        raise OutsideCase("community %(code)s is not this case's community (%(own)s): "
                          "a process acts only on its own case", code=code, own=community.code)
    return community


def own_key(key) -> str:
    """The case's business key, if `key` is it; else the call is refused."""
    expected = case().key
    if expected is None or str(key) != expected:
        if expected is None:
            raise OutsideCase("%(key)s is not this case (an instance without a business key): "
                              "a process acts only on its own case", key=key)
        raise OutsideCase("%(key)s is not this case (%(own)s): a process acts only on its own case",
                          key=key, own=expected)
    return expected


def own_record(record, what: str):
    """`record` if it belongs to the case's community; else the call is refused."""
    if record is None or record.community_id != case().community.id:
        raise OutsideCase("%(what)s is not a record of this case's community: a process acts only on its own case",
                          what=what)
    return record


def member_of_case(session: Session, username, what: str = "person") -> User:
    """The user named, if they belong to the case's community (or one of its grids); else refused."""
    community = case().community
    user = session.scalars(select(User).where(User.username == str(username))).first()
    org = session.get(Organisation, user.org_id) if user is not None else None
    if org is None or community.id not in (org.id, org.parent_id if org.kind == "grid" else None):
        raise OutsideCase("%(user)s is not a volunteer of this case's community (%(own)s)" if what == "volunteer"
                          else "%(user)s is not a person of this case's community (%(own)s)",
                          user=username, own=community.code)
    return user


def public_text(text) -> str:
    """Text a process posts publicly, with links and markup taken out (shown as plain text)."""
    text = _MARKDOWN_LINK.sub(r"\1", _TAG.sub("", str(text)))
    text = _LINK.sub(LINK_REMOVED, _ENTITY.sub("", text))
    return text.replace("<", "＜").replace(">", "＞")


def record_write(event_type: str, *, summary: str = "", changes: dict | None = None, instance=None) -> None:
    """Audit a helper's write on the running instance (or `instance`), naming the acting person."""
    session, actor = bound()
    audit.record(session, event_type, actor, instance=instance or case().instance, summary=summary,
                 changes=changes)


def report_verdict(verdict: dict) -> None:
    """Tell the person whose request runs the engine what the rules decided (answered with the completion)."""
    reported = _verdicts.get()
    if reported is None:
        raise RuntimeError("this function can only run inside an operation")
    reported.append(dict(verdict))


def after_run(action) -> None:
    """Run `action()` when the engine run in progress has stopped (same transaction)."""
    pending = _after_run.get()
    if pending is None:
        raise RuntimeError("this function can only run inside an operation")
    pending.append(action)


def reads_only(function):
    """Mark a diagram helper that only reads: a task's `liveData` script may call it (and no other)."""
    function.reads_only = True
    return function


@reads_only
def case_key() -> str:
    """This instance's business key (a need's tracking code, a trial instance's key)."""
    return case().key or ""


def notify_role(role, community, message) -> bool:
    """Notify everyone holding `role` in the case's community (in-app and SMS outbox)."""
    session, _ = bound()
    found, message = own_community(community), str(message)
    users = users_for(session, str(role), found.id)
    notify(session, users, message)
    record_write("notification_sent", summary=f"{role}: {message}",
                 changes={"role": [None, str(role)], "recipients": [None, len(users)]})
    return True


@reads_only
def now() -> str:
    """The app clock's current instant in China time, ISO 8601 (so now()[:10] is today's date here)."""
    return clock.now().astimezone(CHINA).isoformat()


@reads_only
def chinese_day(iso) -> str:
    """An ISO date (or the date part of an instant) as people write it: 2026-12-05 → 2026年12月5日."""
    text = str(iso or "")[:10]
    try:
        year, month, day = (int(part) for part in text.split("-"))
        date(year, month, day)  # 2026-13-45 is no day: left as it was written
    except ValueError:
        return text
    return f"{year}年{month}月{day}日"


HELPERS = {f.__name__: f for f in (notify_role, now, case_key, chinese_day)}
