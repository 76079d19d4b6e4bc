"""No English on a Chinese page and no raw message key on an English one (issue 17).

The main pages and the error answers are rendered for several people in zh and in en; their visible
text (not markup, scripts, ids or URLs) is read word by word."""
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from test_catalogue import CATALOGUE
from test_pages import sign_in

PAGES = ["/", "/projects", "/disclosures", "/disclosures?kind=collection", "/disclosures?kind=annual", "/submit",
         "/track", "/login", "/inbox", "/instances", "/lists/needs", "/lists/projects", "/lists/resources",
         "/notifications", "/needs/new", "/timebank", "/admin/registers", "/admin/departments",
         "/admin/registers/nanshan/two_committees",
         "/dashboard", "/audit", "/incidents", "/micro-fund", "/micro-fund/nanshan", "/admin/duty",
         "/needs/first-responder", "/ratings/communities"]
ERRORS = ["/projects?q=%00", "/no-such-page", "/projects/999999", "/projects/1/survey", "/admin/users"]
# The language switch names its language; Excel and CSV are what the export buttons give; "admin"
# is the administrator's username (an id, as the others with digits are).
ALLOWED = {"English", "Excel", "CSV", "admin"}
HIDDEN = ("script", "style", "code", "pre", "textarea")


class _VisibleText(HTMLParser):
    """The text a person reads: element text and the attributes shown to them."""

    def __init__(self):
        super().__init__()
        self.hidden, self.parts = 0, []

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in HIDDEN
        self.parts += [value for name, value in attrs if name in ("placeholder", "aria-label", "alt") and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in HIDDEN

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_words(html: str) -> set[str]:
    """Words of the visible text; ids (with digits, _ or -), URLs and acronyms left out."""
    reader = _VisibleText()
    reader.feed(html)
    text = re.sub(r"https?://\S+|/[\w/.\-?=&%]+", " ", " ".join(reader.parts))
    return {token for token in re.split(r"[^\w\-]+", text, flags=re.ASCII) if token}


def english_words(html: str) -> list[str]:
    return sorted(w for w in visible_words(html) if re.fullmatch(r"[A-Za-z]{3,}", w) and not w.isupper()
                  and w not in ALLOWED)


def _answers(client, lang: str):
    client.get(f"/?lang={lang}")
    for path in PAGES + ERRORS:
        response = client.get(path)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            yield path, response
    big = client.post("/submit", data={"title": "x" * (client.application.config["MAX_CONTENT_LENGTH"] + 1)})
    yield "413", big
    yield "csrf", client.post("/login", data={"username": "x"})


@pytest.mark.parametrize("user", [None, "worker1", "admin", "auditor1", "designer1"])
def test_no_english_word_on_a_chinese_page(client, user):
    if user:
        sign_in(client, user)
    seen = {}
    for path, response in _answers(client, "zh_CN"):
        assert '<html lang="zh-CN">' in response.get_data(as_text=True), path
        if words := english_words(response.get_data(as_text=True)):
            seen[path] = words
    assert seen == {}


def test_the_answers_read_include_each_kind_of_error(client):
    statuses = {response.status_code for _path, response in _answers(client, "zh_CN")}
    assert {200, 400, 404, 405, 413} <= statuses


def message_keys() -> set[str]:
    with CATALOGUE.open("rb") as po:
        return {m.id for m in read_po(po) if isinstance(m.id, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", m.id)}


def test_every_message_key_has_an_english_name():
    with (CATALOGUE.parents[2] / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        english = {m.id: m.string for m in read_po(po) if m.id}
    assert sorted(key for key in message_keys() if not english.get(key)) == []


@pytest.mark.parametrize("user", [None, "worker1", "admin"])
def test_no_raw_message_key_on_an_english_page(client, api, user):
    api.record_need()  # a case, so that event and status names show
    if user:
        sign_in(client, user)
    keys, seen = message_keys(), {}
    for path, response in _answers(client, "en"):
        if raw := sorted(visible_words(response.get_data(as_text=True)) & keys):
            seen[path] = raw
    assert seen == {}


def test_the_reader_finds_english_words_and_leaves_ids_urls_and_markup_alone():
    html = ('<p title="ignored">未找到 Not found</p><a href="/x/y">南山第1网格 nanshan-1 need_lifecycle CSRF</a>'
            '<script>var english = 1;</script><input placeholder="Your name">')
    assert english_words(html) == ["Not", "Your", "found", "name"]
