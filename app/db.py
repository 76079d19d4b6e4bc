"""Database engine, sessions and the declarative base shared by every model."""
import sqlite3
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite takes its write lock up front for writing requests (BEGIN IMMEDIATE), so two writers
# queue on busy_timeout instead of one failing with "database is locked" on lock upgrade.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


def one_or_many(rows: list[dict]) -> dict | list[dict]:
    """Parameters for one execute: one row alone, as a list (even of one) takes the slower executemany path."""
    return rows[0] if len(rows) == 1 else rows


# How long a writer waits for the database's write lock (SQLite) or a row or table lock (PostgreSQL)
# before it gives up and the request answers 503 with Retry-After: a few seconds, never half a minute.
# SQLite: a writer waiting to begin polls at short intervals for FAST_RETRY_SECONDS (see
# _begin_immediate), then SQLite's busy handler waits up to BUSY_TIMEOUT_MS more.
BUSY_TIMEOUT_MS = 4_000
FAST_RETRY_SECONDS = 1.0
LOCK_TIMEOUT_MS = 5_000  # PostgreSQL's lock_timeout: the same few seconds in all
RETRY_AFTER_SECONDS = 2  # what a refused writer is told to wait
# PostgreSQL SQLSTATEs of a lock not had in time, or a deadlock broken by the server: try again later.
_PG_LOCK_STATES = frozenset({"55P03", "40P01"})
# A pooled connection idle longer than this is checked before use (see _ping_after_idle).
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and manual BEGIN handling."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    # Set once per connection rather than per transaction (SET LOCAL): the same bound, no round trip.
    engine = create_engine(url, pool_size=10, max_overflow=10,
                           connect_args={"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"})
    _ping_after_idle(engine)
    return engine


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection with a round trip when it sat idle a while, and replace it if dead.

    Like `pool_pre_ping`, but a connection back from the pool within PING_AFTER_IDLE_SECONDS has just
    proved itself: pinging it would cost a round trip on every request for nothing. (A server restart
    under way fails the requests in flight either way.)"""
    @event.listens_for(engine, "checkin")
    def idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def alive(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is not None and time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(f"pooled connection is dead: {err}") from err  # the pool reconnects


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if write_intent.get():
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection) -> None:
    """Take SQLite's write lock, trying again every fraction of a millisecond while another writer has it.

    SQLite's own busy handler sleeps 1, 2, 5, 10, 15... ms between tries, so a writer queued behind a
    2 ms transaction often slept 8: with several app processes, the database sat idle between writers.
    Past FAST_RETRY_SECONDS the busy handler takes over again (a long writer; coarse sleeps cost nothing)."""
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline, pause = time.monotonic() + FAST_RETRY_SECONDS, 0.0001
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err):
                    break  # raised again below by SQLAlchemy, wrapped like any other statement's error
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_lock_timeout(err: BaseException) -> bool:
    """Whether a database error means a lock was not had in time (SQLite busy, PostgreSQL lock_timeout)."""
    orig = getattr(err, "orig", None) or err
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return getattr(orig, "sqlstate", None) in _PG_LOCK_STATES


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def writing():
    """Mark the work inside as a writer (SQLite: take the write lock when the transaction begins)."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)
