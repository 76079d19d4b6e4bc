"""Element ids the code reads by name are declared per process; a version without one is refused at deploy."""
from app.config import ROOT
from app.workflow.versions import package_from_directory
from bpmn_samples import NOTE_SCHEMA, with_condition
from test_processes_api import deploy


def need_package(**renamed: str) -> dict[str, str]:
    """The shipped need_lifecycle package with elements renamed (old id → new id, every reference too)."""
    files = package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")
    for old, new in renamed.items():
        text = files["need_lifecycle.bpmn"].replace(f'"{old}"', f'"{new}"')
        files["need_lifecycle.bpmn"] = text.replace(f">{old}<", f">{new}<")  # the lanes' flowNodeRef
    return files


def test_a_version_renaming_an_element_the_dashboard_reads_is_refused_with_the_reason(api):
    refused = deploy(api, need_package(grade_need="grade_the_need"))
    body = refused.get_json()
    assert refused.status_code == 422 and body["error"] == "undeployable", body
    assert [p["element"] for p in body["problems"]] == ["grade_need"], body
    assert "removed or renamed" in body["problems"][0]["message"]
    assert "the dashboard's needs by tier" in body["problems"][0]["message"]
    listed = {p["process_id"]: p for p in api.get("/api/processes", "designer1").get_json()["processes"]}
    assert listed["need_lifecycle"]["latest_version"] == 1


def test_each_removed_id_is_named_with_everyone_who_reads_it(api):
    body = deploy(api, need_package(resident_feedback="callback", resolved="done")).get_json()
    problems = {p["element"]: p["message"] for p in body["problems"]}
    assert set(problems) == {"resident_feedback", "resolved"}
    assert "the dashboard's satisfaction" in problems["resident_feedback"]
    assert "the resident's rating by tracking code" in problems["resident_feedback"]
    assert "the needs' public status" in problems["resolved"]


def test_the_check_lists_the_same_problems_before_a_deploy(api):
    files = need_package(rate_department="rate_body")
    checked = api.post("/api/processes/check", {"files": files}, "designer1").get_json()
    assert [p["element"] for p in checked["problems"]] == ["rate_department"]


def test_a_version_keeping_the_ids_deploys_and_other_processes_are_not_checked(api):
    kept = need_package()
    kept["need_lifecycle.bpmn"] = kept["need_lifecycle.bpmn"].replace('name="分级分类"', 'name="分级分类（新）"')
    assert deploy(api, kept).status_code == 201
    # A designer's own process (a trial) has none of need_lifecycle's ids and needs none.
    assert deploy(api, {"sample.bpmn": with_condition("1 == 1"), "note-schema.json": NOTE_SCHEMA}).status_code == 201
