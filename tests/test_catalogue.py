"""Every message a person can see has a zh translation: the catalogue check (issue 17).

Operations, diagram helpers and the edges raise English msgids with named placeholders; pages
translate them. This reads the source, so a new message without a translation fails here."""
import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

APP = Path(__file__).resolve().parents[1] / "app"
CATALOGUE = APP / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
RAISED = {"OperationError", "Invalid", "Unauthenticated", "Forbidden", "NotFound", "Conflict", "TooManyRequests", "OutsideCase",
          "Undeployable", "ProcessFailed", "Refusal", "Text", "NotShown"}


def translations() -> dict[str, str]:
    with CATALOGUE.open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and isinstance(m.id, str)}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _texts(node) -> list[str]:
    """The message texts an argument can be: a constant, or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    return []


def raised_messages() -> tuple[set[tuple[str, str]], list[str]]:
    """(msgid, where) of every error raised in app/ with a literal message, and every f-string message."""
    found, fstrings = set(), []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            if _name(node) == "FieldRefusal" and len(node.args) > 1:  # (fields, message, **params)
                if isinstance(node.args[1], ast.JoinedStr):
                    fstrings.append(where)
                found |= {(text, where) for text in _texts(node.args[1])}
                if isinstance(node.args[0], ast.Dict):
                    found |= {(text, where) for value in node.args[0].values for text in _texts(value)}
            if _name(node) in RAISED and node.args:
                if isinstance(node.args[0], ast.JoinedStr):
                    fstrings.append(where)
                found |= {(text, where) for text in _texts(node.args[0])}
                if len(node.args) > 1 and isinstance(node.args[1], ast.Dict):  # field messages shown by the form
                    found |= {(text, where) for value in node.args[1].values for text in _texts(value)}
            if _name(node) == "abort":
                found |= {(text, where) for kw in node.keywords if kw.arg == "description" for text in _texts(kw.value)}
    return found, fstrings


def test_no_error_message_is_an_f_string():
    assert raised_messages()[1] == []  # use "… %(name)s …" with params={"name": …}


def test_every_raised_message_has_a_zh_translation():
    zh = translations()
    missing = sorted(f"{where}: {text}" for text, where in raised_messages()[0] if not zh.get(text))
    assert missing == []


def test_the_scan_sees_the_messages_it_checks():
    found = {text for text, _where in raised_messages()[0]}
    assert len(found) > 120 and "no such project" in found and "the process could not start: %(reason)s" in found


def test_translations_use_only_their_placeholders():
    """A translation may leave out an English detail (a record's description), never invent one."""
    zh, names = translations(), re.compile(r"%\((\w+)\)s")
    broken = sorted(text for text, _where in raised_messages()[0]
                    if zh.get(text) and not set(names.findall(zh[text])) <= set(names.findall(text)))
    assert broken == []
