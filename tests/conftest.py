"""Fixtures: a fresh, migrated and seeded database per test (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set), an app on it, and an API helper that signs in as demo users."""
import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.config import ROOT, normalise_database_url

sys.path.insert(0, str(Path(__file__).resolve().parent))  # shared helpers such as bpmn_samples
from api_client import DEMO_PASSWORD, Api  # noqa: E402 (found through the line above)
from helpers import WEDNESDAY_MORNING, frozen_at, sign_in  # noqa: E402
from backends import BACKENDS, PG_URL  # noqa: E402
import timetravel  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--at", default=os.environ.get("MINXU_TEST_AT") or None, metavar="ISO",
                     help="run the suite as if the clock were at this instant, e.g. 2027-12-01T09:05:00+08:00 "
                          "(default: $MINXU_TEST_AT, else the real time)")


def pytest_configure(config):
    if at := config.getoption("--at"):
        config.stash[_TRAVEL] = timetravel.start(timetravel.instant(at))


def pytest_unconfigure(config):
    if traveller := config.stash.get(_TRAVEL, None):
        traveller.stop()


def pytest_report_header(config):
    return f"clock: as if at {config.getoption('--at')}" if config.getoption("--at") else "clock: real time"


_TRAVEL = pytest.StashKey()


@pytest.fixture(scope="session", autouse=True)
def process_engine():
    """The engine create_app builds, for tests that check or run packages without an app."""
    from app.modules import diagram_helpers
    from app.workflow import versions
    versions.install_engine(diagram_helpers())


@pytest.fixture(scope="session", autouse=True)
def clock_for_started_processes(pytestconfig):
    """Under --at, processes the tests start (gunicorn, `flask worker`) travel with the suite."""
    if pytestconfig.stash.get(_TRAVEL, None):
        timetravel.export_to_children()


def seed(url: str) -> None:
    """Migrate, load the demo dataset and deploy the shipped processes into `url`."""
    from unittest.mock import patch

    from argon2 import PasswordHasher

    from app.people import passwords

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "DEMO_PASSWORD": DEMO_PASSWORD})
    # The demo users' hash is made cheap for the suite only: every sign-in checks it (argon2 reads the cost from
    # the hash), and at the default cost that is most of a test's time on a busy machine.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with patch.object(passwords, "_hasher", cheap):
        result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "minxu.db"
    seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    admin = create_engine(normalise_database_url(PG_URL), isolation_level="AUTOCOMMIT")
    name = f"minxu_tmpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    seed(_with_database(PG_URL, name))
    yield admin, name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """A database seeded like a fresh `make run`, private to this test."""
    if request.param == "sqlite":
        path = tmp_path / "minxu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin, template = request.getfixturevalue("pg_template")
    name = f"minxu_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _with_database(PG_URL, name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def app(database_url):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test", "TESTING": True,
                      "DEMO_PASSWORD": DEMO_PASSWORD})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def designer(client):
    """The test client signed in on the pages as designer1."""
    sign_in(client, "designer1")
    return client


@pytest.fixture
def fixed_clock():
    """The app's clock (tokens, records, deadlines) stands still at helpers.WEDNESDAY_MORNING.

    Modules that want it throughout say `pytestmark = pytest.mark.usefixtures("fixed_clock")`."""
    with frozen_at(WEDNESDAY_MORNING):
        yield WEDNESDAY_MORNING


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
