"""A fuzzer over /api/openapi.json: every documented operation, called with generated and mutated
parameters and bodies, by several kinds of caller, never answers 5xx and always explains a refusal."""
import json
import random
from collections import Counter

import pytest

CALLERS = (None, "worker1", "designer1", "admin", "resident1")
ROUNDS = 12  # calls per operation and caller; the seed makes every run the same
NASTY_TEXT = ["", " ", "\u0000", "😀" * 3, "长" * 3000, "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
              "%00", "null", "-1", "1e309", "NaN", "\ud800"]
NASTY_VALUES = [None, True, False, 0, -1, 2 ** 63, 1.5, float("inf"), [], {}, [1, "a"], {"a": {"b": [None]}}]


def value_for(schema: dict, rng: random.Random, depth: int = 0):
    """A value that fits `schema` roughly half the time, and something hostile otherwise."""
    if rng.random() < 0.4 or depth > 3:
        return rng.choice(NASTY_VALUES + NASTY_TEXT)
    kind = schema.get("type")
    kind = rng.choice(kind) if isinstance(kind, list) else kind
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if kind == "object":
        props = schema.get("properties", {})
        body = {name: value_for(spec, rng, depth + 1) for name, spec in props.items() if rng.random() < 0.8}
        if rng.random() < 0.2:
            body[rng.choice(["x", "__proto__", "data", "files"])] = rng.choice(NASTY_VALUES)
        return body
    if kind == "array":
        return [value_for(schema.get("items", {}), rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "integer":
        return rng.choice([0, 1, 5, -3, 10 ** 12])
    if kind == "number":
        return rng.choice([0, 1.25, -1e9])
    if kind == "boolean":
        return rng.choice([True, False])
    return rng.choice(["南山", "nanshan", "2026-12-01", "P3D", "x" * rng.randint(1, 300)] + NASTY_TEXT)


def _sendable(text: str) -> str:
    """A lone surrogate cannot travel in a URL at all: send what a client would (U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def path_for(template: str, rng: random.Random, known: dict) -> str:
    """The path with each {param} filled by a known id, a junk value or a far-off number."""
    path = template
    while "{" in path:
        name = path[path.index("{") + 1:path.index("}")]
        choice = rng.choice([known.get(name, "1"), "0", "999999999", "abc", "%2e%2e", "-5", "x" * 300])
        path = path.replace("{" + name + "}", str(choice), 1)
    return path


@pytest.fixture
def known(api):
    """Real ids, so that some calls reach deep into the operations rather than stopping at 404."""
    need = api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    return {"instance_id": need["instance_id"], "task_id": task["id"], "tracking_code": need["tracking_code"],
            "process_id": "need_lifecycle", "version": 1, "number": 1, "username": "worker1", "name": "needs"}


def operations(api) -> list[tuple[str, str, dict]]:
    document = api.client.get("/api/openapi.json").get_json()
    return [(path, method, spec) for path, methods in document["paths"].items() for method, spec in methods.items()]


def test_fuzzing_every_documented_operation_gives_no_server_error(api, known):
    rng = random.Random(20261124)
    tokens = {user: api.token(user) for user in CALLERS if user}
    failures, calls, answers = [], 0, Counter()
    for template, method, spec in operations(api):
        schema = (spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema") or {})
        query_names = [p["name"] for p in spec.get("parameters", []) if p.get("in") == "query"]
        for caller in CALLERS:
            headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller else {}
            for _ in range(ROUNDS):
                path = path_for(template, rng, known)
                query = {name: _sendable(str(value_for({}, rng))[:200]) for name in query_names if rng.random() < 0.5}
                body = value_for(schema or {"type": "object"}, rng)
                raw = json.dumps(body, allow_nan=True) if rng.random() < 0.9 else rng.choice(["{", "[1,", "\xff"])
                response = api.client.open(path, method=method.upper(), query_string=query, data=raw,
                                           headers=headers | {"Content-Type": "application/json"})
                calls += 1
                answers[response.status_code // 100] += 1
                if response.status_code >= 500:
                    failures.append((method, path, raw[:200], response.status_code))
                elif response.status_code >= 400 and response.is_json:
                    error = response.get_json()
                    if not (error.get("error") and error.get("message")):
                        failures.append((method, path, raw[:200], "refusal without a reason"))
    assert failures == []
    # It must have reached the operations, not only bounced off sign-in: some calls succeed, many are refused.
    assert calls > 1000 and answers[2] > 100 and answers[4] > 1000
