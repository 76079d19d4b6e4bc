"""三张清单: the needs, resources and projects lists — filters, scope, pages, and exports that match the count."""
import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.workflow.models.audit import AuditEvent
from app.modules.delivery.models import FundEntry
from app.people.org import Organisation
from app.modules.decision.models import Project
from app.modules.lists.models import Resource
from helpers import csrf_of, sign_in

CHINA = timezone(timedelta(hours=8))
DEMO_RESOURCES = 5  # per community, from the demo dataset


def record_needs(api) -> dict[str, str]:
    """Two needs in 南山 and one in 北山; their tracking codes by a short name."""
    return {
        "light": api.record_need(title="楼道灯坏了")["tracking_code"],
        "clinic": api.record_need(title="希望开设健康讲座", category="health", description="老人多", grid="nanshan-2")
        ["tracking_code"],
        "north": api.record_need("worker2", title="北山停车难", community="beishan")["tracking_code"],
    }


def listed(api, name: str, user: str, query: str = "") -> dict:
    response = api.get(f"/api/lists/{name}{query}", user)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["count"] == len(body["items"])
    return body


def add_projects(app) -> None:
    """Projects written as the delivery process would leave them, with 1+X fund entries."""
    with app.extensions["db_sessions"]() as session:
        org = {o.code: o.id for o in session.scalars(select(Organisation))}
        started = datetime(2025, 5, 1, 2, tzinfo=UTC)
        rows = [
            Project(project_key="P-NS-1", community_id=org["nanshan"], title="加装电梯", status="delivering",
                    category="daily_life", budget_fen=1234550, provider_name="南山物业服务中心",
                    progress_percent=40, started_at=started),
            Project(project_key="P-NS-2", community_id=org["nanshan"], title="健康小屋", status="evaluated",
                    category="health", budget_fen=50000, started_at=started + timedelta(days=400),
                    satisfaction_avg=4.5, satisfied_share=0.9, survey_responses=10),
            Project(project_key="P-BS-1", community_id=org["beishan"], title="北山车棚", status="claiming",
                    category="daily_life", budget_fen=80000, started_at=started),
        ]
        session.add_all(rows)
        session.flush()
        session.add_all([FundEntry(project_id=rows[0].id, kind="fiscal", amount_fen=1000000),
                         FundEntry(project_id=rows[0].id, kind="donation", amount_fen=50),
                         FundEntry(project_id=rows[0].id, kind="spending", amount_fen=300025)])
        session.commit()


def exported(client, path: str, fmt: str) -> list[list]:
    """The data rows (header left out) of an export downloaded from a page."""
    response = client.get(path + ("&" if "?" in path else "?") + f"format={fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads the Chinese right
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    else:
        rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)]
    return rows[1:]


# --- needs -------------------------------------------------------------------------------------------------

def test_needs_list_is_filtered_and_scoped(api):
    codes = record_needs(api)
    mine = listed(api, "needs", "worker1")
    assert {i["tracking_code"] for i in mine["items"]} == {codes["light"], codes["clinic"]}
    assert {i["community"] for i in mine["items"]} == {"nanshan"}
    clinic = next(i for i in mine["items"] if i["tracking_code"] == codes["clinic"])
    assert clinic["category_label"] == "健康服务" and clinic["grid_name"] == "南山第2网格" and clinic["status"] == "open"
    assert [i["tracking_code"] for i in listed(api, "needs", "worker2")["items"]] == [codes["north"]]
    assert listed(api, "needs", "auditor1")["count"] == 3
    assert listed(api, "needs", "secretary1", "?community=nanshan")["count"] == 2

    year = clock.now().astimezone(CHINA).year
    today = clock.now().astimezone(CHINA).date().isoformat()
    both, light, clinic = {codes["light"], codes["clinic"]}, {codes["light"]}, {codes["clinic"]}
    for query, expected in [("?category=health", clinic), ("?status=open", both), ("?status=resolved", set()),
                            ("?q=健康讲座", clinic), (f"?q={codes['light'].lower()}", light), (f"?year={year}", both),
                            ("?year=2001", set()), (f"?from={today}&to={today}", both), ("?to=2020-01-01", set()),
                            ("?category=&status=&q=", both)]:
        assert {i["tracking_code"] for i in listed(api, "needs", "worker1", query)["items"]} == expected, query


def test_a_street_office_lists_only_the_needs_routed_to_it(api):
    record_needs(api)
    assert listed(api, "needs", "street1")["count"] == 0  # as on the cases list: nothing was escalated


@pytest.mark.parametrize("user", ["resident1", "volunteer1", "provider1", "designer1", "evaluator1"])
def test_residents_and_providers_do_not_see_the_staff_lists(api, client, user):
    for name in ("needs", "resources", "projects"):
        assert api.get(f"/api/lists/{name}", user).status_code == 403
    sign_in(client, user)
    assert client.get("/lists/needs").status_code == 403
    assert client.get("/lists/projects?format=csv").status_code == 403
    assert "/lists/needs" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("name, query, field", [
    ("needs", "?year=abc", "year"), ("needs", "?year=1999", "year"), ("needs", "?year=99999999999999999999", "year"),
    ("needs", "?from=2026-13-01", "from"), ("needs", "?from=20260101", "from"), ("needs", "?to=9999-12-31", "to"),
    ("needs", "?from=2026-03-01&to=2026-02-01", "to"), ("needs", "?category=nope", "category"),
    ("needs", "?status=running", "status"), ("needs", "?community=beishan", "community"),
    ("needs", "?community=nowhere", "community"), ("needs", "?q=" + "x" * 101, "q"),
    ("resources", "?kind=shop", "kind"), ("projects", "?status=%E5%AE%8C", "status"),
    ("projects", "?category=daily", "category"),
])
def test_bad_filters_get_400_with_the_field_named(api, client, name, query, field):
    response = api.get(f"/api/lists/{name}{query}", "worker1")
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "invalid" and field in body["fields"], body
    sign_in(client, "worker1")
    for suffix in ("", "&format=xlsx"):
        page = client.get(f"/lists/{name}{query}{suffix}")
        html = page.get_data(as_text=True)
        assert page.status_code == 400 and 'class="flash error" role="alert"' in html and "<table" in html


def test_a_bad_page_number_or_format_is_explained_on_the_page(client):
    sign_in(client, "worker1")
    for query in ("?page=0", "?page=x", "?page=99999999", "?format=pdf"):
        assert client.get(f"/lists/resources{query}").status_code == 400, query
    assert client.get("/lists/resources?page=2").status_code == 200  # past the end: simply empty


def test_needs_page_and_exports_hold_the_same_rows(api, client):
    codes = record_needs(api)
    sign_in(client, "worker1")
    page = client.get("/lists/needs").get_data(as_text=True)
    assert codes["light"] in page and codes["north"] not in page and "健康服务" in page
    assert "/lists/needs?format=xlsx" in page and "/lists/needs?format=csv" in page
    filtered = client.get("/lists/needs?category=daily_life").get_data(as_text=True)
    assert "format=csv&amp;category=daily_life" in filtered or "category=daily_life&amp;format=csv" in filtered
    for query, expected in (("", {codes["light"], codes["clinic"]}), ("?category=daily_life", {codes["light"]})):
        count = listed(api, "needs", "worker1", query)["count"]
        for fmt in ("xlsx", "csv"):
            rows = exported(client, f"/lists/needs{query}", fmt)
            assert len(rows) == count == len(expected) and {r[0] for r in rows} == expected


# --- resources ---------------------------------------------------------------------------------------------

def test_resources_are_added_validated_and_audited(app, api):
    assert listed(api, "resources", "worker1")["count"] == DEMO_RESOURCES
    assert {i["kind"] for i in listed(api, "resources", "worker2")["items"]} == {
        "unit", "organisation", "volunteer", "venue", "fund"}
    created = api.post("/api/resources", {"community": "nanshan", "kind": "venue", "name": " 南山小学礼堂 ",
                                          "capacity": "200 人", "contact": "周老师"}, "worker1")
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["name"] == "南山小学礼堂" and created.get_json()["community"] == "nanshan"
    venues = listed(api, "resources", "worker1", "?kind=venue")["items"]
    assert {v["name"] for v in venues} == {"南山党群服务中心活动室", "南山小学礼堂"}
    assert listed(api, "resources", "worker1", "?q=小学")["count"] == 1
    assert listed(api, "resources", "worker2")["count"] == DEMO_RESOURCES
    assert listed(api, "resources", "street1", "?kind=venue")["count"] == 3
    with app.extensions["db_sessions"]() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "resource_added")).one()
        assert event.actor_name == "worker1" and event.data_changes["name"] == [None, "南山小学礼堂"]

    bad = api.post("/api/resources", {"community": "beishan", "kind": "shop", "name": "", "contact": 5,
                                      "capacity": "x" * 201, "colour": "red"}, "worker1").get_json()
    assert bad["fields"] == {"community": "not one of your communities", "kind": "choose one of the offered options",
                             "name": "required", "contact": "wrong type", "capacity": "too long",
                             "colour": "unknown field"}
    assert api.post("/api/resources", ["not", "an", "object"], "worker1").status_code == 400
    unit = {"community": "nanshan", "kind": "unit", "name": "x"}
    assert api.post("/api/resources", unit, "grid1").status_code == 403
    assert api.post("/api/resources", unit, "resident1").status_code == 403
    assert api.post("/api/resources", unit | {"community": "beishan", "name": "北山超市"}, "street1").status_code == 201
    assert listed(api, "resources", "worker2")["count"] == DEMO_RESOURCES + 1


def test_adding_a_resource_from_the_page(client):
    sign_in(client, "worker1")
    assert "/lists/resources/new" in client.get("/lists/resources").get_data(as_text=True)
    token = csrf_of(client.get("/lists/resources/new").get_data(as_text=True))
    form = {"community": "nanshan", "kind": "volunteer", "name": "南山青年突击队", "capacity": "20 人"}
    assert client.post("/lists/resources/new", data=form).status_code == 400  # no CSRF token
    missing = client.post("/lists/resources/new", data=form | {"csrf_token": token, "name": ""})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "field has-error" in html and 'value="20 人"' in html
    done = client.post("/lists/resources/new", data=form | {"csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/lists/resources"
    assert "南山青年突击队" in client.get("/lists/resources?kind=volunteer").get_data(as_text=True)


def test_only_workers_add_resources_from_the_page(client):
    sign_in(client, "committee1")
    assert client.get("/lists/resources").status_code == 200
    assert client.get("/lists/resources/new").status_code == 403
    assert client.post("/lists/resources/new", data={}).status_code in (400, 403)


def test_a_long_list_is_paged_and_its_export_holds_every_row(app, api, client):
    with app.extensions["db_sessions"]() as session:
        nanshan = session.scalars(select(Organisation).where(Organisation.code == "nanshan")).one()
        session.add_all(Resource(community_id=nanshan.id, kind="volunteer", name=f"楼栋志愿小组{n:02d}")
                        for n in range(60))
        session.add(Resource(community_id=nanshan.id, kind="unit", name="=HYPERLINK(\"http://x\")"))
        session.commit()
    total = DEMO_RESOURCES + 61
    assert listed(api, "resources", "worker1")["count"] == total
    sign_in(client, "worker1")
    first, second = (client.get(f"/lists/resources?page={n}").get_data(as_text=True) for n in (1, 2))
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == total - 50
    assert "/lists/resources?page=2" in first
    for fmt in ("xlsx", "csv"):
        rows = exported(client, "/lists/resources", fmt)
        assert len(rows) == total
        formula = next(r[0] for r in rows if "HYPERLINK" in r[0])
        assert formula == ("'=HYPERLINK(\"http://x\")" if fmt == "csv" else "=HYPERLINK(\"http://x\")")
    book = load_workbook(io.BytesIO(client.get("/lists/resources?format=xlsx").data))
    assert all(c.data_type == "s" for row in book.active.iter_rows() for c in row if isinstance(c.value, str))
    assert len(exported(client, "/lists/resources?kind=volunteer", "csv")) == 61


# --- projects ----------------------------------------------------------------------------------------------

def test_projects_list_has_fund_totals_filters_and_scope(app, api):
    add_projects(app)
    mine = listed(api, "projects", "worker1")
    assert [i["project_key"] for i in mine["items"]] == ["P-NS-2", "P-NS-1"]
    lift = mine["items"][1]
    assert (lift["budget_yuan"], lift["raised_yuan"], lift["spent_yuan"], lift["balance_yuan"]) == (
        "12345.50", "10000.50", "3000.25", "7000.25")
    assert lift["raised_fen"] == 1000050 and lift["category_label"] == "生活服务"
    assert mine["items"][0]["raised_yuan"] == "0.00"
    assert [i["project_key"] for i in listed(api, "projects", "worker2")["items"]] == ["P-BS-1"]
    for query, expected in [("?status=delivering", ["P-NS-1"]), ("?category=health", ["P-NS-2"]),
                            ("?year=2025", ["P-NS-1"]), ("?year=2026", ["P-NS-2"]), ("?q=电梯", ["P-NS-1"]),
                            ("?from=2025-05-01&to=2025-05-01", ["P-NS-1"]), ("?q=南山物业", ["P-NS-1"])]:
        assert [i["project_key"] for i in listed(api, "projects", "worker1", query)["items"]] == expected, query
    assert listed(api, "projects", "district1")["count"] == 3  # the district oversees every project


def test_projects_page_and_exports_show_yuan(app, api, client):
    add_projects(app)
    sign_in(client, "secretary1")
    page = client.get("/lists/projects").get_data(as_text=True)
    assert "12345.50" in page and "7000.25" in page and "加装电梯" in page and "北山车棚" not in page
    count = listed(api, "projects", "secretary1")["count"]
    csv_rows, xlsx_rows = exported(client, "/lists/projects", "csv"), exported(client, "/lists/projects", "xlsx")
    assert len(csv_rows) == len(xlsx_rows) == count == 2
    assert {r[0] for r in csv_rows} == {r[0] for r in xlsx_rows} == {"P-NS-1", "P-NS-2"}
    lift_csv = next(r for r in csv_rows if r[0] == "P-NS-1")
    lift_xlsx = next(r for r in xlsx_rows if r[0] == "P-NS-1")
    assert lift_csv[5:9] == ["12345.50", "10000.50", "3000.25", "7000.25"] and lift_csv[3] == "生活服务"
    assert lift_xlsx[5:9] == [12345.5, 10000.5, 3000.25, 7000.25]
    evaluated = next(r for r in csv_rows if r[0] == "P-NS-2")
    assert "90.0%" in evaluated and "4.5" in evaluated
    assert len(exported(client, "/lists/projects?status=evaluated", "xlsx")) == 1


def test_the_lists_are_linked_for_staff_and_described_in_openapi(client):
    sign_in(client, "worker1")
    assert "/lists/needs" in client.get("/").get_data(as_text=True)
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/api/lists/needs", "/api/lists/resources", "/api/lists/projects", "/api/resources"} <= set(paths)
    assert {p["name"] for p in paths["/api/lists/needs"]["get"]["parameters"]} >= {"community", "year", "from", "q"}


def test_junk_never_breaks_the_lists(api):
    from test_bad_input import JUNK_BODIES
    token = api.token("worker1")
    for body in JUNK_BODIES:
        response = api.client.post("/api/resources", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert 400 <= response.status_code < 500 and response.get_json()["message"], (body, response.status_code)
    for query in ("?year=%00", "?q=%25%5F", "?community=%E4%BD%A0", "?status=open&status=x", "?from=%F0%9F%98%80"):
        response = api.get(f"/api/lists/needs{query}", "worker1")
        assert response.status_code < 500, (query, response.status_code)
