"""`flask setup` and settings: idempotent set-up, production refusals."""
import pytest

from app import create_app


def test_second_setup_changes_nothing(app):
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "deployed" not in result.output and "demo dataset loaded" not in result.output


def test_production_refuses_the_default_secret_and_demo_data(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    app = create_app({"APP_ENV": "production", "SECRET_KEY": "x" * 40, "AUDIT_KEY": "y" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code != 0 and "refused when APP_ENV=production" in result.output
    app.extensions["db_engine"].dispose()


def test_health_and_openapi(client):
    assert client.get("/healthz").get_json() == {"ok": True}
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for path in ("/api/tokens", "/api/public/needs", "/api/tasks/{task_id}/complete", "/api/audit/verify",
                 "/api/instances/{instance_id}/history", "/api/processes"):
        assert path in document["paths"]


def test_tokens(api):
    response = api.client.post("/api/tokens", json={"username": "worker1", "password": "wrong"})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"
    assert api.client.post("/api/tokens", json={"username": "worker1"}).status_code == 400
    assert api.client.get("/api/tasks", headers={"Authorization": "Bearer forged"}).status_code == 401
    body = api.client.post("/api/tokens", json={"username": "worker1", "password": "demo-pass-2026"}).get_json()
    assert body["user"] == {"username": "worker1", "display_name": "南山社工王芳", "roles": ["community_worker"],
                            "org": "nanshan"}


def test_sign_in_is_throttled_after_repeated_failures(api):
    for _ in range(10):
        wrong = api.client.post("/api/tokens", json={"username": "worker1", "password": "guess"})
        assert wrong.status_code == 401
    right = api.client.post("/api/tokens", json={"username": "worker1", "password": "demo-pass-2026"})
    assert right.status_code == 429 and right.get_json()["error"] == "too_many_requests"
    other = api.client.post("/api/tokens", json={"username": "worker2", "password": "demo-pass-2026"})
    assert other.status_code == 201  # another account from the same address is not locked out yet
