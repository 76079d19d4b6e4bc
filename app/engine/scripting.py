"""Sandboxed Python for BPMN/DMN: RestrictedPython compilation, guards, time and size limits.

SpiffWorkflow's default environment runs every condition, script and timer expression with
plain eval/exec and full builtins; this module replaces that environment for the whole engine.
"""
import ast
import builtins
import functools
import gc
import logging
import operator
import re
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from types import MappingProxyType, ModuleType

from RestrictedPython import (PrintCollector, RestrictingNodeTransformer, compile_restricted_eval,
                              compile_restricted_exec, safe_builtins)
from RestrictedPython.Guards import (guarded_iter_unpack_sequence, guarded_unpack_sequence,
                                     safer_getattr_raise)
from RestrictedPython.transformer import copy_locations
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

log = logging.getLogger(__name__)

FILENAME = "<string>"  # SpiffWorkflow looks for this name in tracebacks to report the failing line
MAX_ITEMS = 10**6  # longest str/bytes/list/tuple a script may build with + or *, and longest range()
MAX_BITS = 10**5  # largest int (in bits) a script may build with *, ** or <<
_SEQUENCES = (str, bytes, list, tuple)
_BINARY = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift}
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<"}
_REFUSED = {ast.ClassDef: "class", ast.With: "with", ast.Yield: "yield", ast.YieldFrom: "yield from"}
_INPLACE = {op + "=": getattr(operator, "i" + name) for op, name in {
    "+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
    "<<": "lshift", ">>": "rshift", "|": "or", "^": "xor", "&": "and", "@": "matmul"}.items()}


class ScriptTimeout(Exception):
    """A script or expression ran longer than its time limit."""


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus size guards and no construct that could outlive a timeout."""

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        op = _GUARDED_OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(ast.Name("_binop_", ast.Load()), [ast.Constant(op), node.left, node.right], [])
        copy_locations(call, node)
        return call

    def visit_While(self, node):
        node = self.node_contents_visit(node)
        # CPython 3.11 emits no line event for a loop that jumps to itself (`while True: pass`),
        # so the tracer would never see it; a real call in the test gives each turn a fresh line.
        call = ast.Call(ast.Name("_truth_", ast.Load()), [node.test], [])
        copy_locations(call, node.test)
        node.test = call
        return node

    def visit_Import(self, node):
        target = getattr(node, "module", None) or ", ".join(alias.name for alias in node.names)
        self.error(node, f'import of "{target}" is not allowed.')

    visit_ImportFrom = visit_Import

    # A timeout unsets the tracer, so nothing may run while it propagates: `finally` blocks,
    # `with` exits and generator cleanup would run unbounded (`except` clauses are guarded).
    def _refuse(self, node):
        self.error(node, f'"{_REFUSED[type(node)]}" is not allowed.')

    visit_ClassDef = visit_With = visit_Yield = visit_YieldFrom = _refuse

    def visit_Try(self, node):
        if node.finalbody:
            self.error(node, '"finally" clauses are not allowed.')
        return self.node_contents_visit(node)

    def visit_ExceptHandler(self, node):
        node = super().visit_ExceptHandler(node)
        node.type = ast.Call(ast.Name("_except_guard_", ast.Load()), [node.type] if node.type else [], [])
        copy_locations(node.type, node)
        return node


def _check_size(op, a, b):
    """Refuse `a op b` before computing it when the result would exceed the size limits."""
    if op == "*" and isinstance(b, _SEQUENCES):
        a, b = b, a
    size, limit = 0, MAX_ITEMS
    if isinstance(a, _SEQUENCES):
        if op == "*" and isinstance(b, int):
            size = len(a) * b
        elif op == "+" and isinstance(b, _SEQUENCES):
            size = len(a) + len(b)
    elif isinstance(a, int) and isinstance(b, int) and op in ("*", "**", "<<"):
        bits, limit = a.bit_length(), MAX_BITS
        size = {"*": bits + b.bit_length(), "**": bits * b if abs(a) > 1 else 0, "<<": bits + b}[op]
    if size > limit:
        raise ValueError(f"the result of '{op}' would be too large for a script")


def _binop(op, a, b):
    """A size-checked `a op b` for the operators that can build huge values."""
    if op != "+" or isinstance(a, _SEQUENCES):  # skip a call for the common `number + number`
        _check_size(op, a, b)
    return _BINARY[op](a, b)


def _inplacevar(op, a, b):
    """A size-checked augmented assignment (`x *= y` becomes `x = _inplacevar_('*=', x, y)`)."""
    if op != "+=" or isinstance(a, _SEQUENCES):
        _check_size(op[:-1], a, b)
    return _INPLACE[op](a, b)


def _range(*args):
    """range() capped at MAX_ITEMS, since C code (sum, list) consumes it without trace events."""
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise ValueError("range() is too large for a script")
    return result


def _write_guard(ob):
    """Allow item/attribute writes only on plain dicts and lists (script or task data)."""
    if type(ob) in (dict, list):
        return ob
    raise TypeError(f"a script may not modify {type(ob).__name__} objects")


class _ScriptClock(threading.local):
    """CPU time of this thread, less the garbage collections it ran.

    A script is charged only for its own work: wall time would also count waiting for the GIL while
    other requests run, and a collection of the whole heap (which can take half a second in a large
    process) would be charged to whichever script happened to trigger it."""

    def __init__(self):
        self.collecting_since = None
        self.collected = 0.0

    def now(self) -> float:
        return time.thread_time() - self.collected


_clock = _ScriptClock()


def _count_collections(phase, info):
    if phase == "start":
        _clock.collecting_since = time.thread_time()
    elif _clock.collecting_since is not None:
        _clock.collected += time.thread_time() - _clock.collecting_since
        _clock.collecting_since = None


gc.callbacks.append(_count_collections)


def _deadline_tracer(seconds):
    """A trace function raising ScriptTimeout in script frames once `seconds` of the script's own CPU time pass."""
    deadline = _clock.now() + seconds

    def trace(frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None  # helpers and guards are trusted, and could swallow the timeout
        if _clock.now() > deadline:
            raise ScriptTimeout(f"the script ran longer than its time limit of {seconds} s")
        return trace
    return trace


def _except_guard(types=BaseException):
    """Catch nothing once the tracer is gone: Python unsets it when it raises (timeout or recursion)."""
    return types if sys.gettrace() is not None else ()


# map() and filter() written in Python and compiled as script code, so the deadline tracer sees every
# item: the C builtins would let sum(map(...)) run unwatched far past the time limit.
_TRACED_SOURCE = """
def map(function, *iterables):
    for args in zip(*iterables):
        yield function(*args)


def filter(function, iterable):
    for item in iterable:
        if (item if function is None else function(item)):
            yield item
"""
_TRACED: dict = {}
exec(compile(_TRACED_SOURCE, FILENAME, "exec"), {"__builtins__": {"zip": zip}}, _TRACED)

# Not for scripts: classes, pow() (bypasses the size guard), raisable exceptions that escape
# SpiffWorkflow's `except Exception`, and names that are useless or replaced here.
_DENIED = {"__build_class__", "pow", "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
           "_getattr_", "id", "setattr", "delattr"}
_BUILTINS = MappingProxyType({
    **{name: value for name, value in safe_builtins.items() if name not in _DENIED},
    **{name: getattr(builtins, name) for name in (
        "all", "any", "dict", "enumerate", "frozenset", "list", "max", "min",
        "reversed", "set", "sorted", "sum", "tuple", "zip")},
    "range": _range, "map": _TRACED["map"], "filter": _TRACED["filter"],
})
ALLOWED_BUILTINS = frozenset(_BUILTINS) - {"None", "True", "False", "Ellipsis"} | {"print"}
_GUARDS = MappingProxyType({  # the names RestrictedPython's (and our policy's) rewritten code calls
    "__builtins__": _BUILTINS, "_getattr_": safer_getattr_raise, "_getitem_": operator.getitem,
    "_getiter_": iter, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence, "_write_": _write_guard, "_inplacevar_": _inplacevar,
    "_apply_": lambda func, *args, **kwargs: func(*args, **kwargs), "_print_": PrintCollector,
    "_binop_": _binop, "_except_guard_": _except_guard, "_truth_": bool,
})
DEFAULT_HELPERS = MappingProxyType({
    "now": lambda: datetime.now(timezone.utc), "date": date, "datetime": datetime,
    "timedelta": timedelta, "timezone": timezone,
})


@functools.lru_cache(maxsize=2048)
def _compile(mode, text):
    """Restricted compilation of `text` ('eval' or 'exec'), cached with its errors."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    return compiler(text, filename=FILENAME, policy=_Policy)


def _code(mode, text):
    """The compiled code, or a SyntaxError whose lineno SpiffWorkflow can look up in `text`."""
    result = _compile(mode, text)
    if not result.errors:
        return result.code
    lines = text.splitlines() or [""]
    match = re.match(r"Line (\d+)", result.errors[0])  # "Line None" for some syntax errors
    lineno = min(max(int(match.group(1)) if match else 1, 1), len(lines))
    error = SyntaxError("; ".join(result.errors))
    error.lineno, error.text = lineno, lines[lineno - 1]
    raise error


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Runs SpiffWorkflow's expressions and scripts in the RestrictedPython sandbox."""

    def __init__(self, helpers: dict | None = None, time_limit: float = 1.0):
        super().__init__({**DEFAULT_HELPERS, **(helpers or {})})
        self.time_limit = time_limit

    def evaluate(self, expression, context, external_context=None):
        """Value of `expression` over the task data (which shadows helpers and external names)."""
        # Guards come last: their names start with "_", which no script or form field may bind.
        namespace = {**self.globals, **(external_context or {}), **context, **_GUARDS}
        return self._run(eval, _code("eval", expression), namespace)

    def execute(self, script, context, external_context=None):
        """Run `script`; its assignments and deletions become the task data `context`."""
        environment = {**self.globals, **(external_context or {})}
        namespace = {**environment, **context, **_GUARDS}
        # One dict for globals and locals, so comprehensions and functions see earlier variables.
        self._run(exec, _code("exec", script), namespace)
        if "_print" in namespace:
            log.debug("script output: %s", namespace["_print"]())
        for name in [name for name in context if name not in namespace]:
            del context[name]
        context.update((name, value) for name, value in namespace.items()
                       if not _is_environment(name, value, environment))
        return True

    def _run(self, run, code, namespace):
        """run(code, namespace) under a per-thread tracer that enforces the time limit."""
        previous = sys.gettrace()
        sys.settrace(_deadline_tracer(self.time_limit))
        try:
            return run(code, namespace)
        finally:
            sys.settrace(previous)


def _is_environment(name, value, environment):
    """Whether a script's variable is sandbox machinery or an untouched helper, not task data."""
    return (name.startswith("_") or callable(value) or isinstance(value, ModuleType)
            or (name in environment and environment[name] is value))


def create_script_engine(helpers: dict | None = None, time_limit: float = 1.0) -> PythonScriptEngine:
    """A SpiffWorkflow script engine whose every expression and script runs in the sandbox."""
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers, time_limit))


def check_expression(text: str, known_functions=()) -> list[str]:
    """Deploy-time problems of a condition or expression; [] when it is fine."""
    return _check("eval", text, known_functions)


def check_script(text: str, known_functions=()) -> list[str]:
    """Deploy-time problems of a script; [] when it is fine."""
    return _check("exec", text, known_functions)


def _check(mode, text, known_functions):
    problems = list(_compile(mode, text).errors)
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError:
        return problems  # RestrictedPython has reported it
    known = ALLOWED_BUILTINS | DEFAULT_HELPERS.keys() | set(known_functions) | _defined_names(tree)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id not in known and not node.func.id.startswith("_")]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    return problems + [f'Line {node.lineno}: call of unknown function "{node.func.id}".' for node in calls]


def _defined_names(tree):
    """Names the code itself binds: variables, functions and parameters."""
    nodes = list(ast.walk(tree))
    return ({node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            | {node.name for node in nodes if isinstance(node, ast.FunctionDef)}
            | {node.arg for node in nodes if isinstance(node, ast.arg)})
