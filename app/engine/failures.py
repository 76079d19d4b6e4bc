"""Why a run failed, in words a page can translate: the engine's stored English reason, explained.

A failure is stored and answered in the API as the engine wrote it (English, with the technical
detail a designer needs). Pages show `explained(reason)` instead: a `Text` naming the limit or the
kind of script error, in the reader's language, and the technical detail apart from it."""
import re
from typing import NamedTuple

from app.engine.text import Text

# The engine's own limit messages, exactly as scripting.py, bounds.py and runtime.py word them
# (tests/engine/test_failures.py runs each payload and checks that it is found here).
LIMITS = (
    "the result of %(what)s would be too large for a script (limit %(limit)s)",
    "the text of this value would be too large for a script (limit %(limit)s)",
    "this value has too many parts to compare, hash or sort in a script (limit %(limit)s; "
    "shared parts count each time they occur)",
    "a script may not modify %(kind)s objects",
    "the script used more than %(mb)s MB of memory, the limit",
    "the script ran longer than its time limit of %(seconds)s s",
    "the scripts of this step ran longer than their total time limit of %(seconds)s s",
    "more than %(limit)s scripts, gateways and events ran in one step of the process (last: %(element)s): "
    "does a loop never end?",
    "the scripts, gateways and events of one step used more than %(seconds)s s of processor time "
    "(stopped before %(element)s): does a loop never end?",
    "%(element)s would run %(count)s times at once; a multi-instance activity runs at most %(max)s times",
    "%(element)s would nest subprocesses more than %(max)s deep",
    "%(element)s repeats every %(seconds)s seconds; a timer cycle repeats at most once per hour",
)
# Failures whose detail is technical: the summary is translated, the detail shown apart.
WRAPPED = (
    ("the process data cannot be stored (", "the process data cannot be stored (too large, or of a kind it cannot keep)"),
    ("the process engine failed at this step (", "the process engine failed at this step"),
    ("Error evaluating expression", "an expression in the diagram could not be evaluated"),
)
# Python's errors inside a script, by class: SpiffWorkflow reports them as "NameError:name 'x' is not defined. ".
PYTHON_ERRORS = {
    "NameError": "the script uses a name that is not defined",
    "ZeroDivisionError": "the script divides by zero",
    "TypeError": "the script uses a value of the wrong type",
    "KeyError": "the script looks up a data item that is missing",
    "IndexError": "the script looks up a list position that does not exist",
    "ValueError": "the script was given an unsuitable value",
    "AttributeError": "the script uses an attribute that does not exist or is not allowed",
    "SyntaxError": "the script has a syntax error",
    "OverflowError": "a number in the script is too large",
    "RecursionError": "the script calls itself too deeply",
}
OTHER = "a script or expression in the diagram failed"


def _pattern(msgid: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", msgid)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(regex)


_PATTERNS = [(msgid, _pattern(msgid)) for msgid in LIMITS]
_PYTHON_ERROR = re.compile(r"^\s*(\w+):")
_CLASS_PREFIX = re.compile(r"^\s*[A-Z]\w*:(?=\S)")  # SpiffWorkflow's "ScriptTimeout:the script ran…"


def explained(reason: str | None) -> Text:
    """The reason's summary as a translatable Text (the limit it hit, or the kind of error)."""
    reason = reason or ""
    body = _CLASS_PREFIX.sub("", reason, count=1)
    for msgid, pattern in _PATTERNS:
        found = pattern.search(body)
        if found:
            return Text(msgid, **found.groupdict())
    for prefix, msgid in WRAPPED:
        if prefix in reason:
            return Text(msgid)
    kind = _PYTHON_ERROR.match(reason)
    return Text(PYTHON_ERRORS.get(kind.group(1) if kind else "", OTHER))


def technical_detail(reason: str | None) -> str:
    """What is left of the reason beyond its summary: the engine's words, for a designer ("" if nothing)."""
    reason = (reason or "").strip()
    if any(pattern.search(reason) for _, pattern in _PATTERNS):
        return ""
    return reason.rstrip(". ")


class Explanation(NamedTuple):
    """A failure as pages show it: the translatable summary, and the engine's words beyond it."""

    summary: Text
    detail: str

    def translated(self, gettext) -> str:
        """The summary in the reader's language."""
        return self.summary.translated(gettext)


def explain(reason: str | None) -> Explanation:
    """The reason's summary and technical detail together."""
    return Explanation(explained(reason), technical_detail(reason))
