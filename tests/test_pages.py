"""Server-rendered pages through the test client: sign-in with CSRF, forms rendered from JSON Schema."""
from api_client import DEMO_PASSWORD
from helpers import csrf_of, sign_in  # noqa: F401 (other branches' tests still import them from here)


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_in_needs_the_csrf_token_and_the_right_password(client):
    assert client.post("/login", data={"username": "worker1", "password": DEMO_PASSWORD}).status_code == 400
    token = csrf_of(client.get("/login").get_data(as_text=True))
    wrong = client.post("/login", data={"username": "worker1", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    assert sign_in(client, "worker1").status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "南山社工王芳" in home and "待办" in home and "登记需求" in home


def test_task_form_is_rendered_validated_and_submitted(client, api):
    need = api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    sign_in(client, "worker1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'type="radio" name="reasonable" value="true"' in page and "合理" in page
    assert '<textarea id="f-basis" name="basis"' in page
    assert "楼道灯坏了" in page  # the sandboxed instructions, rendered with the need's data
    token = csrf_of(page)
    bad = client.post(f"/tasks/{task['id']}", data={"csrf_token": token, "basis": "依据"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "此项必填" in html and ">依据</textarea>" in html  # typed text kept
    assert client.post(f"/tasks/{task['id']}", data={"reasonable": "true", "basis": "x"}).status_code == 400  # no CSRF
    done = client.post(f"/tasks/{task['id']}", data={"csrf_token": token, "reasonable": "true", "basis": "物业合同"})
    assert done.status_code == 302 and done.headers["Location"] == f"/instances/{need['instance_id']}"
    instance = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已完成：合理性研判" in instance and "职能分流" in instance and "worker1" in instance


def test_claim_and_release_from_the_task_page(client, api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    sign_in(client, "worker1")
    token = csrf_of(client.get(f"/tasks/{task['id']}").get_data(as_text=True))
    client.post(f"/tasks/{task['id']}/claim", data={"csrf_token": token})
    assert "该任务由您办理" in client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert api.task_for("worker1", "assess_reasonableness")["claimed_by"] == "worker1"
    client.post(f"/tasks/{task['id']}/release", data={"csrf_token": token})
    assert api.task_for("worker1", "assess_reasonableness")["claimed_by"] is None


def test_other_community_gets_a_403_page(client, api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    sign_in(client, "worker2")
    response = client.get(f"/tasks/{task['id']}")
    assert response.status_code == 403 and "您无权办理该任务" in response.get_data(as_text=True)
    assert task["id"] not in client.get("/inbox").get_data(as_text=True)


def test_recording_a_need_from_the_page(client):
    sign_in(client, "grid1")
    page = client.get("/needs/new").get_data(as_text=True)
    token = csrf_of(page)
    response = client.post("/needs/new", data={
        "csrf_token": token, "community": "nanshan", "title": "单元门禁损坏", "description": "5号楼门禁无法关闭",
        "category": "community_management", "channel": "party_line", "visit_type": "home_visit"})
    assert response.status_code == 302
    assert "需求已登记，查询码" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_english_on_request_and_security_headers(client):
    sign_in(client, "worker1")
    english = client.get("/?lang=en")
    assert "Inbox" in english.get_data(as_text=True)
    assert "Inbox" in client.get("/inbox").get_data(as_text=True)  # remembered
    assert english.headers["X-Frame-Options"] == "DENY" and "default-src 'self'" in english.headers["Content-Security-Policy"]


def test_instructions_cannot_reach_python(client, api):
    from app.engine import render_instructions
    assert "[instructions could not be rendered" in render_instructions(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}", {})
    assert render_instructions("{{ title }}", {"title": "<b>x</b>"}) == "<b>x</b>"  # the page escapes it
    assert render_instructions("{{ budget / present }}", {"budget": 1, "present": 0}).startswith("[instructions")
    for bomb in ('{{ "x" * 10**9 }}', "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"):
        assert render_instructions(bomb, {}).startswith("[instructions could not be rendered")
    assert render_instructions('{{ "ab" * 2 }}{% for i in range(3) %}{{ i }}{% endfor %}', {}) == "abab012"
    api.record_need(title="<script>alert(1)</script>")
    task = api.task_for("worker1", "assess_reasonableness")
    sign_in(client, "worker1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_admin_maintains_the_registers_and_others_cannot(client, api):
    sign_in(client, "admin")
    overview = client.get("/admin/registers").get_data(as_text=True)
    assert "在册 40 人" in overview and "其中请假、流动、出国 4 人" in overview  # derived from the members
    page = client.get("/admin/registers/nanshan/party_members").get_data(as_text=True)
    assert page.count("<tr") == 41 and "138****" in page and "13802000000" not in page  # phones masked
    added = client.post("/admin/registers/nanshan/party_members", data={
        "csrf_token": csrf_of(page), "name": "钱学文", "grid": "nanshan-2", "phone": "13912345678", "status": "away"})
    assert added.status_code == 302
    page = client.get("/admin/registers/nanshan/party_members").get_data(as_text=True)
    assert "钱学文" in page and "南山第2网格" in page and "139****5678" in page and "在册 41 人" in page
    bad = client.post("/admin/registers/nanshan/party_members", data={
        "csrf_token": csrf_of(page), "name": "", "phone": "-3", "status": "on_record"})
    # a refused form is shown again with each reason and 400 (issue 17); nothing of it was stored
    shown = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "姓名不能为空" in shown and "电话号码格式不对" in shown and "在册 41 人" in shown
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "worker1")
    assert client.get("/admin/registers").status_code == 403
    assert client.get("/admin/registers/nanshan/party_members").status_code == 403


def test_sign_in_only_redirects_within_the_site(client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for target, expected in (("/inbox", "/inbox"), ("//evil.example", "/"), ("/%09/evil.example", "/"),
                             ("/\\evil.example", "/"), ("https://evil.example/", "/")):
        client.post("/logout", data={"csrf_token": token})
        response = client.post(f"/login?next={target}", data={"username": "worker1", "password": DEMO_PASSWORD,
                                                               "csrf_token": token})
        assert response.headers["Location"] == expected, target


def test_the_sign_in_page_slows_down_guessing(client):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    for _ in range(10):
        assert client.post("/login", data={"username": "grid1", "password": "guess", "csrf_token": token}).status_code == 401
    blocked = client.post("/login", data={"username": "grid1", "password": DEMO_PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429 and "15" in blocked.get_data(as_text=True)
