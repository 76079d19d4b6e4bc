"""Deploy-time checks: what can run is accepted; escapes and broken packages are refused, by element."""
import pytest

from app.engine import ProcessProblems
from app.workflow.versions import check_package
from bpmn_samples import package, process, linear, with_condition, with_script, with_timer

ESCAPES = [
    "__import__('os').system('touch /tmp/minxu-pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd').read()",
    "getattr(1, '__class__')",
    "[c for c in ().__class__.__base__.__subclasses__()]",
]


def problems_of(files) -> list[dict]:
    with pytest.raises(ProcessProblems) as caught:
        check_package(files)
    return [p.as_dict() for p in caught.value.problems]


def test_a_sound_package_parses():
    bundle = check_package(package(with_condition("1 + 1 == 2")))
    assert bundle.process_id == "sample" and bundle.lanes == {"community_worker"}


@pytest.mark.parametrize("code", ESCAPES)
def test_escape_in_a_gateway_condition_is_refused(code):
    assert {p["element"] for p in problems_of(package(with_condition(code)))} == {"f1"}


@pytest.mark.parametrize("code", ESCAPES + ["import os\nos.system('id')"])
def test_escape_in_a_script_is_refused(code):
    assert {p["element"] for p in problems_of(package(with_script(code)))} == {"calc"}


@pytest.mark.parametrize("code", ESCAPES)
def test_escape_in_a_timer_expression_is_refused(code):
    assert {p["element"] for p in problems_of(package(with_timer(code)))} == {"late"}


def test_every_problem_is_listed():
    files = package(process(linear(), lane="nobody"))
    files["sample.bpmn"] = files["sample.bpmn"].replace('value="note-schema.json"', 'value="missing-schema.json"')
    found = problems_of(files)
    assert {"element": "lane1", "message": "lane 'nobody' names no role"} in found
    assert any(p["message"] == "form file 'missing-schema.json' is not in the package" for p in found)


def test_user_task_outside_any_lane_is_refused():
    found = problems_of(package(process(linear(), lane_refs=())))
    assert {"element": "work", "message": "user task is in no lane, so nobody could be assigned to it"} in found


def test_malformed_xml_and_json():
    found = problems_of({"sample.bpmn": "<bpmn:definitions", "note-schema.json": "{"})
    assert {p["element"] for p in found} == {"sample.bpmn", "note-schema.json"}


def test_external_entities_are_not_read():
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + with_condition("1 == 1").split("?>", 1)[1].replace('name="办理"', 'name="&x;"'))
    try:
        bundle = check_package(package(xxe))
    except ProcessProblems:
        return  # refused outright: fine
    assert "root:" not in bundle.spec.task_specs["work"].bpmn_name


def test_invalid_form_schema_is_refused():
    files = package(with_condition("True"))
    files["note-schema.json"] = '{"type": "no-such-type"}'
    assert problems_of(files)[0]["element"] == "note-schema.json"


def test_bad_instructions_template_is_refused():
    bpmn = with_condition("True").replace(
        "</spiffworkflow:properties>", "</spiffworkflow:properties><spiffworkflow:instructionsForEndUser>"
        "{{ title </spiffworkflow:instructionsForEndUser>")
    assert problems_of(package(bpmn))[0]["element"] == "work"


def test_no_entry_point():
    found = problems_of(package(process(linear()).replace('isExecutable="true"', 'isExecutable="false"')))
    assert found[0]["element"] == "package"
