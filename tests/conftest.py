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
DEMO_PASSWORD = "demo-pass-2026"
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="TEST_DATABASE_URL is not set: PostgreSQL tests skipped"))]


def seed(url: str) -> None:
    """Migrate, load the demo dataset and deploy the shipped processes into `url`."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "DEMO_PASSWORD": DEMO_PASSWORD})
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


class Api:
    """Calls the JSON API as demo users (tokens cached per user)."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/tokens", json={"username": username, "password": DEMO_PASSWORD})
            assert response.status_code == 201, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def get(self, path: str, as_user: str | None = None):
        return self.client.get(path, headers=self._auth(as_user))

    def post(self, path: str, json=None, as_user: str | None = None):
        return self.client.post(path, json=json, headers=self._auth(as_user))

    def inbox(self, username: str) -> list[dict]:
        response = self.get("/api/tasks", username)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["tasks"]

    def task_for(self, username: str, bpmn_id: str, instance_id: int | None = None) -> dict:
        """The one ready task with this id in the user's inbox (for this instance, if given)."""
        found = [t for t in self.inbox(username) if t["bpmn_id"] == bpmn_id
                 and (instance_id is None or t["instance_id"] == instance_id)]
        assert len(found) == 1, f"{username} has {found} for {bpmn_id}; inbox: {self.inbox(username)}"
        return found[0]

    def complete(self, username: str, bpmn_id: str, data: dict, instance_id: int | None = None, status: int = 200):
        task = self.task_for(username, bpmn_id, instance_id)
        response = self.post(f"/api/tasks/{task['id']}/complete", {"data": data}, username)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def record_need(self, username: str = "worker1", **fields) -> dict:
        body = {"title": "楼道灯坏了", "description": "3号楼2单元楼道灯不亮", "category": "daily_life",
                "channel": "party_line", "visit_type": "home_visit", "community": "nanshan"}
        response = self.post("/api/needs", body | fields, username)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def _auth(self, username: str | None) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"} if username else {}


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
