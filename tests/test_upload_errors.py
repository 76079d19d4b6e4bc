"""Uploaded files the parsers cannot read are listed problems (422 at deploy), never a 500; the entry
process of a package with several processes is the designer's choice."""
import pytest

import io

from bpmn_samples import linear, package, process
from helpers import deploy

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DECISION = ('<decision id="d" name="D"><decisionTable id="t"><input id="i" label="x"><inputExpression id="ie">'
            '<text>x</text></inputExpression></input><output id="o" name="y"/><rule id="r"><inputEntry id="e">'
            '<text>1</text></inputEntry><outputEntry id="oe"><text>2</text></outputEntry></rule></decisionTable></decision>')


def dmn(namespace: str = DMN13, body: str = DECISION, root: str = "definitions", prefix: str = "") -> str:
    xmlns = f'xmlns{":" + prefix if prefix else ""}="{namespace}"'
    tag = f"{prefix}:{root}" if prefix else root
    return f'<?xml version="1.0"?><{tag} {xmlns} id="defs" name="n" namespace="urn:x">{body}</{tag}>'


def quoted_task_bpmn(quote: str) -> str:
    """A user task whose id holds a quote, referenced from its lane and flows."""
    task_id = f"wo{quote}rk"
    return process(linear().replace('"work"', f'"{task_id}"'), lane_refs=(task_id,))


UNREADABLE = {
    # SpiffWorkflow's own DMN 1.2 schema fails to load (its DMNDI import does not resolve): XMLSchemaParseError.
    "dmn 1.2": dmn("http://www.omg.org/spec/DMN/20180521/MODEL/"),
    # No decision: IndexError in DMNParser.bpmn_id.
    "no decision": dmn(body=""),
    # The DMN namespace only on a prefix: XPathEvalError "Undefined namespace prefix".
    "prefixed dmn": dmn(prefix="d", body='<d:decision id="d" name="D"/>'),
    "no namespace": '<?xml version="1.0"?><definitions id="defs"><decision id="d"/></definitions>',
}


def check(api, files, **extra):
    return api.post("/api/processes/check", {"files": files} | extra, "designer1")


@pytest.mark.parametrize("case", UNREADABLE)
def test_an_unreadable_dmn_is_a_problem_at_check_and_deploy(api, case):
    files = package(process(linear())) | {"rules.dmn": UNREADABLE[case]}
    checked = check(api, files)
    assert checked.status_code == 200 and checked.get_json()["ok"] is False
    assert [p["element"] for p in checked.get_json()["problems"]] == ["rules.dmn"]
    deployed = deploy(api, files)
    assert deployed.status_code == 422
    assert [p["element"] for p in deployed.get_json()["problems"]] == ["rules.dmn"]


@pytest.mark.parametrize("quote", ["'", "&quot;"])
def test_a_quote_in_a_task_id_is_a_problem(api, quote):
    files = package(quoted_task_bpmn(quote))
    assert check(api, files).get_json()["ok"] is False
    deployed = deploy(api, files)
    assert deployed.status_code == 422 and deployed.get_json()["problems"]


def test_a_dry_run_of_an_unreadable_dmn_lists_the_problem(api):
    files = package(process(linear())) | {"rules.dmn": UNREADABLE["no decision"]}
    response = api.post("/api/processes/dry-run", {"files": files, "answers": {}}, "designer1")
    assert response.status_code == 422
    assert [p["element"] for p in response.get_json()["problems"]] == ["rules.dmn"]


def without_executable(bpmn: str) -> str:
    return bpmn.replace(' isExecutable="true"', "")


def test_a_process_without_is_executable_is_executable(api):
    files = package(without_executable(process(linear())))
    assert check(api, files).get_json() == {"ok": True, "problems": []}
    assert deploy(api, files).get_json()["process_id"] == "sample"
    assert "isExecutable" not in files["sample.bpmn"]


def test_a_process_marked_not_executable_is_still_refused(api):
    files = package(process(linear()).replace('isExecutable="true"', 'isExecutable="false"'))
    problems = check(api, files).get_json()["problems"]
    assert any("found none" in p["message"] for p in problems)


def two_processes() -> dict[str, str]:
    """Two independent executable processes, `sample` and `other`, each with one user task."""
    other = process(linear(), process_id="other").replace('id="lanes"', 'id="lanes2"').replace('id="lane1"', 'id="lane2"')
    for element in ("start", "work", "end", "f0", "f9"):
        other = other.replace(f'"{element}"', f'"{element}_2"').replace(f">{element}<", f">{element}_2<")
    return package(process(linear())) | {"other.bpmn": other.replace('name="示例"', 'name="另一个"')}


def test_several_possible_entry_processes_are_named_as_a_problem(api):
    problems = check(api, two_processes()).get_json()["problems"]
    assert [p["element"] for p in problems] == ["package"]
    assert "sample" in problems[0]["message"] and "other" in problems[0]["message"]
    assert deploy(api, two_processes()).status_code == 422


def test_the_chosen_entry_process_is_checked_dry_run_and_deployed(api):
    files = two_processes()
    assert check(api, files, entry_process="other").get_json() == {"ok": True, "problems": []}
    run = api.post("/api/processes/dry-run", {"files": files, "entry_process": "other",
                                               "answers": {"work_2": {"note": "ok"}}}, "designer1").get_json()
    assert run["status"] == "completed" and [s["bpmn_id"] for s in run["path"]] == ["start_2", "work_2", "end_2"]
    deployed = deploy(api, files, entry_process="other")
    assert deployed.status_code == 201 and deployed.get_json()["process_id"] == "other"
    listed = {p["process_id"]: p["latest_version"] for p in api.get("/api/processes", "designer1").get_json()["processes"]}
    assert listed.get("other") == 1 and "sample" not in listed
    sample = api.post("/api/processes/dry-run", {"files": files, "process_id": "sample",
                                                 "answers": {"work": {"note": "ok"}}}, "designer1").get_json()
    assert [s["bpmn_id"] for s in sample["path"]] == ["start", "work", "end"]


def test_a_chosen_entry_process_not_in_the_package_is_a_problem(api):
    problems = check(api, two_processes(), entry_process="missing").get_json()["problems"]
    assert problems[0]["element"] == "package" and "missing" in problems[0]["message"]
    assert check(api, two_processes(), entry_process="not valid!").status_code == 400


def test_a_multipart_deploy_takes_the_entry_process_from_the_form(api):
    files = two_processes()
    uploads = {"files": [(io.BytesIO(text.encode()), name) for name, text in files.items()],
               "entry_process": "other"}
    response = api.client.post("/api/processes", data=uploads, content_type="multipart/form-data",
                               headers={"Authorization": f"Bearer {api.token('designer1')}"})
    assert response.status_code == 201 and response.get_json()["process_id"] == "other"
