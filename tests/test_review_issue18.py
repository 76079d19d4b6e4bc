"""Hostile review of issue 18 (registers, meeting records, disclosures, filing, working days): each test is a
finding that once failed (a 500, a register emptied by accident, memory blown by a small file, a diagram
reaching another case's notice)."""
import io
import zipfile

import pytest

from sqlalchemy import select

from app.modules.disclosure.models import Disclosure
from app.workflow.models.instance import Instance
from helpers import page_csrf, run_sql, sign_in
from test_helper_scope import start_trial
from test_registers_api import xlsx as register_file

HEADERS = ["姓名", "网格", "电话", "身份/所属组织", "状态", "入册日期"]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    """A register file with these rows (the columns without 序号)."""
    return register_file(rows, headers)


def replaced(content: bytes, part: str, data: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with one part's bytes replaced (and extra parts added)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            book.writestr(info.filename, data if info.filename == part else source.read(info.filename))
        for name, body in (extra or {}).items():
            book.writestr(name, body)
    return out.getvalue()


def import_file(api, content: bytes, body: str = "representatives"):
    token = api.token("admin")
    return api.client.post(f"/api/admin/registers/nanshan/{body}/import", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(content), "花名册.xlsx")}, content_type="multipart/form-data")


def due(api, body: str = "representatives") -> int:
    return api.get(f"/api/admin/registers/nanshan/{body}", "admin").get_json()["due"]


SHEET = "xl/worksheets/sheet1.xml"
CLEAN = [["周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024-03-01"]]


def test_a_broken_workbook_is_refused_with_400_not_a_500(api):
    before = due(api)
    for part, data in ((SHEET, b"<worksheet><sheetData><row"), ("xl/workbook.xml", b"<<<"),
                       ("[Content_Types].xml", b"<<<")):
        response = import_file(api, replaced(xlsx(CLEAN), part, data))
        assert response.status_code == 400, (part, response.status_code)
        assert response.get_json()["message"] == "the file is not an .xlsx workbook"
    assert due(api) == before


def test_a_file_with_only_the_heading_row_does_not_empty_the_register(api):
    before = due(api)
    assert before > 0
    response = import_file(api, xlsx([]))
    assert response.status_code == 400, response.get_json()
    assert [p["problem"] for p in response.get_json()["problems"]] == [
        "the file has no members: a register is not emptied by an import (record the day each member left instead)"]
    assert due(api) == before


def test_a_small_file_that_unpacks_to_a_huge_one_is_refused(api):
    before = due(api)
    bomb = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + \
        b"A" * (60 * 1024 * 1024) + b"</t></si></sst>"
    content = replaced(xlsx(CLEAN), "", b"", {"xl/sharedStrings.xml": bomb})
    assert len(content) < 1024 * 1024  # well under the request limit
    response = import_file(api, content)
    assert response.status_code == 400
    assert "unpacks to more than" in response.get_json()["message"]
    assert due(api) == before


def test_cells_far_to_the_right_are_not_read_into_every_row(api):
    """A sheet formatted out to column XFD (16384 columns) once made every row 16384 values wide."""
    from app.modules.decision.register_files import MAX_COLUMNS, _sheet_rows
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"姓名" if r == 1 else "周明"}</t></is></c>'
                   f'<c r="XFD{r}" s="0"/></row>' for r in range(1, 201))
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"<sheetData>{rows}</sheetData></worksheet>").encode()
    read = _sheet_rows(replaced(xlsx(CLEAN), SHEET, sheet))
    assert len(read) == 200 and max(len(r) for r in read) <= MAX_COLUMNS
    assert read[1][0] == "周明"


def test_a_diagram_cannot_close_another_cases_community_notice(app, api, designer):
    """end_publicity / objection_state once judged a community notice (no project) by its community only."""
    opened = start_trial(api, designer, 'n = open_disclosure("annual", "TRIAL", "", "年度公示", "正文", 7)')
    assert opened.status_code == 302, opened.get_data(as_text=True)
    with app.extensions["db_sessions"]() as session:
        notice = session.scalars(select(Disclosure).where(Disclosure.title == "年度公示")).one()
        first = session.scalars(select(Instance).where(Instance.process_id == "sample")).one()
        notice_id = notice.id
    run_sql(app, "UPDATE disclosure SET instance_id = :iid WHERE id = :id", iid=first.id, id=notice_id)  # its case
    for call in (f"end_publicity({notice_id})", f"objection_state({notice_id})",
                 f"unsettled_objections({notice_id})"):
        refused = start_trial(api, designer, "x = " + call, lang="en")
        assert refused.status_code == 422, (call, refused.status_code)
        assert "is not a record of this case" in refused.get_data(as_text=True).replace("&#39;", "'")
    with app.extensions["db_sessions"]() as session:
        assert session.get(Disclosure, notice_id).closed_at is None


def test_the_register_page_says_in_chinese_why_a_broken_or_empty_file_was_refused(client):
    assert sign_in(client, "admin").status_code == 302
    path = "/admin/registers/nanshan/representatives"
    for content, said in ((replaced(xlsx(CLEAN), SHEET, b"<worksheet"), "文件不是 Excel 表格（.xlsx 格式）"),
                          (xlsx([]), "文件中没有任何成员：导入不能清空花名册")):
        token = page_csrf(client, path)
        response = client.post(f"{path}/import", data={"csrf_token": token, "file": (io.BytesIO(content), "花名册.xlsx")},
                               content_type="multipart/form-data")
        assert response.status_code == 400
        assert said in response.get_data(as_text=True)


@pytest.mark.parametrize("call, said", [
    ('add_working_days("9999-12-30", 5)', "期限不能晚于 9999 年（9999-12-30 起 5 个工作日）"),
    ('sign_in("TRIAL", "party_members", [], [], "", "a", 0, 0)', "votes_for 须为不小于 0 的整数，不能是 a"),
    ('sign_in("TRIAL", "party_members", [], [], "", 3, -5, 0)', "votes_against 须为不小于 0 的整数，不能是 -5"),
    ('record_sign_in("abc", {})', "meeting_id 须为不小于 0 的整数，不能是 abc"),
], ids=["deadline_past_9999", "votes_not_a_number", "negative_votes", "meeting_id_not_a_number"])
def test_a_helper_given_bad_values_says_why_in_chinese_not_a_python_error(app, api, designer, call, said):
    refused = start_trial(api, designer, "x = " + call)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert said in page and "Error" not in page.split("流程无法启动")[1][:200]


def test_chinese_day_leaves_a_date_that_does_not_exist_as_written():
    from app.workflow.helpers import chinese_day
    assert chinese_day("2026-12-05T09:00:00+08:00") == "2026年12月5日"
    assert chinese_day("2026-13-45") == "2026-13-45"


def test_nobody_outside_the_communitys_staff_reaches_its_meetings_notices_or_notice_keeping(app, api):
    """A 北山 worker, a resident, a provider and an anonymous caller, by id, on every new route."""
    from factories import project_on_notice
    from flows import project_of
    from app.modules.decision.models import Meeting
    need = project_on_notice(api)
    iid, project = need["instance_id"], project_of(api, need["instance_id"])
    with app.extensions["db_sessions"]() as session:
        meeting = session.scalars(select(Meeting.id).where(Meeting.project_id == project)).first()
        notice = session.scalars(select(Disclosure.id).where(Disclosure.project_id == project)).one()
    delivery = {"meeting": "party_members_review", "method": "sms", "recipients": 3, "delivered_by": "x"}
    objection = {"content": "反对", "objector_name": "张三", "channel": "in_person", "contact": "13900000000"}
    before = api.get(f"/api/public/disclosures/{notice}").get_json()
    for user in ("worker2", "resident1", "provider1"):
        assert api.get(f"/api/projects/{project}/meetings", user).status_code == 403, user
        assert api.get(f"/api/projects/{project}/meetings/{meeting}", user).status_code == 403, user
        assert api.post(f"/api/projects/{project}/notices", delivery, user).status_code == 403, user
        assert api.post(f"/api/disclosures/{notice}/objections", objection, user).status_code == 403, user
        assert api.post(f"/api/disclosures/{notice}/details", {"objection_phone": "110"}, user).status_code == 403
        assert api.post(f"/api/instances/{iid}/ballots", {"member_id": 1, "vote": "for", "reason": "x"},
                        user).status_code == 403, user
        client = app.test_client()
        assert sign_in(client, user).status_code == 302
        for path in (f"/projects/{project}/meetings/{meeting}", f"/disclosures/{notice}/keep",
                     f"/instances/{iid}/ballots", "/admin/calendar", "/admin/registers"):
            assert client.get(path).status_code == 403, (user, path)
        token = page_csrf(client, f"/disclosures/{notice}")
        posted = client.post(f"/disclosures/{notice}/keep/details", data={"csrf_token": token, "objection_phone": "1"})
        assert posted.status_code == 403, user
    anonymous = app.test_client()
    for path in (f"/projects/{project}/meetings/{meeting}", f"/disclosures/{notice}/keep", f"/instances/{iid}/ballots",
                 "/admin/calendar"):
        assert anonymous.get(path).status_code == 302, path  # sign in first
    assert api.get(f"/api/projects/{project}/meetings").status_code == 401
    assert api.get(f"/api/public/disclosures/{notice}").get_json() == before  # nothing changed



def test_a_phone_number_written_into_an_objection_is_masked_on_the_public_notice(app, api):
    from factories import project_on_notice
    from flows import project_of
    need = project_on_notice(api)
    project = project_of(api, need["instance_id"])
    with app.extensions["db_sessions"]() as session:
        notice = session.scalars(select(Disclosure.id).where(Disclosure.project_id == project)).one()
    filed = api.post(f"/api/public/disclosures/{notice}/objections",
                     {"content": "选址离我家太近，请回电13912345678或0535-6210001", "contact": "13912345678"})
    assert filed.status_code == 201, filed.get_json()
    shown = api.get(f"/api/public/disclosures/{notice}").get_json()
    assert [a["content"] for a in shown["answers"]] == ["选址离我家太近，请回电139****5678或053****0001"]
    page = app.test_client().get(f"/disclosures/{notice}").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page and "6210001" not in page


def test_a_delivery_with_a_superscript_digit_for_its_count_is_refused_with_400(app, api):
    from flows import project_of, to_party_members_review, to_project
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    project = project_of(api, iid)
    for recipients in ("²", "1e3", "-3"):
        response = api.post(f"/api/projects/{project}/notices", {"meeting": "party_members_review", "method": "sms",
                                                                "recipients": recipients, "delivered_by": "李四"},
                            "secretary1")
        assert response.status_code == 400, (recipients, response.status_code)
        assert response.get_json()["fields"] == {"recipients": "out of range"}
    assert api.get(f"/api/projects/{project}/meetings", "secretary1").get_json()["notices"] == []


def test_the_calendar_api_refuses_a_year_that_is_no_number_with_400(api):
    for year in ("²⁰²⁷", "2027.0", "-1"):
        response = api.get(f"/api/admin/calendar?year={year}", "admin")
        assert response.status_code == 400, (year, response.status_code)
        assert response.get_json()["fields"] == {"year": "out of range"}


def test_a_refused_member_edit_shows_what_was_typed_and_never_the_whole_phone(app, api, client):
    member = api.get("/api/admin/registers/nanshan/representatives", "admin").get_json()["members"][0]
    assert sign_in(client, "admin").status_code == 302
    path = f"/admin/registers/members/{member['id']}"
    token = page_csrf(client, path)
    typed = {"csrf_token": token, "name": "改过的名字", "grid": "nanshan-2", "phone": "", "affiliation": "第二居民小组",
             "status": "away", "joined_on": "2024-05-01", "left_on": "2024-04-01", "username": ""}
    response = client.post(path, data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="改过的名字"' in page and 'value="第二居民小组"' in page and 'value="2024-04-01"' in page
    assert '<option value="nanshan-2" selected>' in page and '<option value="away" selected>' in page
    with app.extensions["db_sessions"]() as session:
        from app.modules.decision.models import RegisterMember
        whole = session.get(RegisterMember, member["id"]).phone
    assert whole and whole not in page  # the number on record stays masked
    assert api.get("/api/admin/registers/nanshan/representatives", "admin").get_json()["members"][0] == member
