"""Pooled PostgreSQL connections: a dead one is replaced before use; one in steady use costs no ping."""
import pytest
from sqlalchemy import create_engine, text

from app import db
from app.config import normalise_database_url
from backends import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set: PostgreSQL tests skipped")


@pytest.fixture
def engine():
    engine = db.make_engine(normalise_database_url(PG_URL))
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def _count_pings(engine, monkeypatch) -> list:
    pings, ping = [], engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or ping(conn))
    return pings


def test_a_connection_killed_while_idle_is_replaced_before_use(engine, monkeypatch):
    killed = _backend_pid(engine)
    admin = create_engine(normalise_database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed}) is True
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had sat idle a while

    replacement = _backend_pid(engine)  # no error: the check found it dead and the pool reconnected

    assert replacement != killed


def test_a_connection_back_from_steady_use_is_not_pinged(engine, monkeypatch):
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)  # a new connection is checked once
    for _ in range(5):
        assert _backend_pid(engine) == first
    assert len(pings) == 1


def test_a_connection_idle_past_the_limit_is_pinged_again(engine, monkeypatch):
    pings = _count_pings(engine, monkeypatch)
    _backend_pid(engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(engine)
    _backend_pid(engine)
    assert len(pings) == 3
