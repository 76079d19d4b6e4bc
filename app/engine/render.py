"""Designer-written text (instructionsForEndUser) rendered in Jinja's sandbox."""
from functools import lru_cache

from jinja2 import TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_RANGE = 1000  # instructions list a few items; Jinja's own cap (100,000) nests into billions
MAX_SIZE = 100_000


class _InstructionsEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded so one expression cannot build gigabytes."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and right > 64:
            raise SecurityError("exponent too large")
        if operator == "*" and any(isinstance(x, (str, list, tuple)) for x in (left, right)):
            count = right if isinstance(right, int) else left if isinstance(left, int) else 0
            length = len(left) if not isinstance(left, int) else len(right)
            if count * length > MAX_SIZE:
                raise SecurityError("result too large")
        return super().call_binop(context, operator, left, right)


def _range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SecurityError("range too large for instructions")
    return result


# Output is plain text: the page escapes it, so escaping here would double it.
_env = _InstructionsEnvironment(autoescape=False)
_env.globals["range"] = _range


@lru_cache(maxsize=512)
def _compile(text: str):
    return _env.from_string(text)


def render_instructions(text: str | None, data: dict) -> str:
    """Render instructions with the task's data; errors become a visible note, never a crash."""
    if not text:
        return ""
    try:
        return _compile(text).render(**data)
    except Exception as err:  # designer text must never break the task page (e.g. a division by zero)
        return f"[instructions could not be rendered: {err}]"


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
