"""Form schemas cannot reach out or stall: no `$ref` is fetched (a loopback listener hears nothing from
any validation, check, dry run or deploy), recursive references are refused, patterns run in RE2."""
import json
import socket
import threading
import time
from datetime import UTC, datetime

import pytest

from app.engine.dry_run import dry_run
from app.engine.form_schema import schema_problems
from app.errors import Invalid
from app.workflow.forms import preview_form, validate_submission
from app.modules import diagram_helpers
from app.workflow.versions import check_package
from bpmn_samples import linear, package, process

HELPERS = diagram_helpers()

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
SECRET = "listener-secret-body"


class Listener:
    """A TCP server on a free loopback port that answers any request with a schema and counts connections."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        body = json.dumps({"type": "string", "title": SECRET}).encode()
        while not self._stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                self.connections += 1
                conn.recv(4096)
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def hostile_schemas(url: str) -> dict[str, dict]:
    """Schemas that would make a fetching validator call the listener."""
    field = {"type": "object", "properties": {"note": None}}
    return {
        "absolute": field | {"properties": {"note": {"$ref": f"{url}/note.json"}}},
        "https": field | {"properties": {"note": {"$ref": url.replace("http:", "https:") + "/note.json"}}},
        "relative to $id": {"$id": f"{url}/form.json", "type": "object", "properties": {"note": {"$ref": "note.json"}}},
        "file": field | {"properties": {"note": {"$ref": "file:///etc/passwd"}}},
        "dynamic": field | {"properties": {"note": {"$dynamicRef": f"{url}/note.json"}}},
    }


def test_no_reference_is_fetched_by_any_form_validation(listener):
    for name, schema in hostile_schemas(listener.url).items():
        assert schema_problems(schema), name
        with pytest.raises(Invalid):
            preview_form(schema, {})
        try:
            validate_submission(schema, {"note": "hello"})
        except Invalid as err:
            assert SECRET not in json.dumps(err.fields)
    assert listener.connections == 0


@pytest.mark.parametrize("case", ["absolute", "https", "relative to $id", "file", "dynamic"])
def test_an_outside_reference_is_refused_at_deploy(listener, case):
    files = package(process(linear()))
    files["note-schema.json"] = json.dumps(hostile_schemas(listener.url)[case])
    problems = _problems(files)
    assert [p.element for p in problems] == ["note-schema.json"]
    assert "not supported" in problems[0].message or "outside this form" in problems[0].message
    assert listener.connections == 0


def test_the_dry_run_never_fetches_a_reference_even_of_an_unchecked_form(listener):
    bundle = check_package(package(process(linear())))
    for schema in hostile_schemas(listener.url).values():
        bundle.forms["note-schema.json"] = schema  # as if a form had slipped past the deploy check
        result = dry_run(bundle, HELPERS.keys(), answers={"work": {"note": "hello"}}, start_at=T0)
        assert SECRET not in json.dumps(result)
    assert listener.connections == 0


def test_the_api_check_dry_run_and_deploy_never_call_the_listener(api, listener):
    for schema in hostile_schemas(listener.url).values():
        files = package(process(linear())) | {"note-schema.json": json.dumps(schema)}
        assert api.post("/api/processes/check", {"files": files}, "designer1").get_json()["ok"] is False
        ran = api.post("/api/processes/dry-run", {"files": files, "answers": {"work": {"note": "x"}}}, "designer1")
        assert ran.status_code == 422 and SECRET not in ran.get_data(as_text=True)
        assert api.post("/api/processes", {"files": files}, "designer1").status_code == 422
    assert listener.connections == 0


@pytest.mark.parametrize("schema", [
    {"$ref": "#"},
    {"type": "object", "properties": {"note": {"$ref": "#/properties/note"}}},
    {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}},
     "type": "object", "properties": {"note": {"$ref": "#/$defs/a"}}},
    {"type": "object", "properties": {"child": {"type": "object", "properties": {"up": {"$ref": "#"}}}}},
])
def test_recursive_references_are_refused_at_deploy(schema):
    files = package(process(linear())) | {"note-schema.json": json.dumps(schema)}
    problems = _problems(files)
    assert [p.element for p in problems] == ["note-schema.json"]
    assert "recursive reference" in problems[0].message


def test_a_reference_inside_the_form_is_accepted_and_used():
    schema = {"type": "object", "additionalProperties": False, "properties": {"note": {"$ref": "#/$defs/short"}},
              "$defs": {"short": {"type": "string", "maxLength": 5}}}
    files = package(process(linear())) | {"note-schema.json": json.dumps(schema)}
    bundle = check_package(files)
    assert validate_submission(bundle.form("note-schema.json"), {"note": "ok"}) == {"note": "ok"}
    with pytest.raises(Invalid) as caught:
        validate_submission(bundle.form("note-schema.json"), {"note": "far too long"})
    assert caught.value.fields == {"note": "too long"}
    assert _problems(files | {"note-schema.json": json.dumps(schema | {"properties": {"note": {"$ref": "#/$defs/x"}}})})


def test_a_catastrophic_pattern_is_matched_in_linear_time():
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(a+)+$"}}}
    files = package(process(linear())) | {"note-schema.json": json.dumps(schema)}
    bundle = check_package(files)  # RE2 can express it: accepted
    began = time.perf_counter()
    with pytest.raises(Invalid) as caught:
        validate_submission(schema, {"code": "a" * 40 + "!"})
    result = dry_run(bundle, HELPERS.keys(), answers={"work": {"code": "a" * 40 + "!"}}, start_at=T0)
    assert time.perf_counter() - began < 1.0
    assert caught.value.fields == {"code": "invalid value"} and result["status"] == "invalid_answer"
    assert validate_submission(schema, {"code": "a" * 40}) == {"code": "a" * 40}


def test_pattern_properties_are_matched_by_re2_too():
    counts = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "integer"}}, "additionalProperties": False}
    schema = {"type": "object", "properties": {"counts": counts}}
    began = time.perf_counter()
    with pytest.raises(Invalid) as caught:
        validate_submission(schema, {"counts": {"a" * 40 + "!": 1}})
    assert time.perf_counter() - began < 1.0
    assert caught.value.fields == {"counts": "invalid value"}
    assert validate_submission(schema, {"counts": {"aaa": 1}}) == {"counts": {"aaa": 1}}
    with pytest.raises(Invalid):
        validate_submission(schema, {"counts": {"aaa": "one"}})


@pytest.mark.parametrize("where, pattern", [
    ("pattern", r"^(\d)\1$"), ("pattern", "^(?=.*x)"), ("pattern", "(?<!a)b"), ("patternProperties", r"(a)\1"),
])
def test_patterns_re2_cannot_express_are_refused_at_deploy_by_name(where, pattern):
    field = {"type": "string", "pattern": pattern} if where == "pattern" else {"type": "object",
                                                                               "patternProperties": {pattern: {}}}
    schema = {"type": "object", "properties": {"note": field}}
    problems = _problems(package(process(linear())) | {"note-schema.json": json.dumps(schema)})
    assert [p.element for p in problems] == ["note-schema.json"]
    assert repr(pattern) in problems[0].message


def test_a_form_named_by_a_task_is_checked_whatever_its_file_name():
    files = package(process(linear()).replace("note-schema.json", "note.json"))
    files["note.json"] = json.dumps({"type": "object", "properties": {"note": {"$ref": "#"}}})
    assert [p.element for p in _problems(files)] == ["note.json"]


def test_a_deeply_nested_form_is_refused_not_crashed():
    deep = {"type": "object"}
    for _ in range(200):
        deep = {"type": "object", "properties": {"x": deep}}
    assert [p.element for p in _problems(package(process(linear())) | {"note-schema.json": json.dumps(deep)})] \
        == ["note-schema.json"]
    too_deep = "[" * 100_000 + "]" * 100_000  # deeper than the JSON parser goes
    problems = _problems(package(process(linear())) | {"note-schema.json": too_deep})
    assert (problems[0].element, problems[0].message) == ("note-schema.json", "not valid JSON: nested too deeply")


def _problems(files):
    from app.engine import ProcessProblems
    with pytest.raises(ProcessProblems) as caught:
        check_package(files)
    return caught.value.problems
