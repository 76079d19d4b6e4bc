"""The JSON API called as demo users, for tests (the `api` fixture; importable by name)."""
DEMO_PASSWORD = "demo-pass-2026"


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
