"""SQLite writers queue for the write lock: the one waiting begins once the other commits, never errs."""
import threading

import pytest
from sqlalchemy import text

from app import db


@pytest.fixture
def engine(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'writers.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE entry (writer TEXT)"))
    yield engine
    engine.dispose()


def _write(engine, name: str) -> None:
    with db.writing(), engine.begin() as conn:
        conn.execute(text("INSERT INTO entry VALUES (:name)"), {"name": name})


def _hold_write_lock(engine, taken: threading.Event, release: threading.Event) -> None:
    with db.writing(), engine.begin() as conn:
        conn.execute(text("INSERT INTO entry VALUES ('first')"))
        taken.set()
        release.wait(5)


@pytest.mark.parametrize("fast_retry_seconds", [2.0, 0.01], ids=["short-waits", "past-the-fast-retries"])
def test_a_second_writer_waits_for_the_first_and_then_writes(engine, monkeypatch, fast_retry_seconds):
    monkeypatch.setattr(db, "FAST_RETRY_SECONDS", fast_retry_seconds)
    taken, release = threading.Event(), threading.Event()
    first = threading.Thread(target=_hold_write_lock, args=(engine, taken, release))
    first.start()
    assert taken.wait(5)
    second = threading.Thread(target=_write, args=(engine, "second"))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # queued behind the first writer, not failed
    release.set()
    first.join(5)
    second.join(5)
    with engine.connect() as conn:
        assert conn.scalars(text("SELECT writer FROM entry ORDER BY rowid")).all() == ["first", "second"]


def test_the_busy_timeout_is_restored_once_the_write_lock_is_taken(engine):
    with db.writing(), engine.begin() as conn:
        assert conn.scalar(text("PRAGMA busy_timeout")) == db.BUSY_TIMEOUT_MS
