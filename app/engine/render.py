"""Designer-written text (instructionsForEndUser) rendered in Jinja's sandbox."""
from functools import lru_cache

from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Output is plain text: the page escapes it, so escaping here would double it.
_env = ImmutableSandboxedEnvironment(autoescape=False)


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
    """The syntax error in a template, or None."""
    try:
        _compile(text)
    except TemplateError as err:
        return str(err)
    return None
