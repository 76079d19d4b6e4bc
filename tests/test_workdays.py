"""Working days: China's public holidays and adjusted working days (chinese-calendar), the calendar table an
administrator keeps (overriding the package, extending it to later years), its page and its API."""
from datetime import date

import pytest

from app import clock
from app.errors import Refusal
from app.modules.workdays import days
from app.workflow.helpers import CHINA
from bpmn_samples import package, with_timer
from helpers import events_of, page_csrf, sign_in


def add(app, start: date, count: int) -> tuple[date, list[int]]:
    with app.extensions["db_sessions"]() as session:
        return days.add_working_days(session, start, count)


def delete(api, day: str):
    return api.client.delete(f"/api/admin/calendar/{day}", headers=api._auth("admin"))


def record(api, day: str, working: bool, note: str = "", status: int = 201) -> dict:
    response = api.post("/api/admin/calendar", {"day": day, "is_working_day": working, "note": note}, "admin")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_national_day_2026_is_skipped_and_its_adjusted_saturday_counted(app):
    # The package's 2026 schedule: 1–7 October off, Saturday 10 October worked (调休).
    assert add(app, date(2026, 9, 30), 3) == (date(2026, 10, 10), [])
    assert add(app, date(2026, 9, 30), 4) == (date(2026, 10, 12), [])  # Sunday 11 October is off
    assert add(app, date(2026, 9, 28), 10) == (date(2026, 10, 16), [])


def test_a_day_the_administrator_records_overrides_the_package(app, api):
    record(api, "2026-10-09", False, "临时调整")
    assert add(app, date(2026, 9, 30), 3) == (date(2026, 10, 12), [])
    assert delete(api, "2026-10-09").status_code == 200
    assert add(app, date(2026, 9, 30), 3) == (date(2026, 10, 10), [])


def test_a_year_the_package_does_not_know_is_counted_from_the_days_recorded(app, api):
    year = days.package_years().stop  # the first year after the package's data
    assert add(app, date(year, 9, 30), 3)[1] == [year]  # nothing recorded: Monday to Friday, assumed
    with app.extensions["db_sessions"]() as session, pytest.raises(Refusal, match=f"knows nothing of {year}"):
        days.is_working_day(session, date(year, 10, 1), strict=True)
    for n in range(1, 8):
        record(api, f"{year}-10-{n:02d}", False, "国庆节")
    saturday = next(date(year, 10, n) for n in range(8, 15) if date(year, 10, n).weekday() == 5)
    record(api, saturday.isoformat(), True, "国庆节调休上班")
    due, assumed = add(app, date(year, 9, 30), 3)
    assert assumed == [] and due > date(year, 10, 7)
    counted = [d for d in (date(year, 10, n) for n in range(8, due.day + 1))
               if d.weekday() < 5 or d == saturday]
    assert len(counted) == 3 and counted[-1] == due
    with app.extensions["db_sessions"]() as session:
        assert days.is_working_day(session, date(year, 10, 1), strict=True) is False
        assert days.is_working_day(session, saturday, strict=True) is True


def test_a_count_of_working_days_outside_its_range_is_refused(app):
    for count in (0, -1, 251, 2.5, True):
        with pytest.raises(Refusal, match="whole number from 1 to 250"):
            add(app, date(2026, 9, 30), count)


def test_the_calendar_api_is_for_administrators_and_checks_each_field(app, api):
    assert api.post("/api/admin/calendar", {"day": "2027-10-01", "is_working_day": False}, "worker1").status_code == 403
    bad = api.post("/api/admin/calendar", {"day": "2027-13-01", "is_working_day": "no", "note": "x" * 101}, "admin")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"is_working_day", "note"}
    bad_day = api.post("/api/admin/calendar", {"day": "2027-13-01", "is_working_day": False}, "admin")
    assert bad_day.status_code == 400 and bad_day.get_json()["fields"] == {"day": "invalid"}
    assert record(api, "2027-10-01", False, "国庆节") == {"day": "2027-10-01", "is_working_day": False, "note": "国庆节"}
    record(api, "2027-10-01", False, "国庆节（第一天）")  # recorded again: replaced, not doubled
    listed = api.get("/api/admin/calendar?year=2027", "admin").get_json()
    assert listed["days"] == [{"day": "2027-10-01", "is_working_day": False, "note": "国庆节（第一天）"}]
    assert listed["table_years"] == [2027] and listed["package_years"][0] == 2004
    assert api.get("/api/admin/calendar?year=abc", "admin").status_code == 400
    assert delete(api, "2027-10-01").status_code == 200
    again = delete(api, "2027-10-01")
    assert again.status_code == 404 and "2027-10-01" in again.get_json()["message"]
    changes = [e.data_changes["entry"] for e in events_of(app, "calendar_day_set")]
    assert changes[1][0]["note"] == "国庆节" and changes[1][1]["note"] == "国庆节（第一天）"
    assert [e.data_changes["entry"][1] for e in events_of(app, "calendar_day_removed")] == [None]


def test_the_admin_calendar_page_lists_adds_and_removes_days(app):
    client = app.test_client()
    sign_in(client, "admin")
    html = client.get("/admin/calendar").get_data(as_text=True)
    this_year = clock.now().astimezone(CHINA).year
    known = this_year in days.package_years()
    assert "工作日历" in html and f'data-year="{this_year}" data-source="{"package" if known else "assumed"}"' in html
    assert ("节假日安排已内置" if known else "尚无节假日安排：录入前按周一至周五上班计算") in html
    token = page_csrf(client, "/admin/calendar")
    refused = client.post("/admin/calendar", data={"day": "2027-02-30", "kind": "off", "note": "春节",
                                                   "csrf_token": token})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "日期请按 2027-10-01 的格式填写" in text and 'value="春节"' in text  # what was typed is kept
    saved = client.post("/admin/calendar", data={"day": "2027-10-01", "kind": "off", "note": "国庆节",
                                                 "csrf_token": token})
    assert saved.status_code == 302
    html = client.get("/admin/calendar").get_data(as_text=True)
    assert "2027年10月1日" in html and "星期五" in html and "休息" in html and "国庆节" in html
    assert 'data-year="2027" data-source="table"' in html  # the year is known from the day recorded
    removed = client.post("/admin/calendar/2027-10-01/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    assert "2027年10月1日" not in client.get("/admin/calendar").get_data(as_text=True)
    assert [e.actor_name for e in events_of(app, "calendar_day_set") + events_of(app, "calendar_day_removed")] == [
        "admin", "admin"]
    worker = app.test_client()
    sign_in(worker, "worker1")
    assert worker.get("/admin/calendar").status_code == 403


def test_a_dry_run_counts_working_days_as_the_real_run_does(api):
    """The designer's dry run reaches a deadline in working days: the simulated clock jumps to it."""
    files = package(with_timer('add_working_days("2026-09-30T10:00:00+08:00", 3)').replace("timeDuration", "timeDate"))
    result = api.post("/api/processes/dry-run", {"files": files, "answers": {"work": []},
                                                 "start_at": "2026-09-30T10:00:00+08:00"}, "designer1")
    assert result.status_code == 200, result.get_json()
    body = result.get_json()
    assert body["timers_fired"] == [{"timer": "late", "at": "2026-10-10T17:30:00+08:00"}], body
