"""Designer-written text (instructionsForEndUser) rendered in Jinja's sandbox, within time and size limits."""
import functools
import logging
import re
from string import Formatter

from jinja2 import TemplateError, nodes
from jinja2 import filters as jinja_filters
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

from app.engine.hardstop import hard_stop
from app.engine.scripting import ScriptLimitExceeded, ScriptTooLarge, check_size, guard_method, limited, percent_size, text_size
from app.engine.text import Text

log = logging.getLogger(__name__)

MAX_RANGE = 1000  # instructions list a few items; Jinja's own cap (100,000) nests into billions
MAX_SIZE = 100_000  # the longest value, and the longest text, one rendering may produce
TIME_LIMIT = 0.5  # CPU seconds per rendering: a task page renders its instructions on every view
MAX_MEMORY = 64 * 2**20  # bytes one rendering may grow the process by
_TEMPLATE_FILENAME = "<template>"  # what Jinja compiles templates from strings as: the frames the limits watch


def _bounded(size, what):
    if size > MAX_SIZE:
        raise ScriptTooLarge(f"{what} would give more than {MAX_SIZE:,} characters")


class _InstructionsEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with operators, methods, filters and str.format bounded so no one call builds megabytes."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and right > 64:
            raise SecurityError("exponent too large")
        try:
            check_size(operator, left, right, MAX_SIZE)
        except ScriptTooLarge:
            raise SecurityError("result too large") from None
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj, attribute):
        return guard_method(obj, attribute, super().getattr(obj, attribute), MAX_SIZE)

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        return guard_method(obj, argument, value, MAX_SIZE) if isinstance(argument, str) else value

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        is_map = value.__name__ == "format_map"

        def checked(*args, **kwargs):
            mapping = is_map and args and isinstance(args[0], dict)
            values = list(args[0].values()) if mapping else [*args, *kwargs.values()]
            _bounded(_format_string_size(value.__self__, values), "str.format()")
            return wrapped(*args, **kwargs)
        return checked


def _format_string_size(fmt, values):
    """Longest text str.format can give: each field's widths plus the longest argument's text."""
    longest = max([text_size(v, MAX_SIZE) for v in values] + [0])
    total = len(fmt)
    for _, field, spec, _ in Formatter().parse(fmt):
        if field is not None:
            if "{" in (spec or ""):
                raise ScriptTooLarge("nested fields in a format specification are not allowed in instructions")
            total += longest + sum(int(n) for n in re.findall(r"\d+", spec or ""))
    return total


def _range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError("range too large for instructions")
    return result


class _Namespace(Namespace):
    """namespace() whose attributes stay bounded (`{% set ns.x = ns.x ~ ns.x %}` in a loop doubles)."""

    def __setitem__(self, name, value):
        _bounded(text_size(value, MAX_SIZE), "a namespace attribute")
        super().__setitem__(name, value)


def _finalize(value):
    """Every `{{ value }}` on its way out: its text is bounded before str() builds it."""
    if type(value) not in _SHORT:
        _bounded(text_size(value, MAX_SIZE), "a value")
    return value


_SHORT = (str, int, float, bool, type(None))  # texts no longer than the value itself


def _text(value):
    return value if isinstance(value, str) else str(value)


def _indent_size(value, width=4, *args, **kwargs):
    prefix = width if isinstance(width, int) else len(_text(width))
    return len(_text(value)) + (_text(value).count("\n") + 1) * prefix


def _wordwrap_size(environment, value, width=79, break_long_words=True, wrapstring=None, *args, **kwargs):
    text = _text(value)
    lines = len(text) // max(width, 1) + text.count(" ") + text.count("\n") + 1
    return len(text) + lines * len(wrapstring or "\n")


def _replace_size(eval_ctx, value, old, new, count=None):
    text, old, new = _text(value), _text(old), _text(new)
    found = text.count(old) if count is None else min(text.count(old), count)
    return len(text) + found * (len(new) - len(old))


def _join(original):
    @functools.wraps(original)
    def join(eval_ctx, value, d="", attribute=None):
        items = list(value)  # a generator is read once: measured here, joined from the list
        _bounded(sum(len(_text(v)) for v in items) + len(_text(d)) * len(items), "the join filter")
        return original(eval_ctx, items, d, attribute)
    return join


def _estimated(original, name, estimate):
    @functools.wraps(original)
    def checked(*args, **kwargs):
        _bounded(estimate(*args, **kwargs), f"the {name} filter")
        return original(*args, **kwargs)
    return checked


# Output is plain text: the page escapes it, so escaping here would double it.
_env = _InstructionsEnvironment(autoescape=False, finalize=_finalize)
_env.globals["range"] = _range
_env.globals["namespace"] = _Namespace
del _env.globals["lipsum"]  # lipsum(n=10**6) loops in Jinja's own code, where no limit looks
_env.filters.update({
    "replace": _estimated(jinja_filters.do_replace, "replace", _replace_size),
    "center": _estimated(jinja_filters.do_center, "center", lambda value, width=80: width),
    "indent": _estimated(jinja_filters.do_indent, "indent", _indent_size),
    "wordwrap": _estimated(jinja_filters.do_wordwrap, "wordwrap", _wordwrap_size),
    "format": _estimated(jinja_filters.do_format, "format",
                         lambda value, *args, **kwargs: percent_size(_text(value), kwargs or args, MAX_SIZE)),
    "join": _join(jinja_filters.sync_do_join),
    "batch": _estimated(jinja_filters.do_batch, "batch", lambda value, linecount, *args: linecount),
    "slice": _estimated(jinja_filters.sync_do_slice, "slice", lambda value, slices, *args: slices),
})


@functools.lru_cache(maxsize=512)
def _compile(text: str):
    return _env.from_string(text)


def _render(template, data):
    """The template's text, stopped as soon as it grows past MAX_SIZE characters."""
    parts, size = [], 0
    # root_render_func rather than generate(): one generator less for the tracer to see resumed
    for part in template.root_render_func(template.new_context(data)):
        size += len(part)
        if size > MAX_SIZE:
            _bounded(size, "the instructions")
        parts.append(part)
    return "".join(parts)


class NotShown(Text):
    """The note shown instead of instructions that could not be rendered: English text that is also the
    catalogue's msgid (with its params), so the task page translates it (the engine knows no Flask)."""


def render_instructions(text: str | None, data: dict) -> str:
    """Render instructions with the task's data; errors become a visible note (NotShown), never a crash."""
    if not text:
        return ""
    try:
        template = _compile(text)
        # Line events suffice: a template line is one bounded step (ranges, filters and operators are capped).
        with hard_stop(), limited(TIME_LIMIT, _TEMPLATE_FILENAME, MAX_MEMORY, subject="instructions' rendering",
                                  opcodes=False):
            return _render(template, data)
    except ScriptLimitExceeded as err:
        log.warning("instructions not shown: %s", err)
        return NotShown("These instructions could not be shown: they take too long or produce too much text.")
    except Exception as err:  # designer text must never break the task page (e.g. a division by zero)
        return NotShown("[instructions could not be rendered: %(reason)s]", reason=str(err))


def check_template(text: str) -> str | None:
    """Why a template is refused (a syntax error, or reaching for private attributes), or None."""
    try:
        _compile(text)
        tree = _env.parse(text)
    except TemplateError as err:
        return str(err)
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            return f"private attribute '{name}' is not allowed in instructions"
    return None
