"""Deploying through the API: 201 for a sound package, 422 with every problem, versions pinned."""
import io

from app.config import ROOT
from app.workflow.versions import package_from_directory
from bpmn_samples import NOTE_SCHEMA, with_condition, with_script, with_timer


def deploy(api, files: dict[str, str], as_user: str = "designer1"):
    data = {"files": [(io.BytesIO(text.encode()), name) for name, text in files.items()]}
    return api.client.post("/api/processes", data=data, content_type="multipart/form-data",
                           headers={"Authorization": f"Bearer {api.token(as_user)}"})


def test_deploy_creates_a_version_once(api):
    files = {"sample.bpmn": with_condition("1 == 1"), "note-schema.json": NOTE_SCHEMA}
    first = deploy(api, files)
    assert first.status_code == 201 and first.get_json() == {"process_id": "sample", "version": 1, "created": True}
    again = deploy(api, files)
    assert again.status_code == 200 and again.get_json()["version"] == 1 and again.get_json()["created"] is False
    listed = {p["process_id"]: p for p in api.get("/api/processes", "designer1").get_json()["processes"]}
    assert listed["sample"]["latest_version"] == 1 and listed["need_lifecycle"]["latest_version"] == 1
    bpmn = api.get("/api/processes/sample/versions/1/bpmn", "auditor1")
    assert bpmn.status_code == 200 and bpmn.mimetype == "application/xml" and b'id="sample"' in bpmn.data


def test_escape_attempts_are_refused_with_their_elements(api):
    for bpmn, element in ((with_condition("__import__('os').system('id')"), "f1"),
                          (with_script("open('/etc/passwd').read()"), "calc"),
                          (with_timer("().__class__.__mro__"), "late")):
        response = deploy(api, {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA})
        assert response.status_code == 422, response.get_json()
        body = response.get_json()
        assert body["error"] == "undeployable" and {p["element"] for p in body["problems"]} == {element}
    assert "sample" not in [p["process_id"] for p in api.get("/api/processes", "designer1").get_json()["processes"]]


def test_bad_uploads(api):
    assert deploy(api, {"notes.txt": "hello"}).status_code == 400
    assert deploy(api, {"x.bpmn": "<not-bpmn/>"}).status_code == 422
    raw = api.client.post("/api/processes", data="<definitions", content_type="application/xml",
                          headers={"Authorization": f"Bearer {api.token('designer1')}"})
    assert raw.status_code == 422
    assert deploy(api, {"sample.bpmn": with_condition("True")}, as_user="worker1").status_code == 403


def test_running_instances_stay_on_their_version(api):
    old = api.record_need()
    files = package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")
    files["need_lifecycle.bpmn"] = files["need_lifecycle.bpmn"].replace('name="合理性研判"', 'name="合理性研判（新版）"')
    response = deploy(api, files)
    assert response.status_code == 201 and response.get_json()["version"] == 2
    new = api.record_need(title="新版本上的需求")
    names = {t["instance_id"]: t["name"] for t in api.inbox("worker1")}
    assert names == {old["instance_id"]: "合理性研判", new["instance_id"]: "合理性研判（新版）"}
    assert api.get(f"/api/instances/{old['instance_id']}", "worker1").get_json()["version"] == 1
    assert api.get(f"/api/instances/{new['instance_id']}", "worker1").get_json()["version"] == 2
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"}, instance_id=old["instance_id"])
    assert api.task_for("worker1", "assess_responsibility", old["instance_id"])


def test_a_bpmn_alone_takes_its_forms_from_the_stored_versions(api):
    files = package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")
    bpmn = files["need_lifecycle.bpmn"].replace('name="职能分流"', 'name="职能分流（调整）"')
    response = deploy(api, {"need_lifecycle.bpmn": bpmn, "need_grading.dmn": files["need_grading.dmn"],
                            "project_decision.bpmn": files["project_decision.bpmn"],
                            "project_delivery.bpmn": files["project_delivery.bpmn"],
                            "project_evaluation.bpmn": files["project_evaluation.bpmn"],
                            "meeting_rules.dmn": files["meeting_rules.dmn"]})
    assert response.status_code == 201 and response.get_json()["version"] == 2
    alone = api.client.post("/api/processes", data=with_condition("1 == 1").replace("note-schema", "nowhere-schema"),
                            content_type="application/xml", headers={"Authorization": f"Bearer {api.token('designer1')}"})
    assert alone.status_code == 422
    assert any("nowhere-schema.json" in p["message"] for p in alone.get_json()["problems"])
