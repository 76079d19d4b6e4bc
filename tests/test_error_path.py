"""One error path (issue 17): JSON on the API or when asked for, a page in the site's look elsewhere,
in the reader's language; the request's work rolled back on any error; one survey rule."""
import io
import re

from sqlalchemy import func, select

from app.db import writing
from app.extensions import commit, db
from app.people.org import Organisation
from app.workflow.instances import start_process
from app.workflow import audit
from app.workflow.models.audit import AuditEvent
from app.errors import Invalid
from bpmn_samples import FORM, package, process
from helpers import deploy
from test_pages import sign_in
from test_project_delivery_api import claimed_and_funded


def _page(response) -> str:
    return response.get_data(as_text=True)


def _in_site_look(html: str) -> bool:
    return "<header" in html and "<main" in html  # base.html, not Werkzeug's bare page


def test_400_is_a_page_in_zh_and_in_en_and_json_on_the_api(client):
    zh = client.get("/projects?q=%00")
    assert zh.status_code == 400 and _in_site_look(_page(zh)) and "文本不能包含空字符" in _page(zh)
    en = client.get("/projects?q=%00&lang=en")
    assert en.status_code == 400 and "text must not contain NUL characters" in _page(en)
    api = client.get("/api/public/projects?q=%00")
    assert api.status_code == 400 and api.get_json() == {
        "error": "bad_request", "message": "text must not contain NUL characters", "fields": {}}


def test_405_is_a_page_with_allow_and_json_on_the_api(client):
    page = client.get("/projects/1/survey")
    assert page.status_code == 405 and _in_site_look(_page(page)) and "此地址不接受这种请求方式" in _page(page)
    assert "POST" in page.headers["Allow"]
    assert "does not accept that kind of request" in _page(client.get("/projects/1/survey?lang=en"))
    api = client.get("/api/tokens")
    assert api.status_code == 405 and api.get_json()["error"] == "method_not_allowed" and "POST" in api.headers["Allow"]


def test_413_is_a_page_and_json_on_the_api(client, app):
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    page = client.post("/submit", data={"title": huge})
    assert page.status_code == 413 and _in_site_look(_page(page)) and "提交的内容过大" in _page(page)
    api = client.post("/api/public/needs", data=huge, content_type="application/json")
    assert api.status_code == 413 and api.get_json()["error"] == "request_entity_too_large"


def test_a_page_asked_for_json_answers_the_json_document_in_the_readers_language(client):
    missing = client.get("/projects/999999", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json() == {
        "error": "not_found", "message": "没有这个项目", "fields": {}}
    assert client.get("/projects/999999").mimetype == "text/html"
    unknown = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert unknown.status_code == 404 and unknown.get_json()["message"] == "未找到。"


def test_the_csrf_refusal_is_a_chinese_page(client):
    refused = client.post("/login", data={"username": "x", "password": "y"})
    assert refused.status_code == 400 and _in_site_look(_page(refused)) and "页面安全校验（CSRF）信息缺失" in _page(refused)


def _events(app) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def test_an_error_after_a_write_rolls_the_whole_request_back(app, client):
    def writes_then_refuses():
        audit.record(db(), "register_changed", None, summary="half done")
        db().flush()
        raise Invalid("some fields need correcting", {"x": "required"})

    def writes_and_commits():
        audit.record(db(), "register_changed", None, summary="kept")
        commit()
        return "ok"
    app.add_url_rule("/api/test-refuses", view_func=writes_then_refuses, methods=["GET"])
    app.add_url_rule("/test-commits", view_func=writes_and_commits, methods=["GET"])
    before = _events(app)
    refused = client.get("/api/test-refuses")
    assert refused.status_code == 400 and refused.get_json()["fields"] == {"x": "required"}
    assert _events(app) == before
    assert client.get("/test-commits").status_code == 200 and _events(app) == before + 1


def test_operation_messages_with_placeholders_are_translated_on_pages_and_english_on_the_api(app, api, client):
    need = api.record_need()
    bad = io.BytesIO(b"not a pdf")
    answer = client.post(f"/api/instances/{need['instance_id']}/attachments", data={"files": [(bad, "a.pdf")]},
                         content_type="multipart/form-data", headers={"Authorization": f"Bearer {api.token('worker1')}"})
    assert answer.status_code == 400 and answer.get_json()["message"] == "'a.pdf' is not really a .pdf file"
    with app.test_request_context("/"):
        from flask_babel import gettext
        err = Invalid("'%(name)s' is not really a %(type)s file", params={"name": "a.pdf", "type": ".pdf"})
        assert err.message == "'a.pdf' is not really a .pdf file"
        assert err.translated(gettext) == "“a.pdf”的内容与 .pdf 文件类型不符"


def test_one_survey_rule_and_a_helpers_refusal_in_the_readers_language(app, api, client):
    need, pid, at = claimed_and_funded(app, api)
    iid = need["instance_id"]
    # A diagram helper refuses the spending: people read why in Chinese, programs in English.
    task = api.task_for("worker1", "progress_report", iid)
    data = {"progress_percent": 50, "progress_text": "进行中", "spent_amount": 999999, "spent_purpose": "超支",
            "finished": False}
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": data}, "worker1")
    assert refused.status_code == 422 and "spending of 999999 yuan was not recorded" in refused.get_json()["message"]
    sign_in(client, "worker1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', _page(client.get(f"/tasks/{task['id']}"))).group(1)
    page = client.post(f"/tasks/{task['id']}", data={"csrf_token": token, **{k: str(v).lower() if isinstance(v, bool)
                                                                              else str(v) for k, v in data.items()}})
    assert page.status_code == 422
    assert "流程无法按本次提交继续办理" in _page(page) and "元未能入账：支出超过项目资金结余" in _page(page)
    for step in ({"progress_percent": 100, "progress_text": "完成", "spent_amount": 1000, "spent_purpose": "材料",
                  "finished": True},):
        api.complete("worker1", "progress_report", step, iid)
    api.complete("worker1", "complete_project", {"completed_on": "2026-12-30", "delivery_summary": "已完成"}, iid)
    api.complete("supervisor1", "results_disclosure", {"results_approved": True, "review_comment": "账目清楚"}, iid)
    # The survey is the residents': a worker's account is refused on the page as on the API.
    worker_page = _page(client.get(f"/projects/{pid}"))
    assert 'data-survey="residents-only"' in worker_page and 'data-form="survey"' not in worker_page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', worker_page).group(1)
    by_worker = client.post(f"/projects/{pid}/survey", data={"csrf_token": csrf, "satisfaction": "5",
                                                            "phone": "13800000000"})
    assert by_worker.status_code == 403 and "满意度调查面向居民" in _page(by_worker)
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 5}, "worker1").status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    anonymous = client.get(f"/projects/{pid}")
    assert 'data-form="survey"' in _page(anonymous)


def test_a_script_error_after_a_submission_reads_in_chinese_and_only_designers_see_the_engine_words(app, api,
                                                                                                     client):
    body = ('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
            f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
            '<bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="calc"/>'
            '<bpmn:scriptTask id="calc" name="计算" scriptFormat="python"><bpmn:script>ratio = 100 / (len(note) - '
            'len(note))</bpmn:script></bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end"/>'
            '<bpmn:endEvent id="end"/>')
    assert deploy(api, package(process(body))).status_code == 201
    with writing(), app.extensions["db_sessions"]() as session:
        nanshan = session.scalars(select(Organisation).where(Organisation.code == "nanshan")).one()
        iid = start_process(session, "sample", {"title": "比例"}, nanshan, None).id
        session.commit()
    task = api.task_for("worker1", "work", iid)
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"note": "x"}}, "worker1")
    assert refused.status_code == 422 and "ZeroDivisionError" in refused.get_json()["message"]  # the API: as written
    sign_in(client, "worker1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', _page(client.get(f"/tasks/{task['id']}"))).group(1)
    page = _page(client.post(f"/tasks/{task['id']}", data={"csrf_token": token, "note": "x"}))
    assert "流程无法按本次提交继续办理：脚本中出现除以零" in page
    assert "ZeroDivisionError" not in page and "division by zero" not in page and "技术信息" not in page
