"""双向评价 (source 001): the community rates the body that handled its need on 指导、服务、支付、行政干预; the
street rates each of its communities once a quarter; the dashboard shows both, per body and per community."""
from datetime import UTC, datetime

import pytest
from factories import assessed_need
from flows import OK
from helpers import csrf_of, events_of, frozen_at, run_sql, sign_in
from sqlalchemy import select
from test_page_language import english_words

from app.modules.evaluation.models import DepartmentRating

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FOUR = ("guidance", "service", "payment", "interference")
# Mid-quarter, China time: 2026-Q2 is this quarter, 2026-Q1 the one just ended.
MAY = datetime(2026, 5, 20, 2, 0, tzinfo=UTC)
DUTIES = {"need_response": 5, "handling_quality": 4, "democratic_procedure": 3, "resident_satisfaction": 4}


def handled(api, by: str = "street", title: str = "路灯不亮") -> int:
    """A government need resolved by the street (or, dispatched, by the district), waiting at rate_department."""
    iid = assessed_need(api, "government", assessment=OK, category="government", title=title)["instance_id"]
    if by == "street":
        api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "已修复"}, iid)
    else:
        api.complete("street1", "street_handle", {"street_decision": "dispatch", "assigned_department": "zhifu-mz",
                                                  "street_resolution": "派单"}, iid)
        api.complete("district1", "district_handle", {"district_decision": "resolved",
                                                      "district_resolution": "已修复"}, iid)
    return iid


def rate(api, iid: int, scores: tuple, comment: str | None = None, status: int = 200):
    data = dict(zip(FOUR, scores)) | ({"rating_comment": comment} if comment is not None else {})
    return api.complete("worker1", "rate_department", data, iid, status=status)


def ratings_of(app) -> list[DepartmentRating]:
    with app.extensions["db_sessions"]() as session:
        return list(session.scalars(select(DepartmentRating).order_by(DepartmentRating.id)))


def two_way(api, user: str = "street1", query: str = "") -> dict:
    response = api.get(f"/api/dashboard{query}", user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["two_way"]


# The community rates the handling body ---------------------------------------------------------------------------

def test_the_community_rates_the_street_on_four_dimensions_stored_and_shown_per_body(app, api, client):
    first, second = handled(api), handled(api, title="井盖松动")
    rate(api, first, (4, 5, 3, 5), "响应及时")
    rate(api, second, (2, 3, 3, 4))
    stored = ratings_of(app)
    assert [(r.guidance, r.service, r.payment, r.interference, r.comment) for r in stored] == [
        (4, 5, 3, 5, "响应及时"), (2, 3, 3, 4, "")]
    assert {r.instance_id for r in stored} == {first, second}
    assert [e.summary.split(": ")[1] for e in events_of(app, "department_rated")] == ["幸福街道", "幸福街道"]
    departments = two_way(api)["departments"]
    assert departments == [{"key": "xingfu", "name": "幸福街道", "kind": "street", "count": 2, "guidance": 3.0,
                            "service": 4.0, "payment": 3.0, "interference": 4.5, "average": 3.62}]
    sign_in(client, "street1")
    page = client.get("/dashboard").get_data(as_text=True)
    row = page.split('data-table="department-ratings"')[1].split("</table>")[0]
    assert 'data-key="xingfu" data-count="2"' in row and "幸福街道" in row
    assert 'data-dimension="interference" data-value="4.5"' in row and 'data-dimension="guidance" data-value="3.0"' in row
    assert "行政干预" in page and "支付" in page and english_words(page) == []
    history = client.get(f"/instances/{first}/history").get_data(as_text=True)
    assert "社区评价承办部门" in history and "承办单位" in history and english_words(history) == []


def test_a_need_a_department_resolved_rates_that_department(app, api):
    iid = handled(api, by="district")
    rate(api, iid, (5, 4, 4, 3))
    assert {d["key"]: d["count"] for d in two_way(api, "district1")["departments"]} == {"zhifu-mz": 1}
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]["rated_body"] == "district"


def test_bad_scores_are_refused_with_the_fields_and_nothing_is_stored(app, api, client):
    iid = handled(api)
    refused = rate(api, iid, (6, 0, 3, 3), status=400)
    assert refused["fields"] == {"guidance": "out of range", "service": "out of range"}
    missing = api.complete("worker1", "rate_department", {"guidance": 3, "service": 3, "payment": 3}, iid, status=400)
    assert missing["fields"] == {"interference": "required"}
    typed = rate(api, iid, ("4", 4, 4, True), status=400)
    assert set(typed["fields"]) == {"guidance", "interference"}
    assert ratings_of(app) == [] and api.task_for("worker1", "rate_department", iid)
    sign_in(client, "worker1")  # the page says it in Chinese
    task = api.task_for("worker1", "rate_department", iid)
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "指导" in page and "行政干预" in page and "5 没有不当干预" in page
    answer = client.post(f"/tasks/{task['id']}", data={"csrf_token": csrf_of(page), "guidance": "9",
                                                      "service": "3", "payment": "3", "interference": "3"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "有些内容需要修改" in text and "超出允许范围" in text
    assert english_words(text) == ["Word"]  # the attachment help names Word files, on every task form
    assert ratings_of(app) == []


def test_the_helper_takes_rated_org_a_department_and_refuses_a_body_outside_the_case(app, api):
    from app.errors import Refusal
    from app.modules.evaluation.helpers import record_department_rating
    from app.people.models import User
    from app.people.org import Organisation
    from app.workflow.helpers import bound_to
    from app.workflow.models.instance import Instance
    iid = handled(api)
    with app.extensions["db_sessions"]() as session:
        session.add(Organisation(code="elsewhere", name="别区", kind="district"))  # zhifu-cg: the demo's 城市管理局
        session.flush()
        worker = session.scalars(select(User).where(User.username == "worker1")).one()
        with bound_to(session, worker, session.get(Instance, iid)):
            assert record_department_rating("zhifu-cg", 4, 4, 4, 4, None) > 0
            for outside in ("elsewhere", "nanshan", "nowhere"):
                with pytest.raises(Refusal):
                    record_department_rating(outside, 4, 4, 4, 4, "")
            with pytest.raises(Refusal):
                record_department_rating("zhifu-cg", 4, 4, 4, 7, "")
        session.commit()
    assert {d["key"]: d["name"] for d in two_way(api)["departments"]} == {"zhifu-cg": "芝罘区城市管理局"}


def test_earlier_single_score_ratings_stay_readable(app, api):
    iid = handled(api)
    rate(api, iid, (4, 4, 4, 4))
    # A rating made with the earlier one-score form keeps its score in the task's submitted values.
    run_sql(app, "UPDATE task_span SET result = :result WHERE instance_id = :iid AND bpmn_id = 'rate_department'",
            result='{"score": 2}', iid=iid)
    run_sql(app, "DELETE FROM department_rating")
    figures = two_way(api)
    assert figures["earlier_scores"] == [{"key": "street", "count": 1, "average": 2.0}]
    assert figures["departments"] == []


# The street rates its communities --------------------------------------------------------------------------------

def test_the_street_rates_a_community_for_a_quarter_and_the_dashboard_shows_it(app, api, client):
    with frozen_at(MAY):
        made = api.post("/api/community-ratings", {"community": "nanshan", **DUTIES, "comment": "民主程序需加强"},
                        "street1")
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["period"] == "2026-Q2" and made.get_json()["democratic_procedure"] == 3
        earlier = api.post("/api/community-ratings", {"community": "nanshan", "period": "2026-Q1",
                                                      **dict.fromkeys(DUTIES, 2)}, "street1")
        assert earlier.status_code == 201
        changed = api.post("/api/community-ratings", {"community": "nanshan", **DUTIES, "democratic_procedure": 5},
                           "street1")
        assert changed.status_code == 200 and changed.get_json()["democratic_procedure"] == 5
        listed = api.get("/api/community-ratings", "street1").get_json()
        assert listed["open_periods"] == ["2026-Q2", "2026-Q1"]
        assert {c["community"]: (c["rating"] or {}).get("need_response") for c in listed["communities"]} == \
            {"nanshan": 5, "beishan": None}
        communities = {c["key"]: c for c in two_way(api)["communities"]}
        assert communities["nanshan"] == {
            "key": "nanshan", "name": "南山社区", "count": 2, "need_response": 3.5, "handling_quality": 3.0,
            "democratic_procedure": 3.5, "resident_satisfaction": 3.0, "average": 3.25, "latest_period": "2026-Q2",
            "latest_comment": ""}
        assert communities["beishan"]["count"] == 0 and communities["beishan"]["average"] is None
        assert two_way(api, query="?year=2025")["communities"][0]["count"] == 0
        events = [e.event_type for e in events_of(app, "community_rated") + events_of(app, "community_rating_changed")]
        assert sorted(events) == ["community_rated", "community_rated", "community_rating_changed"]
        sign_in(client, "street1")
        page = client.get("/dashboard").get_data(as_text=True)
        table = page.split('data-table="community-ratings"')[1].split("</table>")[0]
        assert 'data-key="nanshan" data-count="2"' in table and "2026年第2季度" in table
        assert 'data-dimension="democratic_procedure" data-value="3.5"' in table and english_words(page) == []


def test_a_quarter_is_rated_until_the_end_of_the_next_and_never_ahead(api):
    with frozen_at(MAY):
        closed = api.post("/api/community-ratings", {"community": "nanshan", "period": "2025-Q4", **DUTIES}, "street1")
        assert closed.status_code == 409
        ahead = api.post("/api/community-ratings", {"community": "nanshan", "period": "2026-Q3", **DUTIES}, "street1")
        assert ahead.status_code == 400 and ahead.get_json()["fields"] == {"period": "not begun"}
        bad = api.post("/api/community-ratings", {"community": "nanshan", "period": "2026-5", **DUTIES}, "street1")
        assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"period"}
    # 1 July 00:30 in China is still 30 June in UTC: the quarter is China's.
    api.tokens.clear()  # six weeks on, the morning's tokens have expired
    with frozen_at(datetime(2026, 6, 30, 16, 30, tzinfo=UTC)):
        made = api.post("/api/community-ratings", {"community": "beishan", **DUTIES}, "street1")
        assert made.get_json()["period"] == "2026-Q3"


def test_bad_scores_for_a_community_are_refused_with_a_clear_message(api, client):
    with frozen_at(MAY):
        refused = api.post("/api/community-ratings", {"community": "nanshan", **DUTIES, "need_response": 0,
                                                      "handling_quality": "4", "resident_satisfaction": None},
                           "street1")
        assert refused.status_code == 400
        assert refused.get_json()["fields"] == dict.fromkeys(
            ("need_response", "handling_quality", "resident_satisfaction"), "a whole number from 1 to 5")
        assert refused.get_json()["message"] == "each score is a whole number from 1 to 5"
        assert api.post("/api/community-ratings", {"community": "nowhere", **DUTIES}, "street1").status_code == 400
        sign_in(client, "street1")
        page = client.get("/ratings/communities").get_data(as_text=True)
        form = {"csrf_token": csrf_of(page), "community": "nanshan", "period": "2026-Q2", **DUTIES,
                "need_response": "7", "comment": "已核查"}
        answer = client.post("/ratings/communities", data=form)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "每项评分为 1 到 5 的整数" in text and "已核查" in text
        assert english_words(text) == []
        assert api.get("/api/community-ratings", "street1").get_json()["communities"][1]["rating"] is None


def test_the_street_page_rates_and_changes_a_rating(api, client):
    with frozen_at(MAY):
        sign_in(client, "street1")
        page = client.get("/ratings/communities").get_data(as_text=True)
        assert "需求响应" in page and "民主程序" in page and "2026年第2季度" in page and english_words(page) == []
        form = {"csrf_token": csrf_of(page), "community": "beishan", "period": "2026-Q2", "comment": "按时办结",
                **{k: str(v) for k, v in DUTIES.items()}}
        answer = client.post("/ratings/communities", data=form, follow_redirects=True)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "已评价：北山社区，2026年第2季度" in text
        assert 'data-community="beishan" data-rated="true"' in text and "按时办结" in text
        again = client.post("/ratings/communities", data=form | {"handling_quality": "2"}, follow_redirects=True)
        assert "评价已修改：北山社区，2026年第2季度" in again.get_data(as_text=True)
        rating = api.get("/api/community-ratings", "street1").get_json()["communities"][0]
        assert rating["community"] == "beishan" and rating["rating"]["handling_quality"] == 2


# Scope -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def other_street(app):
    """A second street (安乐街道) with one community (东山社区) and its officer street2 (street1's password)."""
    run_sql(app, "INSERT INTO organisation (code, name, kind, parent_id) "
                 "SELECT 'anle', '安乐街道', 'street', id FROM organisation WHERE code = 'zhifu'")
    run_sql(app, "INSERT INTO organisation (code, name, kind, parent_id) "
                 "SELECT 'dongshan', '东山社区', 'community', id FROM organisation WHERE code = 'anle'")
    run_sql(app, "INSERT INTO user_account (username, display_name, password_hash, org_id, is_active, created_at) "
                 "SELECT 'street2', '安乐街道办', password_hash, (SELECT id FROM organisation WHERE code = 'anle'), "
                 "is_active, created_at FROM user_account WHERE username = 'street1'")
    run_sql(app, "INSERT INTO user_role (user_id, role) SELECT id, 'street_officer' FROM user_account "
                 "WHERE username = 'street2'")


def test_a_street_rates_only_its_own_communities(api, client, other_street):
    with frozen_at(MAY):
        assert api.post("/api/community-ratings", {"community": "dongshan", **DUTIES}, "street1").status_code == 403
        refused = api.post("/api/community-ratings", {"community": "nanshan", **DUTIES}, "street2")
        assert refused.status_code == 403
        assert api.post("/api/community-ratings", {"community": "dongshan", **DUTIES}, "street2").status_code == 201
        assert [c["community"] for c in api.get("/api/community-ratings", "street2").get_json()["communities"]] == \
            ["dongshan"]
        assert [c["key"] for c in two_way(api, "street1")["communities"]] == ["beishan", "nanshan"]
        for user in ("worker1", "district1", "secretary1"):
            assert api.post("/api/community-ratings", {"community": "nanshan", **DUTIES}, user).status_code == 403
        # The community reads its own rating; a resident reads none.
        assert [c["community"] for c in api.get("/api/community-ratings", "worker1").get_json()["communities"]] == \
            ["nanshan"]
        assert api.get("/api/community-ratings", "resident1").status_code == 403
        sign_in(client, "street2")
        page = client.get("/ratings/communities").get_data(as_text=True)
        form = {"csrf_token": csrf_of(page), "community": "nanshan", "period": "2026-Q2",
                **{k: str(v) for k, v in DUTIES.items()}}
        assert client.post("/ratings/communities", data=form).status_code == 403
