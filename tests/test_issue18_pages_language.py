"""The pages issue 18 added, read as a 街道 official or a community worker reads them (issue 18 review).

A project goes through its five meetings, its publicity period and filing; then every page of it (the case page
with its history timeline, the full history, each 会议记录, the project page, the 公示 and its print and keep
pages, the filing receipt) and the registers and calendar pages are rendered in Chinese: no English word, no
raw id (snake_case), no ISO date or time in what a person reads."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.modules.decision.models import Meeting, Project
from app.modules.disclosure.models import Disclosure
from app.modules.filing.models import Filing
from factories import project_on_notice
from helpers import run_timers, sign_in
from test_page_language import _VisibleText, english_words

RAW_ID = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}")
PRODUCT_NAMES = {"Word"}  # "支持 PDF、图片、Word、Excel" names the file kinds people upload


def visible_text(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return " ".join(part.strip() for part in reader.parts if part.strip())


def zh_page(app, username: str, path: str) -> str:
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    response = client.get(path + ("&" if "?" in path else "?") + "lang=zh_CN")
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html, path
    return html


@pytest.fixture
def filed(app, api):
    """A project through its five meetings, its publicity period and filing; the ids of its pages."""
    need = project_on_notice(api)
    iid = need["instance_id"]
    at = clock.now() + timedelta(days=7, minutes=5)
    run_timers(app, at)
    with clock.frozen_at(at + timedelta(minutes=1)):
        api.complete("street1", "street_filing", {"filing_decision": "filed"}, iid)
    with app.extensions["db_sessions"]() as session:
        project = session.scalar(select(Project.id).where(Project.project_key == need["tracking_code"]))
        meetings = session.scalars(select(Meeting.id).where(Meeting.project_id == project)).all()
        notices = session.scalars(select(Disclosure.id).where(Disclosure.project_id == project)).all()
        filings = session.scalars(select(Filing.id).where(Filing.project_id == project)).all()
    assert len(meetings) == 5 and notices and len(filings) == 1
    return {"instance": iid, "project": project, "meetings": meetings, "notices": notices, "filing": filings[0]}


def test_the_case_timeline_names_statuses_meetings_roles_and_methods(app, filed):
    text = visible_text(zh_page(app, "worker1", f"/instances/{filed['instance']}"))
    for named in ("决策中 → 决议公示中", "决议公示中 → 已备案", "“两委”商议: “两委”商议通过", "党员大会审议: 当面送达",
                  "社区工作者: 项目", "决议公开: ", "民需全周期 v1"):
        assert named in text, named
    assert "(system)" not in text and "系统" in text
    assert not RAW_ID.findall(text)


def test_issue18_pages_read_in_chinese(app, filed):
    pages = [("worker1", f"/instances/{filed['instance']}"), ("auditor1", f"/instances/{filed['instance']}/history"),
             ("worker1", f"/projects/{filed['project']}"), ("worker1", f"/filings/{filed['filing']}/receipt"),
             ("admin", "/admin/registers"), ("admin", "/admin/calendar")]
    pages += [("worker1", f"/projects/{filed['project']}/meetings/{m}") for m in filed["meetings"]]
    pages += [("worker1", f"/disclosures/{d}{suffix}") for d in filed["notices"] for suffix in ("", "?print=1", "/keep")]
    pages += [("admin", f"/admin/registers/nanshan/{body}")
              for body in ("party_members", "party_committee", "two_committees", "representatives", "residents")]
    seen = {}
    for username, path in pages:
        html = zh_page(app, username, path)
        main = html.split("<main", 1)[1].split(">", 1)[1]
        text = visible_text(main)
        found = {"english": [w for w in english_words(main) if w not in PRODUCT_NAMES],
                 "raw ids": RAW_ID.findall(text), "ISO dates": ISO.findall(text)}
        if any(found.values()):
            seen[path] = {k: v for k, v in found.items() if v}
    assert seen == {}


def test_the_printed_notice_names_each_count_when_a_phone_stacks_the_table(app, filed):
    """At phone width the meetings table stacks its cells and hides its heading: each count carries its name."""
    html = zh_page(app, "worker1", f"/disclosures/{filed['notices'][0]}?print=1")
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody", 1)[1], re.S)
    counted = [row for row in rows if "党组织提议" in row or "党员大会审议" in row]
    assert len(counted) == 2
    for row in counted:
        labels = re.findall(r'<td data-label="([^"]+)">\d+</td>', row)
        assert labels == ["应到", "实到", "赞成", "反对", "弃权"], row


def en_page(app, username: str, path: str) -> str:
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    response = client.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize("body", ["party_members", "two_committees"])
def test_a_register_reads_in_english_on_an_english_page(app, body):
    """The members' status (在册 / 请假 / 流动 / 出国 / 其他) is a label with a msgid, and the counts' brackets and stop
    are the page language's."""
    path = f"/admin/registers/nanshan/{body}"
    html = en_page(app, "admin", path)
    table = html.split('<table class="list"', 1)[1].split("</table>", 1)[0]
    statuses = re.findall(r"<td>(On record|On leave|Away|Abroad|Other|在册|请假|流动|出国|其他)</td>", table)
    assert statuses and set(statuses) <= {"On record", "On leave", "Away", "Abroad", "Other"}, statuses
    options = re.findall(r'<option value="(?:on_record|on_leave|away|abroad|other)"[^>]*>([^<]+)</option>', html)
    assert options == ["On record", "On leave", "Away", "Abroad", "Other"]
    figures = visible_text(html.split("<p data-figures>", 1)[1].split("</p>", 1)[0])
    assert not re.search(r"[（）。]", figures), figures
    zh = visible_text(zh_page(app, "admin", path).split("<p data-figures>", 1)[1].split("</p>", 1)[0])
    assert re.match(r"在册 \d+ 人(（其中请假、流动、出国 \d+ 人）)?。应到", zh), zh


def test_the_meeting_record_writes_dates_and_asides_in_the_page_language(app, filed):
    """The 会议记录 in Chinese: 2026年12月2日 and （社区党组织书记）; on an English page: 2026-12-02 and (Party secretary)."""
    review = filed["meetings"][3]  # 党员大会审议, with its plan delivered to the members (送达)
    path = f"/projects/{filed['project']}/meetings/{review}"
    zh = visible_text(zh_page(app, "worker1", path).split("<main", 1)[1])
    assert re.search(r"时间 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", zh) and "（社区党组织书记）" in zh, zh
    assert re.search(r"送达 \d{4}年\d{1,2}月\d{1,2}日（当面送达，", zh), zh
    en = visible_text(en_page(app, "worker1", path).split("<main", 1)[1])
    assert re.search(r"Time \d{4}-\d{2}-\d{2} \d{2}:\d{2}", en) and " (Party secretary)" in en, en
    assert re.search(r"Plan delivered \d{4}-\d{2}-\d{2} \(Delivered in person, ", en), en
    assert not re.search(r"\d年|月\d|[（），]", en.split("Signatures", 1)[0]), en
