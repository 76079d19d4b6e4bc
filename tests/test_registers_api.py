"""Registers (花名册) and sign-in sheets (签到): the counts the meeting rules use come from named members.

Imports check every row and import nothing until the file is clean; exports read back as they were written;
a meeting's 实到 is its sign-in sheet, its 应到 the register less the members excused as the rules allow."""
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import select, text

from app.migrate import alembic_config, upgrade
from app.modules.decision.models import Meeting, MeetingAttendance
from flows import (design_and_assess, meeting, notice_given, sheet, signed, suggestion, to_party_members_review,
                   to_project)
from helpers import ready

HEADERS = ["序号", "姓名", "网格", "电话", "身份/所属组织", "状态", "入册日期"]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_file(api, content: bytes, body: str = "representatives", user: str = "admin"):
    token = api.token(user)
    return api.client.post(f"/api/admin/registers/nanshan/{body}/import", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(content), "花名册.xlsx")}, content_type="multipart/form-data")


def register(api, body: str) -> dict:
    response = api.get(f"/api/admin/registers/nanshan/{body}", "admin")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_import_with_bad_rows_imports_nothing_and_names_each_row(api):
    before = register(api, "representatives")
    response = import_file(api, xlsx([
        [1, "周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024-03-01"],
        [2, "", "南山第1网格", "13905350002", "居民代表", "在册", "2024-03-01"],
        [3, "吴敏", "南山第9网格", "12345", "居民代表", "退休", "2024-13-01"],
        [4, "周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024年3月1日"],
        [None, None, None, None, None, None, None],
        [6, "郑华", "2", "0535-6210009", "居民代表", "流动", "2024/3/1"],
    ]))
    assert response.status_code == 400
    body = response.get_json()
    assert body["message"] == "the register file has 6 problem(s): nothing was imported"
    assert sorted((p["row"], p["column"]) for p in body["problems"]) == [
        (3, "姓名"), (4, "入册日期"), (4, "状态"), (4, "电话"), (4, "网格"), (5, "姓名")]
    assert {p["problem"] for p in body["problems"] if p["row"] == 5} == {"the same person as row 2"}
    assert register(api, "representatives") == before  # nothing imported, not even the clean rows


def test_a_clean_import_becomes_the_register_and_an_export_reads_back(api):
    response = import_file(api, xlsx([
        [1, "周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024-03-01"],
        [2, "郑华", "2", "0535-6210009", "第二居民小组", "流动", "2024年3月1日"],
        [3, "吴敏", "", 13905350003, "", "", None],
    ]))
    assert response.status_code == 200 and response.get_json() == {"added": 3, "updated": 0, "left": 30}
    shown = register(api, "representatives")
    assert (shown["due"], shown["excusable"]) == (3, 1)
    on_register = [m for m in shown["members"] if m["left_on"] is None]
    assert [(m["name"], m["grid"], m["phone"], m["status"]) for m in on_register] == [
        ("周明", "nanshan-1", "139****0001", "on_record"), ("郑华", "nanshan-2", "053****0009", "away"),
        ("吴敏", None, "139****0003", "on_record")]
    exported = api.get("/api/admin/registers/nanshan/representatives/export", "admin")
    assert exported.status_code == 200
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("姓名", "网格", "电话", "身份/所属组织", "状态", "入册日期", "离册日期")
    assert ("郑华", "南山第2网格", "0535-6210009", "第二居民小组", "流动", "2024-03-01") in [r[:6] for r in rows]
    again = import_file(api, exported.data)  # the export, imported as it is: the same register
    assert again.get_json() == {"added": 0, "updated": 0, "left": 0} and register(api, "representatives") == shown


def test_registers_are_kept_by_administrators_only(api):
    assert api.get("/api/admin/registers/nanshan/party_members", "worker1").status_code == 403
    assert import_file(api, xlsx([]), user="secretary1").status_code == 403
    bad = api.post("/api/admin/registers/nanshan/party_members/members", {"name": "何平", "phone": "-3"}, "admin")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"phone"}
    assert register(api, "party_members")["due"] == 40  # a refused entry is not silently dropped: it is refused


def test_attendance_above_the_register_is_impossible(api):
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    task = api.task_for("secretary1", "party_proposal", iid)
    form = api.get(f"/api/tasks/{task['id']}", "secretary1").get_json()["form"]["schema"]["properties"]
    assert len(form["attendees"]["items"]["oneOf"]) == 5  # the sign-in sheet is the party committee's register
    party_member = register(api, "party_members")["members"][0]["id"]
    record = sheet(api, "secretary1", "party_proposal", iid, meeting(5, 4))
    for data in (record | {"attendees": record["attendees"] + [str(party_member)]}, record | {"present": 6}):
        response = api.post(f"/api/tasks/{task['id']}/complete", {"data": data}, "secretary1")
        assert response.status_code == 400, response.get_json()
    assert ready(api, "secretary1", iid) == ["party_proposal"]


def test_votes_above_attendance_are_refused_with_the_rule(app, api):
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    refused = signed(api, "secretary1", "party_proposal", meeting(3, 3) | {"abstain": 1}, iid, status=400)
    assert "cannot be more than those present" in refused["message"] and "abstain" in refused["fields"]
    assert ready(api, "secretary1", iid) == ["party_proposal"]
    with app.extensions["db_sessions"]() as session:
        assert session.scalars(select(Meeting).where(Meeting.meeting == "party_proposal")).first() is None


def test_an_excused_member_leaves_the_denominator(app, api):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    notice = notice_given(api, iid)
    record = meeting(25, 21, meeting_id="party_members_review", notice_date=notice)
    signed(api, "secretary1", "party_members_review", record, iid)  # 25 of 40: fewer than two thirds
    record = meeting(25, 21, meeting_id="party_members_review", minutes=-30, notice_date=notice)  # reconvened
    assert ready(api, "secretary1", iid) == ["party_members_review"]
    unexplained = sheet(api, "secretary1", "party_members_review", iid, record, excused=3) | {"excused_reason": ""}
    task = api.task_for("secretary1", "party_members_review", iid)
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": unexplained}, "secretary1")
    assert response.status_code == 400 and "give the reason" in response.get_json()["message"]
    signed(api, "secretary1", "party_members_review", record, iid, excused=3)  # 25 of 37: two thirds
    assert ready(api, "worker1", iid) == ["representatives_resolution"]
    with app.extensions["db_sessions"]() as session:
        held = session.scalars(select(Meeting).where(Meeting.meeting == "party_members_review", Meeting.is_valid)).one()
        assert (held.members_total, held.present) == (37, 25)
        lines = session.scalars(select(MeetingAttendance).where(MeetingAttendance.meeting_id == held.id)).all()
        assert sum(a.excused for a in lines) == 3 and {a.reason for a in lines if a.excused} == {"外出务工"}
        assert len(lines) == 28


def test_a_member_on_record_cannot_be_excused(api):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    task = api.task_for("secretary1", "party_members_review", iid)
    members = register(api, "party_members")["members"]
    record = sheet(api, "secretary1", "party_members_review", iid, meeting(30, 25, meeting_id="party_members_review",
                                                                             notice_date=notice_given(api, iid)))
    on_record = next(m for m in members if m["status"] == "on_record" and str(m["id"]) not in record["attendees"])
    data = record | {"excused": [str(on_record["id"])], "excused_reason": "有事"}
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": data}, "secretary1")
    assert response.status_code == 400  # the form offers only members on leave, away or abroad
    assert ready(api, "secretary1", iid) == ["party_members_review"]


def test_the_migration_turns_typed_counts_into_placeholder_members(app, database_url):
    from alembic import command
    command.downgrade(alembic_config(database_url), "0014")
    with app.extensions["db_engine"].begin() as conn:
        count = conn.execute(text("SELECT members FROM community_register r JOIN organisation o "
                                  "ON o.id = r.community_id WHERE o.code = 'nanshan' AND r.body = 'party_members'"))
        assert count.scalar() == 40
    upgrade(database_url)
    with app.extensions["db_engine"].begin() as conn:
        names = conn.execute(text("SELECT m.name FROM register_member m JOIN organisation o ON o.id = m.community_id "
                                  "WHERE o.code = 'nanshan' AND m.body = 'party_members' ORDER BY m.id")).scalars().all()
    assert names == [f"待补录成员{n}" for n in range(1, 41)]


def test_the_clerk_records_a_vote_on_the_page(client, api):
    from flows import to_committees
    from test_pages import csrf_of, sign_in
    iid = to_project(api)["instance_id"]
    to_committees(api, iid, "online")
    sign_in(client, "worker1")
    case = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert f'href="/instances/{iid}/ballots"' in case
    page = client.get(f"/instances/{iid}/ballots").get_data(as_text=True)
    assert page.count("未表决") == 7 and page.count("data-member=") == 1  # one member without an account
    member = page.split('data-member="')[1].split('"')[0]
    refused = client.post(f"/instances/{iid}/ballots", data={"csrf_token": csrf_of(page), "member_id": member,
                                                              "vote": "for"})
    assert refused.status_code == 400 and "有些内容需要修改：代为录入的原因：此项必填" in refused.get_data(as_text=True)  # no reason
    done = client.post(f"/instances/{iid}/ballots", data={"csrf_token": csrf_of(page), "member_id": member,
                                                           "vote": "for", "reason": "电话表决"}, follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert "表决已录入" in shown and shown.count("已表决") == 2 and "data-member=" not in shown  # header + the row
    sign_in(client, "committee1")
    assert client.get(f"/instances/{iid}/ballots").status_code == 403
