"""Filing (一备案) through the API: the street's deadline in working days, the filing number (per street and
year, sequential, unique when two are filed at once), the printable receipt, and rejected projects filed too."""
import re
import threading
import time
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.db import writing
from app.modules.decision.models import Project
from app.modules.filing.models import Filing
from app.modules.filing.operations import file_project
from app.workflow.helpers import CHINA
from flows import rejected_project, MEETING_DAYS_AGO, chinese_day_ago, to_disclosure, to_project
from helpers import events_of, ready, run_timers, sign_in

DAY = timedelta(days=1)


def project_id(app, tracking_code: str) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(Project.id).where(Project.project_key == tracking_code))


def on_filing_desk(app, api, title: str = "小区需要一个文化活动室") -> tuple[dict, datetime]:
    """A project through its five deliberations and publicity period: street_filing ready; the pass instant."""
    need = to_project(api, title)
    to_disclosure(api, need["instance_id"])
    at = clock.now() + 7 * DAY + timedelta(minutes=5)
    run_timers(app, at)
    assert ready(api, "street1", need["instance_id"]) == ["street_filing"]
    return need, at


def page(app, username: str, path: str):
    """GET a page signed in as `username` (its own client: its own session)."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client.get(path)


def test_a_filed_project_has_a_number_and_a_receipt_the_community_prints(app, api):
    suggested, reviewed = (chinese_day_ago(MEETING_DAYS_AGO[m]) for m in ("resident_suggestion", "party_members_review"))
    need, at = on_filing_desk(app, api)
    filed_at = at + timedelta(minutes=1)
    with clock.frozen_at(filed_at):
        api.complete("street1", "street_filing", {"filing_decision": "filed"}, need["instance_id"])
    today = filed_at.astimezone(CHINA).date()
    pid = project_id(app, need["tracking_code"])
    filing = api.get(f"/api/public/projects/{pid}").get_json()["filing"]
    assert filing == {"number": f"芝罘区-幸福街道-{today.year}-0001", "outcome": "filed", "filed_on": today.isoformat(),
                      "note": "", "receipt_url": filing["receipt_url"]}
    data = api.get(f"/api/instances/{need['instance_id']}", "worker1").get_json()["data"]
    assert data["filing_number"] == filing["number"]
    for username in ("worker1", "secretary1", "street1"):
        response = page(app, username, filing["receipt_url"])
        assert response.status_code == 200, username
        html = response.get_data(as_text=True)
        for text in ("备案回执", f"备案号：<strong data-number>{filing['number']}</strong>", "小区需要一个文化活动室",
                     "南山社区", "予以备案", f"{today.year}年{today.month}月{today.day}日", "幸福街道办事处（盖章）",
                     "群众建议", suggested, "党员大会审议", reviewed, "决议公开"):
            assert text in html, text
        assert not re.search(r"\d{4}-\d{2}-\d{2}", html.split("<main", 1)[-1]), "an ISO date on the receipt"
    project_page = page(app, "worker1", f"/projects/{pid}").get_data(as_text=True)
    assert filing["receipt_url"] in project_page and filing["number"] in project_page
    assert page(app, "resident1", filing["receipt_url"]).status_code == 403
    assert page(app, "worker2", filing["receipt_url"]).status_code == 403  # 北山社区's worker
    assert app.test_client().get(filing["receipt_url"]).status_code == 302  # sign in first
    assert [(e.summary, e.instance_id, e.actor_name) for e in events_of(app, "decision_filed")] == [
        (f"{filing['number']}: 小区需要一个文化活动室", need["instance_id"], "street1")]


def test_two_filings_in_one_street_and_year_get_consecutive_numbers(app, api):
    first, at = on_filing_desk(app, api)
    second, _ = on_filing_desk(app, api, "楼道需要安装扶手")
    with clock.frozen_at(at + timedelta(days=1)):
        api.complete("street1", "street_filing", {"filing_decision": "filed"}, second["instance_id"])
        api.complete("street1", "street_filing", {"filing_decision": "filed"}, first["instance_id"])
    year = (at + timedelta(days=1)).astimezone(CHINA).year
    numbers = [api.get(f"/api/public/projects/{project_id(app, n['tracking_code'])}").get_json()["filing"]["number"]
               for n in (second, first)]
    assert numbers == [f"芝罘区-幸福街道-{year}-0001", f"芝罘区-幸福街道-{year}-0002"]


def test_filings_made_at_the_same_moment_take_different_numbers(app, api):
    """Two transactions filing in one street: the second waits for the first to commit, then takes the next."""
    keys = [to_project(api)["tracking_code"], to_project(api, "楼道需要安装扶手")["tracking_code"]]
    sessions, day, numbers = app.extensions["db_sessions"], date(2026, 12, 7), {}

    def project(session, key):
        return session.scalars(select(Project).where(Project.project_key == key)).one()

    def second_filing():
        with writing(), sessions() as session:
            numbers["second"] = file_project(session, project(session, keys[1]), "filed", "", None, day).number
            session.commit()

    with writing(), sessions() as session:
        numbers["first"] = file_project(session, project(session, keys[0]), "filed", "", None, day).number
        session.flush()
        other = threading.Thread(target=second_filing)
        other.start()
        time.sleep(0.5)  # the other transaction now waits on this one (the street's row, or the write lock)
        assert "second" not in numbers
        session.commit()
    other.join(timeout=20)
    assert numbers == {"first": "芝罘区-幸福街道-2026-0001", "second": "芝罘区-幸福街道-2026-0002"}
    with sessions() as session:
        assert sorted(session.scalars(select(Filing.sequence))) == [1, 2]


def test_a_rejected_project_is_filed_too_with_the_reason(app, api):
    need = rejected_project(api)
    today = clock.now().astimezone(CHINA).date()
    filing = api.get(f"/api/public/projects/{project_id(app, need['tracking_code'])}").get_json()["filing"]
    assert (filing["number"], filing["outcome"], filing["note"]) == (
        f"芝罘区-幸福街道-{today.year}-0001", "rejected", "选址存在消防隐患")
    html = page(app, "street1", filing["receipt_url"]).get_data(as_text=True)
    for text in ("备案回执", filing["number"], "未通过，不予实施", "不予实施原因", "选址存在消防隐患", "党组织提议",
                 "未通过", "幸福街道办事处（盖章）"):
        assert text in html, text
    told = api.get("/api/notifications", "street1").get_json()["notifications"]
    assert any(filing["number"] in n["message"] and "不予实施" in n["message"] for n in told)


def test_the_street_deadline_counts_working_days_across_national_day(app, api):
    """The filing timer's due date comes from the working-day calendar: the street gets its task on 30
    September of a year the package does not know, whose National Day an administrator recorded."""
    need = to_project(api)
    to_disclosure(api, need["instance_id"])
    earliest = (clock.now() + 7 * DAY + timedelta(minutes=5)).astimezone(CHINA).date()
    year = earliest.year + (earliest >= date(earliest.year, 9, 30))  # the next 30 September after the publicity
    holidays = [date(year, 10, d) for d in range(1, 8)]
    adjusted = next(d for d in (date(year, 10, n) for n in range(8, 15)) if d.weekday() >= 5)  # 调休上班
    for day in holidays:
        assert api.post("/api/admin/calendar", {"day": day.isoformat(), "is_working_day": False, "note": "国庆节"},
                        "admin").status_code == 201
    assert api.post("/api/admin/calendar", {"day": adjusted.isoformat(), "is_working_day": True,
                                            "note": "国庆节调休上班"}, "admin").status_code == 201
    run_timers(app, datetime(year, 9, 30, 9, 0, tzinfo=CHINA))
    task = api.task_for("street1", "street_filing", need["instance_id"])
    # Ten working days after 30 September: Monday to Friday outside 1–7 October, plus the adjusted day.
    expected, counted = date(year, 9, 30), 0
    while counted < 10:
        expected += DAY
        counted += expected == adjusted or (expected.weekday() < 5 and expected not in holidays)
    assert datetime.fromisoformat(task["due_at"]) == datetime(expected.year, expected.month, expected.day, 17, 30,
                                                              tzinfo=CHINA)
    assert expected >= date(year, 10, 14)  # a week of holidays pushed it past the plain two weeks
    assert events_of(app, "working_days_assumed") == []  # the recorded year is known, not assumed
    # Overdue: the street is reminded and the district told; the task stays with the street.
    run_timers(app, datetime.fromisoformat(task["due_at"]) + timedelta(minutes=1))
    assert ready(api, "street1", need["instance_id"]) == ["street_filing"]
    told = api.get("/api/notifications", "district1").get_json()["notifications"]
    assert any("街道备案已超过 10 个工作日" in n["message"] for n in told)


def test_a_year_nobody_knows_is_counted_monday_to_friday_and_says_so(app, api):
    need = to_project(api)
    to_disclosure(api, need["instance_id"])
    earliest = (clock.now() + 7 * DAY + timedelta(minutes=5)).astimezone(CHINA)
    year = max(earliest.year + 1, 2031)  # beyond the package, and nothing recorded
    start = datetime(year, 3, 2, 9, 0, tzinfo=CHINA)
    run_timers(app, start)
    task = api.task_for("street1", "street_filing", need["instance_id"])
    expected, counted = start.date(), 0
    while counted < 10:
        expected += DAY
        counted += expected.weekday() < 5
    assert datetime.fromisoformat(task["due_at"]) == datetime.combine(expected, datetime.min.time(), CHINA).replace(
        hour=17, minute=30)
    assumed = events_of(app, "working_days_assumed")
    assert len(assumed) == 1 and assumed[0].data_changes["assumed_years"] == [None, [year]]
    assert assumed[0].instance_id == need["instance_id"]
