"""The designer's pages: drafts, form preview, deploy, retire, diff and trial start, as a signed-in designer."""
import io
import json
import re
from pathlib import Path

from app.config import ROOT
from app.workflow.versions import package_from_directory
from bpmn_samples import package, with_condition
from helpers import csrf_of, page_csrf, sign_in

MIWG = Path(__file__).parent / "fixtures" / "miwg"


def post_json(client, url: str, body: dict):
    token = page_csrf(client, "/designer")
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def boot_of(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="designer-boot">(.*?)</script>', html, re.S).group(1))


def test_only_designers_open_the_designer(client):
    sign_in(client, "worker1")
    assert client.get("/designer").status_code == 403
    assert client.get("/designer/need_lifecycle/edit").status_code == 403


def test_the_list_shows_processes_versions_and_running_counts(designer):
    page = designer.get("/designer").get_data(as_text=True)
    assert 'id="process-need_lifecycle"' in page and 'id="process-annual_review"' in page
    assert "v1" in page


def test_the_editor_opens_a_version_with_all_its_files(designer):
    boot = boot_of(designer.get("/designer/need_lifecycle/edit").get_data(as_text=True))
    assert boot["processId"] == "need_lifecycle" and boot["baseVersion"] == 1
    assert {"need_lifecycle.bpmn", "need_grading.dmn", "meeting_rules.dmn", "grade_need-schema.json"} <= set(boot["files"])
    assert {r["id"] for r in boot["roles"]} >= {"community_worker", "street_officer"}
    assert designer.get("/designer/need_lifecycle/edit?version=9").status_code == 404


def test_a_draft_is_kept_until_deployed_and_discarded(designer):
    files = package_from_directory(ROOT / "processes" / "time_bank_redemption", ROOT / "forms")
    files["time_bank_redemption.bpmn"] = files["time_bank_redemption.bpmn"].replace('name="', 'name="草稿·', 1)
    without_token = designer.post("/designer/time_bank_redemption/draft", json={"files": files})
    assert without_token.status_code == 400  # CSRF
    saved = post_json(designer, "/designer/time_bank_redemption/draft", {"files": files, "base_version": 1})
    assert saved.status_code == 200 and "saved_at" in saved.get_json()
    boot = boot_of(designer.get("/designer/time_bank_redemption/edit").get_data(as_text=True))
    assert boot["files"] == files
    version = boot_of(designer.get("/designer/time_bank_redemption/edit?version=1").get_data(as_text=True))
    assert version["files"] != files
    deployed = post_json(designer, "/designer/time_bank_redemption/deploy", {"files": files})
    assert deployed.status_code == 201 and deployed.get_json()["version"] == 2
    reopened = boot_of(designer.get("/designer/time_bank_redemption/edit").get_data(as_text=True))
    assert reopened["baseVersion"] == 2 and reopened["files"] == files  # the draft is gone; v2 holds its files


def test_bad_drafts_are_refused_with_their_reason(designer):
    bad = post_json(designer, "/designer/x/draft", {"files": {"../evil.bpmn": "x"}})
    assert bad.status_code == 400 and "文件名" in bad.get_json()["message"]  # the editor speaks the reader's language
    bad_id = post_json(designer, "/designer/1bad/draft", {"files": {"a.bpmn": "<x/>"}})
    assert bad_id.status_code == 400
    bad_base = post_json(designer, "/designer/x/draft", {"files": {"a.bpmn": "<x/>"}, "base_version": "one"})
    assert bad_base.status_code == 400 and bad_base.get_json()["fields"] == {"base_version": "invalid"}
    not_json = designer.post("/designer/x/draft", data="files=1",
                             headers={"X-CSRFToken": csrf_of(designer.get("/designer").get_data(as_text=True))})
    assert not_json.status_code == 400


def test_a_refused_deploy_lists_problems_and_stores_nothing(designer):
    response = post_json(designer, "/designer/sample/deploy", {"files": package(with_condition("open('/etc/passwd')"))})
    assert response.status_code == 422
    assert response.get_json()["problems"][0]["element"] == "f1"
    assert 'id="process-sample"' not in designer.get("/designer").get_data(as_text=True)


def test_the_form_preview_uses_the_task_form_renderer(designer):
    schema = {"type": "object", "required": ["note"], "properties": {
        "note": {"type": "string", "title": "办理情况"}, "level": {"type": "string", "title": "级别", "enum": ["A", "B"]},
        "units": {"type": "array", "title": "单位", "items": {"type": "string"}}}}
    ui = {"note": {"ui:widget": "textarea"}, "units": {"ui:optionsFrom": "unit_options"}}
    html = post_json(designer, "/designer/form-preview", {"schema": schema, "ui_schema": ui}).get_data(as_text=True)
    assert '<textarea id="f-note" name="note"' in html and "办理情况" in html
    assert 'type="radio" name="level" value="A"' in html
    assert "（unit_options）" in html  # options a process supplies at run time, shown as a sample
    for bad in ({"schema": {"type": 5}, "ui_schema": {}}, {"schema": {"properties": {"a": True}}, "ui_schema": {}},
                {"schema": {}, "ui_schema": {"a": 3}}, {"schema": [], "ui_schema": {}},
                {"schema": {}, "ui_schema": {"a": {"ui:optionsFrom": [1]}}}):
        response = post_json(designer, "/designer/form-preview", bad)
        assert response.status_code == 400 and response.get_json()["message"]


def test_retire_and_restore_from_the_list(designer):
    token = csrf_of(designer.get("/designer").get_data(as_text=True))
    refused = designer.post("/designer/need_lifecycle/versions/1/retire", data={"csrf_token": token},
                            follow_redirects=True)
    assert "这是唯一在用的版本" in refused.get_data(as_text=True)
    files = package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")
    files["need_lifecycle.bpmn"] = files["need_lifecycle.bpmn"].replace('name="合理性研判"', 'name="研判"')
    assert post_json(designer, "/designer/need_lifecycle/deploy", {"files": files}).status_code == 201
    retired = designer.post("/designer/need_lifecycle/versions/1/retire", data={"csrf_token": token},
                            follow_redirects=True).get_data(as_text=True)
    section = retired.split('id="process-need_lifecycle"')[1].split("</section>")[0]
    row = re.search(r'<tr data-version="1">(.*?)</tr>', section, re.S).group(1)
    assert "/versions/1/restore" in row
    diff = designer.get("/designer/need_lifecycle/diff?from=1&to=2").get_data(as_text=True)
    assert "assess_reasonableness" in diff and "研判" in diff and 'id="count-changed">1<' in diff


def test_new_and_imported_processes_open_as_drafts(designer):
    token = csrf_of(designer.get("/designer").get_data(as_text=True))
    made = designer.post("/designer/new", data={"csrf_token": token, "process_id": "trial_flow", "name": "试办"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/designer/trial_flow/edit")
    boot = boot_of(designer.get("/designer/trial_flow/edit").get_data(as_text=True))
    assert list(boot["files"]) == ["trial_flow.bpmn"] and 'name="试办"' in boot["files"]["trial_flow.bpmn"]
    again = designer.post("/designer/new", data={"csrf_token": token, "process_id": "need_lifecycle"},
                          follow_redirects=True)
    assert "已有相同编号的流程或草稿，请直接打开它" in again.get_data(as_text=True)
    model = (MIWG / "A.1.0.bpmn").read_bytes()
    imported = designer.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(model), "A.1.0.bpmn")},
                             content_type="multipart/form-data")
    assert imported.status_code == 302
    process_id = imported.headers["Location"].split("/designer/")[1].split("/")[0]
    assert boot_of(designer.get(imported.headers["Location"]).get_data(as_text=True))["files"] == {"A.1.0.bpmn": model.decode()}
    assert process_id
    broken = designer.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(b"<a"), "x.bpmn")},
                           content_type="multipart/form-data", follow_redirects=True)
    # a refused form is shown again with the reason and 400 (issue 17), in Chinese
    assert broken.status_code == 400 and "文件不是格式正确的 XML（第 1 行）" in broken.get_data(as_text=True)
    latin = designer.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(b"\xff\xfe<a/>"), "x.bpmn")},
                          content_type="multipart/form-data", follow_redirects=True)
    assert "文件不是 UTF-8 文本" in latin.get_data(as_text=True)


def test_a_trial_instance_starts_in_the_trial_community_only(designer, api):
    assert post_json(designer, "/designer/sample/deploy", {"files": package(with_condition("1 == 1"))}).status_code == 201
    token = csrf_of(designer.get("/designer/sample/start").get_data(as_text=True))
    unknown = designer.post("/designer/sample/start", data={"csrf_token": token, "community": "nowhere"})
    assert unknown.status_code == 400
    real = designer.post("/designer/sample/start", data={"csrf_token": token, "community": "nanshan"})
    assert real.status_code == 400  # a trial never runs in a real community
    started = designer.post("/designer/sample/start", data={"csrf_token": token, "community": "TRIAL"},
                            follow_redirects=True).get_data(as_text=True)
    assert "办理" in started
    assert designer.get("/").status_code == 200  # the home page lists own needs, not trial instances
    assert not [t for t in api.inbox("worker1") if t["process_id"] == "sample"]  # no real community's people
    assert not [t for t in api.inbox("worker2") if t["process_id"] == "sample"]
    assert designer.get("/designer/nothing_here/start").status_code == 404


def test_the_vendor_route_serves_only_the_designer_packages(designer):
    script = designer.get("/designer/vendor/bpmn-js/bpmn-modeler.production.min.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    assert b"BpmnJS" in script.get_data()[:2000] or len(script.get_data()) > 100_000
    script.close()
    assert designer.get("/designer/vendor/left-pad/index.js").status_code == 404
    assert designer.get("/designer/vendor/bpmn-js/../package.json").status_code == 404
