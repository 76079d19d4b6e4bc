"""Commands: `flask --app app db upgrade | setup | timers run | worker`."""
import os
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import clock
from app.db import is_lock_timeout, writing
from app.demo import backfill_departments, backfill_registers, is_empty, load_demo
from app.errors import OperationError
from app.migrate import upgrade
from app.workflow import audit
from app.workflow.timers import (
    MAX_TIMER_ATTEMPTS,
    begin_attempt,
    due_instance_ids,
    end_attempt,
    fail_instance,
    fire_instance_timers,
    schedule_annual_reviews,
)
from app.workflow.trial import ensure_trial_community
from app.workflow.versions import deploy_shipped

db_cli = AppGroup("db", help="Database schema.")
timers_cli = AppGroup("timers", help="Fire process timers.")
MAX_REASON_CHARS = 1000  # longest failure reason kept on an instance's audit event


def register_commands(app: Flask) -> None:
    """Add the commands to `flask`."""
    app.cli.add_command(db_cli)
    app.cli.add_command(timers_cli)
    app.cli.add_command(setup)
    app.cli.add_command(worker)


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every migration."""
    upgrade(current_app.config["SQLALCHEMY_URL"], audit_key=current_app.config["AUDIT_KEY"])
    click.echo("database is at the latest revision")


@click.command("setup")
@with_appcontext
@click.option("--demo/--no-demo", default=True, help="Load the demo dataset into an empty database.")
def setup(demo: bool):
    """Migrate, load the demo dataset if the database is empty, deploy changed shipped processes."""

    config = current_app.config
    upgrade(config["SQLALCHEMY_URL"], audit_key=config["AUDIT_KEY"])
    with writing(), current_app.extensions["db_sessions"]() as session:
        audit.ensure_head(session)
        ensure_trial_community(session)  # designers' trial instances run there, in production too
        if demo and is_empty(session):
            if config["APP_ENV"] == "production":
                raise click.ClickException("the demo dataset is refused when APP_ENV=production")
            load_demo(session, config["DEMO_PASSWORD"])
            click.echo("demo dataset loaded")
        elif demo and config["APP_ENV"] != "production":
            if backfill_registers(session):
                click.echo("demo registers added")
            if backfill_departments(session, config["DEMO_PASSWORD"]):
                click.echo("demo departments added")
        created = deploy_shipped(session, Path(config["PROCESSES_DIR"]), Path(config["FORMS_DIR"]))
        session.commit()
    for version in created:
        click.echo(f"deployed {version.definition.process_id} v{version.version}")


@timers_cli.command("run")
@click.option("--now", "now_text", default=None, help="Take time as this ISO 8601 instant.")
def timers_run(now_text: str | None):
    """Fire every timer due now (or at --now) and run the engine on."""
    click.echo(f"fired timers of {fire_due(_parse_now(now_text))} instance(s)")


@click.command("worker")
@with_appcontext
@click.option("--interval", default=5.0, help="Seconds between passes.")
def worker(interval: float):
    """Keep firing due timers."""
    click.echo(f"timer worker started; a pass every {interval:g} s")
    while True:
        if hasattr(os, "fork"):
            _pass_in_child()
        else:
            _one_pass()
        time.sleep(interval)


def _one_pass() -> bool:
    """One timer pass, reporting what it fired; False when it failed."""
    try:
        fired = fire_due(None)
    except Exception as err:  # noqa: BLE001 (the database away, say: the next pass tries again)
        click.echo(f"timer pass failed: {type(err).__name__}: {err}", err=True)
        return False
    if fired:
        click.echo(f"fired timers of {fired} instance(s)")
    return True


def _pass_in_child() -> None:
    """Run one pass in a forked child: the hard CPU stop (engine.hardstop) may kill it, never the worker."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            # Connections opened before the fork belong to the parent: the child opens its own.
            current_app.extensions["db_engine"].dispose(close=False)
            code = 0 if _one_pass() else 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        why = " (the hard CPU-time stop)" if signum == getattr(signal, "SIGPROF", None) else ""
        click.echo(f"timer pass was killed by {signal.Signals(signum).name}{why}; "
                   "the instance it was running is counted and retried", err=True)


def fire_due(now: datetime | None) -> int:
    """One pass: each due instance in its own transaction, skipping ones another worker holds."""

    sessions = current_app.extensions["db_sessions"]
    instant = now or clock.now()
    fired, seen = 0, set()
    with writing(), sessions() as session:
        try:
            schedule_annual_reviews(session, instant)
            session.commit()
        except OperationError as err:  # a broken annual_review diagram must not stop every deadline
            session.rollback()
            click.echo(f"annual reviews not scheduled: {err.message}", err=True)
    while True:
        with sessions() as session:
            batch = [i for i in due_instance_ids(session, instant) if i not in seen]
        if not batch:
            return fired
        for instance_id in batch:
            seen.add(instance_id)
            fired += _fire_one(sessions, instance_id, instant)


def _fire_one(sessions, instance_id: int, instant: datetime) -> bool:
    """Fire one instance's timers in its own transaction; whatever fails marks that instance failed.

    A held lock is no failure: the instance stays due and the next pass tries again."""

    if not _begin_attempt(sessions, instance_id, instant):
        return False
    try:
        with writing(), sessions() as session:
            fired = fire_instance_timers(session, instance_id, instant)
            session.commit()
            return fired
    except Exception as err:  # noqa: BLE001 (one instance's fault, in engine, state or write, must not end the pass)
        if is_lock_timeout(err):
            click.echo(f"instance {instance_id} skipped: its row or the database is locked", err=True)
            _end_attempt(sessions, instance_id)
            return False
        reason = err.message if isinstance(err, OperationError) else f"{type(err).__name__}: {err}"
    reason = f"the timer pass failed on this instance: {reason}"[:MAX_REASON_CHARS]
    click.echo(f"instance {instance_id} failed: {reason}", err=True)
    try:
        with writing(), sessions() as session:
            fail_instance(session, instance_id, reason)
            session.commit()
    except Exception as err:  # noqa: BLE001 (it stays due: the next pass meets it again)
        click.echo(f"instance {instance_id} could not be marked failed: {type(err).__name__}: {err}", err=True)
    return False


def _begin_attempt(sessions, instance_id: int, instant: datetime) -> bool:
    """Commit an attempt on the instance before firing it, so a pass killed on it is counted; whether to fire."""

    try:
        with writing(), sessions() as session:
            outcome = begin_attempt(session, instance_id, instant)
            session.commit()
    except Exception as err:  # noqa: BLE001 (the next pass meets it again)
        locked = "its row or the database is locked" if is_lock_timeout(err) else f"{type(err).__name__}: {err}"
        click.echo(f"instance {instance_id} skipped: {locked}", err=True)
        return False
    if outcome == "exhausted":
        click.echo(f"instance {instance_id} failed: {MAX_TIMER_ATTEMPTS} timer passes were stopped by force "
                   "while running it", err=True)
    return outcome == "fire"


def _end_attempt(sessions, instance_id: int) -> None:

    try:
        with writing(), sessions() as session:
            end_attempt(session, instance_id)
            session.commit()
    except Exception:  # noqa: BLE001,S110 (a counted attempt too many: at worst the instance fails one pass early)
        pass


def _parse_now(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"'{text}' is not an ISO 8601 instant") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give a timezone, e.g. 2026-12-01T09:00:00+08:00")
    return instant
