"""The community micro-fund (社区微基金, 1+X) through the API: contributions by source (a 冠名基金 with its donor),
the 结余, draws by projects at fund_project (an over-draw refused), the funding mode chosen with the provider,
the funding gap flagged at design time and the assessment's rule, the 台账 export, and the audit of each movement."""
import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.modules.decision.models import Project
from app.modules.delivery.micro_fund import fund_year
from factories import project_at_design, project_filed, public_project_id
from flows import DESIGN, project_of
from test_page_language import english_words
from helpers import events_of, page_csrf, ready, run_timers, sign_in

# The pool is a calendar year's: a test that ran across New Year's midnight (`--at` 31 December 23:59) would put
# its contribution in one year's pool and read another's, so the clock stands still in mid-year.
pytestmark = pytest.mark.usefixtures("fixed_clock")
DAY = timedelta(days=1)
POOL = "/api/micro-fund/nanshan"
NAMED = {"kind": "named_fund", "amount": 10000, "source": "张建国", "fund_name": "张氏助老基金", "note": "冠名三年"}


def contribute(api, body: dict, user: str = "worker1", community: str = "nanshan"):
    return api.post(f"/api/micro-fund/{community}/entries", body, user)


def test_contributions_by_source_make_the_balance_and_the_ledger_exports_them(app, api):
    for body in ({"kind": "fiscal", "amount": 30000}, {"kind": "donation", "amount": 5000, "source": "辖区企业"},
                 NAMED, {"kind": "sponsorship", "amount": 2000, "source": "万家超市"},
                 {"kind": "crowdfunding", "amount": "1000.50", "source": "居民众筹"}):
        made = contribute(api, body)
        assert made.status_code == 201, made.get_json()
    assert made.get_json()["balance"] == 48000.5
    # Each source says who gave it; a named fund also its name; only the five sources are contributions.
    for body, field in (({"kind": "named_fund", "amount": 100, "source": "李四"}, "fund_name"),
                        ({"kind": "named_fund", "amount": 100, "fund_name": "无名基金"}, "source"),
                        ({"kind": "donation", "amount": 100}, "source"),
                        ({"kind": "draw", "amount": 100, "source": "自取"}, "kind"),
                        ({"kind": "fiscal", "amount": -5}, "amount")):
        refused = contribute(api, body)
        assert refused.status_code == 400 and field in refused.get_json()["fields"], (body, refused.get_json())
    assert contribute(api, {"kind": "donation", "amount": 1, "source": "外社区"}, "worker2").status_code == 403
    assert contribute(api, {"kind": "donation", "amount": 1, "source": "志愿者"}, "volunteer1").status_code == 403

    pool = api.get(POOL, "worker1").get_json()
    totals = pool["totals"]
    assert pool["year"] == fund_year()
    assert (totals["fiscal"], totals["donation"], totals["named_fund"], totals["sponsorship"],
            totals["crowdfunding"]) == (30000, 5000, 10000, 2000, 1000.5)
    assert (totals["income"], totals["drawn"], totals["balance"]) == (48000.5, 0, 48000.5)
    named = [e for e in pool["entries"] if e["kind"] == "named_fund"]
    assert [(e["source"], e["fund_name"], e["amount"]) for e in named] == [("张建国", "张氏助老基金", 10000)]
    assert [e["source"] for e in pool["entries"] if e["kind"] == "fiscal"] == ["财政资金"]
    assert api.get(POOL, "worker2").status_code == 403  # 北山's worker does not see 南山's fund
    assert api.get("/api/micro-fund/beishan", "worker2").get_json()["totals"]["balance"] == 0
    assert api.get(f"{POOL}?year={fund_year() - 1}", "worker1").get_json()["entries"] == []  # a year of its own
    assert api.get(f"{POOL}?year=soon", "worker1").status_code == 400

    exported = api.get(f"{POOL}/export?format=csv", "worker1")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0] == ["日期", "收支类别", "来源或项目", "冠名基金名称", "收入（元）", "支出（元）", "结余（元）", "备注"]
    assert [r[1:5] for r in rows[1:]] == [["财政资金", "财政资金", "", "30000.00"], ["社会捐赠", "辖区企业", "", "5000.00"],
                                         ["冠名基金", "张建国", "张氏助老基金", "10000.00"],
                                         ["企业赞助", "万家超市", "", "2000.00"], ["众筹", "居民众筹", "", "1000.50"]]
    assert rows[-1][6] == "48000.50"  # the running 结余
    book = load_workbook(io.BytesIO(api.get(f"{POOL}/export", "worker1").data))
    sheet = book.worksheets[0]
    assert sheet.max_row == 6 and sheet.cell(4, 4).value == "张氏助老基金"
    assert api.get(f"{POOL}/export?format=pdf", "worker1").status_code == 400

    events = events_of(app, "micro_fund_contribution")
    assert len(events) == 5 and {e.data_changes["kind"] for e in events} == {
        "fiscal", "donation", "named_fund", "sponsorship", "crowdfunding"}
    assert events[2].data_changes["fund_name"] == "张氏助老基金" and events[2].actor_name == "worker1"


def test_the_micro_fund_page_shows_the_pool_and_records_a_contribution(app, api, client):
    sign_in(client, "worker1")
    page = client.get("/micro-fund/nanshan")
    assert page.status_code == 200 and "社区微基金台账" in page.text and "结余" in page.text
    token = page_csrf(client, "/micro-fund/nanshan")
    bad = client.post("/micro-fund/nanshan", data={"kind": "named_fund", "amount": "800", "source": "王女士",
                                                   "csrf_token": token})
    assert bad.status_code == 400 and "请填写冠名基金的名称" in bad.text and 'value="王女士"' in bad.text
    for amount, said in (("abc", "请以元为单位填写金额，例如 1200.50"), ("1.234", "金额须为正数，最多两位小数")):
        wrong = client.post("/micro-fund/nanshan", data={"kind": "donation", "amount": amount, "source": "王女士",
                                                         "csrf_token": token})
        assert wrong.status_code == 400 and said in wrong.text and english_words(wrong.text) == []
    done = client.post("/micro-fund/nanshan", data={"kind": "named_fund", "amount": "800", "source": "王女士",
                                                    "fund_name": "王氏助学基金", "csrf_token": token},
                       follow_redirects=True)
    assert done.status_code == 200 and "王氏助学基金" in done.text and "800.00" in done.text
    assert english_words(done.text) == []  # a Chinese page, with a movement on it
    assert api.get(POOL, "worker1").get_json()["totals"]["named_fund"] == 800
    assert client.get("/micro-fund").headers["Location"].endswith("/micro-fund/nanshan")  # one community: its fund
    street = app.test_client()
    sign_in(street, "street1")
    listed = street.get("/micro-fund")
    assert listed.status_code == 200 and "南山社区" in listed.text and "北山社区" in listed.text and "800.00" in listed.text
    volunteer = app.test_client()
    sign_in(volunteer, "volunteer1")
    assert volunteer.get("/micro-fund").status_code == 403 and volunteer.get("/micro-fund/nanshan").status_code == 403


def test_an_uncovered_budget_is_flagged_at_design_and_the_assessment_needs_a_reason(app, api, client):
    assert contribute(api, {"kind": "fiscal", "amount": 5000}).status_code == 201
    need = project_at_design(api)
    iid = need["instance_id"]
    design = api.get(f"/api/tasks/{api.task_for('worker1', 'design_project', iid)['id']}", "worker1").get_json()
    assert "社区微基金本年度结余：5,000.00 元" in design["instructions"]
    # 50,000 budget: 30,000 fiscal + 10,000 raised + 8,000 planned from a pool holding 5,000 → 5,000 uncovered.
    api.complete("worker1", "design_project", DESIGN | {"funding_other": 10000, "funding_pool": 8000}, iid)
    pid = project_of(api, iid)
    plan = api.get(f"/api/projects/{pid}/fund", "worker1").get_json()["plan"]
    assert (plan["budget"], plan["funding_gap"]) == (50000, 5000)
    assert [e.data_changes["funding_gap"][1] for e in events_of(app, "funding_gap_flagged")] == [5000]
    sign_in(client, "worker1")
    assert "资金缺口：5,000.00 元" in client.get(f"/projects/{pid}").text  # the project's page flags it too
    task = api.task_for("secretary1", "project_assessment", iid)
    shown = api.get(f"/api/tasks/{task['id']}", "secretary1").get_json()["instructions"]
    assert "资金缺口：5,000.00 元" in shown and "已落实资金 45,000.00 元" in shown

    passing = {"feasible": True, "risk": "低", "fit": "契合居民需求"}
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": passing}, "secretary1")
    body = refused.get_json()
    assert refused.status_code == 400 and set(body["fields"]) == {"funding_gap_reason"}, body
    assert "5,000.00" in body["message"] and "a budget must be covered by funding" in body["message"]
    assert ready(api, "secretary1", iid) == ["project_assessment"]  # nothing moved
    api.complete("secretary1", "project_assessment", passing | {"funding_gap_reason": "街道承诺追加 5000 元"}, iid)
    assert "project_assessment" not in ready(api, "secretary1", iid)
    accepted = events_of(app, "funding_gap_accepted")
    assert [(e.data_changes["funding_gap"], e.data_changes["reason"]) for e in accepted] == [(5000, "街道承诺追加 5000 元")]


def test_a_covered_budget_passes_the_assessment_without_a_reason(app, api):
    need = project_at_design(api)
    iid = need["instance_id"]
    api.complete("worker1", "design_project", DESIGN, iid)  # 30,000 fiscal + 20,000 raised cover 50,000
    assert api.get(f"/api/projects/{project_of(api, iid)}/fund", "worker1").get_json()["plan"]["funding_gap"] == 0
    api.complete("secretary1", "project_assessment", {"feasible": True, "risk": "低", "fit": "契合"}, iid)
    assert events_of(app, "funding_gap_flagged") == [] and len(events_of(app, "funding_planned")) == 1


def test_fund_project_draws_on_the_pool_and_an_over_draw_is_refused(app, api):
    need, at = project_filed(app, api, "社区助餐点改造")
    iid = need["instance_id"]
    api.complete("worker1", "publish_project", {"claim_days": 7, "report_interval_days": 14}, iid)
    pid = public_project_id(api, "社区助餐点改造")
    assert api.post(f"/api/projects/{pid}/applications", {"unit_name": "阳光社工服务中心", "plan": "两周完成"},
                    "provider1").status_code == 201
    run_timers(app, at + 7 * DAY + timedelta(minutes=5))
    select_task = api.task_for("worker1", "select_provider", iid)
    modes = api.get(f"/api/tasks/{select_task['id']}", "worker1").get_json()["form"]["schema"]["properties"]
    assert [o["const"] for o in modes["funding_mode"]["oneOf"]] == [
        "direct_grant", "reward_subsidy", "government_purchase", "venture_philanthropy"]
    assert [o["const"] for o in modes["selection_mode"]["oneOf"]] == ["roadshow", "review", "self_run"]
    assert contribute(api, {"kind": "fiscal", "amount": 12000}).status_code == 201
    assert contribute(api, NAMED).status_code == 201
    no_mode = api.post(f"/api/tasks/{select_task['id']}/complete", {"data": {
        "selection_mode": "review", "provider": "provider1", "selection_reason": "评审"}}, "worker1")
    assert no_mode.status_code == 400 and "funding_mode" in no_mode.get_json()["fields"]
    api.complete("worker1", "select_provider", {"selection_mode": "review", "funding_mode": "reward_subsidy",
                                                "provider": "provider1", "selection_reason": "评审得分最高"}, iid)
    assert api.get(f"/api/public/projects/{pid}").get_json()["funding_mode"] == "reward_subsidy"

    task = api.task_for("worker1", "fund_project", iid)
    assert "社区微基金本年度结余：22,000.00 元" in api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["instructions"]
    over = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"fiscal_amount": 30000, "pool_amount": 22000.01}},
                    "worker1")
    body = over.get_json()
    assert over.status_code == 400 and set(body["fields"]) == {"pool_amount"}, body
    assert "22,000.01" in body["message"] and "22,000.00" in body["message"]
    assert api.get(f"/api/projects/{pid}/fund", "worker1").get_json()["entries"] == []  # nothing was recorded
    api.complete("worker1", "fund_project", {"fiscal_amount": 30000, "pool_amount": 20000}, iid)

    ledger = api.get(f"/api/projects/{pid}/fund", "worker1").get_json()
    assert (ledger["totals"]["fiscal"], ledger["totals"]["micro_fund"], ledger["totals"]["balance"]) == (
        30000, 20000, 50000)
    drawn_line = [e for e in ledger["entries"] if e["kind"] == "micro_fund"]
    assert len(drawn_line) == 1 and drawn_line[0]["source"] == "社区微基金" and drawn_line[0]["pool_entry_id"]
    pool = api.get(POOL, "worker1").get_json()
    assert (pool["totals"]["drawn"], pool["totals"]["balance"]) == (20000, 2000)
    draw = [e for e in pool["entries"] if e["kind"] == "draw"]
    assert [(e["project_id"], e["project"], e["amount"]) for e in draw] == [(pid, "社区助餐点改造", 20000)]
    assert draw[0]["id"] == drawn_line[0]["pool_entry_id"]

    # Later draws go through the project's ledger, and never past the 结余 either.
    too_much = api.post(f"/api/projects/{pid}/fund", {"kind": "micro_fund", "amount": 2000.01}, "worker1")
    assert too_much.status_code == 400 and "amount" in too_much.get_json()["fields"]
    assert api.post(f"/api/projects/{pid}/fund", {"kind": "micro_fund", "amount": 2000}, "worker1").status_code == 201
    assert api.get(POOL, "worker1").get_json()["totals"]["balance"] == 0
    # A named fund straight into the project's ledger is accepted too, naming its donor.
    named = api.post(f"/api/projects/{pid}/fund", {"kind": "named_fund", "amount": 500, "source": "赵女士",
                                                   "note": "赵氏爱心基金"}, "worker1")
    assert named.status_code == 201 and named.get_json()["balance"] == 52500
    unnamed = api.post(f"/api/projects/{pid}/fund", {"kind": "named_fund", "amount": 500}, "worker1")
    assert unnamed.status_code == 400 and "source" in unnamed.get_json()["fields"]

    draws = events_of(app, "micro_fund_drawn")
    assert [(e.data_changes["amount"][1], e.data_changes["micro_fund_balance"]) for e in draws] == [(20000, [22000, 2000]),
                                                                             (2000, [2000, 0])]
    assert draws[0].instance_id == iid  # the draw at fund_project is audited on the case
    rows = list(csv.reader(io.StringIO(api.get(f"{POOL}/export?format=csv", "worker1").data.decode("utf-8-sig"))))
    assert [(r[1], r[2], r[5], r[6]) for r in rows[3:]] == [("拨付项目", "社区助餐点改造", "20000.00", "2000.00"),
                                                            ("拨付项目", "社区助餐点改造", "2000.00", "0.00")]
    with app.extensions["db_sessions"]() as session:
        project = session.scalars(select(Project).where(Project.id == pid)).one()
        assert project.funding_mode == "reward_subsidy" and project.status == "delivering"


@pytest.mark.parametrize("amount, fen", [(0.145, 15), ("12.5", 1250), (50000, 5_000_000), (None, 0), (-3, 0),
                                         ("abc", 0)])
def test_a_diagrams_amount_is_counted_in_decimal_fen_not_binary_floats(amount, fen):
    from app.modules.delivery.helpers import _fen
    assert _fen(amount) == fen
