"""Sandboxed Python for BPMN/DMN: RestrictedPython compilation, guards, time and size limits.

SpiffWorkflow's default environment runs every condition, script and timer expression with
plain eval/exec and full builtins; this module replaces that environment for the whole engine.
"""
import ast
import builtins
import contextlib
import functools
import logging
import operator
import os
import re
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as dtime
from types import MappingProxyType, ModuleType

from RestrictedPython import (PrintCollector, RestrictingNodeTransformer, compile_restricted_eval,
                              compile_restricted_exec, safe_builtins)
from RestrictedPython.Guards import (guarded_iter_unpack_sequence, guarded_unpack_sequence,
                                     safer_getattr_raise)
from RestrictedPython.transformer import copy_locations
from SpiffWorkflow.bpmn.script_engine import BasePythonScriptEngineEnvironment, PythonScriptEngine

from app import clock
from app.engine import cputime
from app.engine.text import Text

log = logging.getLogger(__name__)

FILENAME = "<string>"  # SpiffWorkflow looks for this name in tracebacks to report the failing line
MAX_ITEMS = 10**6  # longest str/bytes/list/tuple a script may build with + or *, and longest range()
MAX_BITS = 10**5  # largest int (in bits) a script may build with *, ** or <<
MAX_MEMORY = 256 * 2**20  # bytes a script may grow the process by (resident set size)
MAX_DATA = 10**7  # characters the task data a script leaves behind may take once written out
POLL_SECONDS = 0.0005  # how often, in script time, the tracer looks at the CPU clock and the process size
EVENTS_PER_LOOK = 8  # trace events between two looks at the (wall) clock that gates those polls
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_BINARY = {"+": operator.add, "*": operator.mul, "**": operator.pow, "<<": operator.lshift, "%": operator.mod}
_GUARDED_OPS = {ast.Add: "+", ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%"}
_REFUSED = {ast.ClassDef: "class", ast.With: "with", ast.Yield: "yield", ast.YieldFrom: "yield from"}
_INPLACE = {op + "=": getattr(operator, "i" + name) for op, name in {
    "+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod", "**": "pow",
    "<<": "lshift", ">>": "rshift", "|": "or", "^": "xor", "&": "and", "@": "matmul"}.items()}


class ScriptLimitExceeded(Exception):
    """A script, expression or instruction text went past one of the sandbox's limits."""


class ScriptTimeout(ScriptLimitExceeded):
    """A script or expression ran longer than its time limit (or the run's budget)."""


class ScriptMemoryExceeded(ScriptLimitExceeded):
    """A script or expression grew the process past its memory limit."""


class ScriptTooLarge(ScriptLimitExceeded, ValueError):
    """One operation would build a value past the size limits (refused before it runs)."""


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

    # Comparisons, set elements and dict keys: operands that may be containers are counted first
    # (node_count). A constant scalar on one side keeps a comparison cheap, so `x == "yes"` stays as is;
    # `a == b` visits at most the parts of `a`, so only the left side of each pair is counted.
    def visit_Compare(self, node):
        node = self.node_contents_visit(node)
        operands = [node.left, *node.comparators]
        risky = set()
        for index, op in enumerate(node.ops):
            left, right = operands[index], operands[index + 1]
            if isinstance(op, (ast.Is, ast.IsNot)):
                continue
            if isinstance(op, (ast.In, ast.NotIn)):
                if not _scalar(left):  # hashed (dict, set) or compared with each item
                    risky.update((index, index + 1) if not _scalar_display(right) else (index,))
            elif not (_scalar(left) or _scalar(right)):
                risky.add(index)  # comparing visits no more parts than the smaller side has: one side suffices
        operands = [_counted(operand) if index in risky else operand for index, operand in enumerate(operands)]
        node.left, node.comparators = operands[0], operands[1:]
        return node

    def visit_Set(self, node):
        node = self.node_contents_visit(node)
        node.elts = [element if _scalar(element) else _counted(element) for element in node.elts]
        return node

    def visit_Dict(self, node):
        node = self.node_contents_visit(node)
        node.keys = [key if key is None or _scalar(key) else _counted(key) for key in node.keys]
        return node

    def visit_SetComp(self, node):
        node = super().visit_SetComp(node)
        node.elt = _counted(node.elt)
        return node

    def visit_DictComp(self, node):
        node = super().visit_DictComp(node)
        node.key = _counted(node.key)
        return node

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

    def visit_FormattedValue(self, node):
        node = self.node_contents_visit(node)
        # FORMAT_VALUE is one opcode: `f"{1:>999999999}"` would build a gigabyte before any check.
        spec = node.format_spec or ast.Constant("")
        call = ast.Call(ast.Name("_format_", ast.Load()), [node.value, ast.Constant(node.conversion), spec], [])
        formatted = ast.FormattedValue(call, -1, None)
        copy_locations(call, node)
        copy_locations(formatted, node)
        return formatted

    def visit_ExceptHandler(self, node):
        node = super().visit_ExceptHandler(node)
        node.type = ast.Call(ast.Name("_except_guard_", ast.Load()), [node.type] if node.type else [], [])
        copy_locations(node.type, node)
        return node


def _scalar(node) -> bool:
    """Whether the expression is a constant number, text, bytes or None (cheap to compare or hash)."""
    return isinstance(node, ast.Constant) and type(node.value) in (str, bytes, int, float, bool, type(None))


def _scalar_display(node) -> bool:
    """A list or tuple display of scalar constants: `x in ("a", "b")` compares x with scalars only."""
    return isinstance(node, (ast.List, ast.Tuple)) and all(map(_scalar, node.elts))


def _counted(node):
    call = ast.Call(ast.Name("_compared_", ast.Load()), [node], [])
    copy_locations(call, node)
    return call


def check_size(op, a, b, limit=MAX_ITEMS):
    """Refuse `a op b` before computing it when the result would exceed the size limits."""
    if op == "%":
        if isinstance(a, (str, bytes, bytearray)):
            _bounded(percent_size(a, b, limit), "'%'", limit)
        return
    if op == "*" and isinstance(b, _SEQUENCES):
        a, b = b, a
    size, bit_limit = 0, limit * MAX_BITS // MAX_ITEMS
    if isinstance(a, _SEQUENCES):
        if op == "*" and isinstance(b, int):
            size = len(a) * b
        elif op == "+" and isinstance(b, _SEQUENCES):
            size = len(a) + len(b)
    elif isinstance(a, int) and isinstance(b, int) and op in ("*", "**", "<<"):
        bits, limit = a.bit_length(), bit_limit
        size = {"*": bits + b.bit_length(), "**": bits * b if abs(a) > 1 else 0, "<<": bits + b}[op]
    _bounded(size, f"'{op}'", limit)


def _bounded(size, what, limit=MAX_ITEMS):
    if size > limit:
        raise ScriptTooLarge(f"the result of {what} would be too large for a script (limit {limit:,})")


def _binop(op, a, b):
    """A size-checked `a op b` for the operators that can build huge values."""
    if op != "+" or isinstance(a, _SEQUENCES):  # skip a call for the common `number + number`
        check_size(op, a, b)
    return _BINARY[op](a, b)


def _inplacevar(op, a, b):
    """A size-checked augmented assignment (`x *= y` becomes `x = _inplacevar_('*=', x, y)`)."""
    if op == "+=" and type(a) is list and not isinstance(b, _SEQUENCES):
        b = list(b)  # `items += iter(items)` would extend the list from itself forever, in one C call
    if op != "+=" or isinstance(a, _SEQUENCES):
        check_size(op[:-1], a, b)
    return _INPLACE[op](a, b)


def _range(*args):
    """range() capped at MAX_ITEMS, since C code (sum, list) consumes it without trace events."""
    result = range(*args)
    if len(result) > MAX_ITEMS:
        raise ScriptTooLarge("range() is too large for a script")
    return result


def _round(number, ndigits=None):
    """round(), refusing digit counts whose power of ten alone would take minutes (`round(5, -10**9)`)."""
    if isinstance(ndigits, int) and abs(ndigits) > MAX_BITS // 10:
        raise ScriptTooLarge("round() was asked for too many digits")
    return round(number, ndigits)


# Text built from values: one C call (str, repr, %, format) can turn a small list that holds one big
# string a million times into terabytes, so the length of the text is bounded before it is built.
_SHORT = (str, int, float, bool, type(None))


def text_size(value, limit=MAX_ITEMS) -> int:
    """About len(repr(value)) (within a small factor), without building it; ScriptTooLarge past `limit`."""
    sizes = {}

    def size(item):
        kind = type(item)
        if kind in (str, bytes, bytearray):
            return len(item) + 3
        if kind is int:
            return item.bit_length() // 3 + 2
        if kind not in (list, tuple, set, frozenset, dict):
            return 32  # numbers, dates, None: short texts
        known = sizes.get(id(item))  # an object met again prints again: counted again, walked once
        if known is not None:
            return known
        sizes[id(item)] = 5  # a container inside itself prints as [...]
        total = 2
        for element in (item.items() if kind is dict else item):
            total += (size(element[0]) + size(element[1]) + 4) if kind is dict else size(element) + 2
            if total > limit:
                raise ScriptTooLarge(f"the text of this value would be too large for a script (limit {limit:,})")
        sizes[id(item)] = total
        return total

    try:
        return size(value)
    except RecursionError:
        raise ScriptTooLarge("this value is nested too deeply to be turned into text") from None


def _check_text(value, limit=MAX_ITEMS):
    if type(value) not in _SHORT:
        text_size(value, limit)


def _spec_size(value, spec):
    """Longest text format(value, spec) can give, from the widths and precisions in `spec`."""
    if isinstance(value, (date, dtime)):
        return _strftime_size(spec)
    return text_size(value) + sum(int(number) for number in re.findall(r"\d+", spec))


# Comparing, hashing or sorting values: one C call visits every part of both values, and a part shared
# many times is visited each time (`a = (a, a)` sixty times is 2**60 parts in 60 objects). The parts are
# counted first, each shared object walked once; scalars never pay more than a type check.
MAX_COMPARED = MAX_ITEMS  # parts one comparison, hash or sort may visit
_NESTED = frozenset({list, tuple, set, frozenset, dict})
_ATOMIC = frozenset({str, bytes, bytearray, int, float, bool, complex, type(None), date, datetime, dtime,
                     timedelta, timezone})


def node_count(value, limit=MAX_COMPARED) -> int:
    """Parts comparing or hashing `value` may visit (shared ones counted each time); ScriptTooLarge past `limit`."""
    kind = type(value)
    if kind not in _NESTED:
        return 1
    if kind is not dict and _ATOMIC.issuperset(map(type, value)):  # the common flat list or tuple
        if len(value) < limit:
            return len(value) + 1
    counts = {}

    def count(item):
        known = counts.get(id(item))
        if known is not None:  # met again: visited again, walked once
            return known
        counts[id(item)] = 1  # a container inside itself: Python's own recursion limit ends that walk
        total = 1
        for part in (item.keys(), item.values()) if type(item) is dict else (item,):
            total += len(part)
            if total <= limit and not _ATOMIC.issuperset(map(type, part)):  # flat parts at C speed
                for element in part:
                    if type(element) in _NESTED:
                        total += count(element) - 1
                        if total > limit:
                            break
            if total > limit:
                raise ScriptTooLarge(f"this value has too many parts to compare, hash or sort in a script "
                                     f"(limit {limit:,}; shared parts count each time they occur)")
        counts[id(item)] = total
        return total

    try:
        return count(value)
    except RecursionError:
        raise ScriptTooLarge("this value is nested too deeply to compare, hash or sort") from None


def _compared(value):
    """An operand of ==, <, in (…) or a set element or dict key, refused when it has too many parts."""
    kind = type(value)
    if kind in _NESTED and (kind is dict or not _ATOMIC.issuperset(map(type, value))):  # flat: no more calls
        node_count(value)
    return value


def _hash(value):
    """hash(), bounded (see node_count)."""
    return hash(_compared(value))


def _items(iterable):
    """The items of `iterable` as a list or tuple (read once), their parts counted."""
    if type(iterable) not in (list, tuple):
        iterable = list(iterable)
    if not _ATOMIC.issuperset(map(type, iterable)):
        node_count(iterable)
    return iterable


def _counted_key(key):
    return None if key is None else lambda item: _compared(key(item))


def _guarded_type(kind, make):
    """`kind` for scripts: calling it runs `make`, isinstance() and its methods are the real type's."""
    class Guarded(type):
        def __call__(cls, *args, **kwargs):
            return make(*args, **kwargs)

        def __instancecheck__(cls, instance):
            return isinstance(instance, kind)

        def __subclasscheck__(cls, subclass):
            return issubclass(subclass, kind)
    return Guarded(kind.__name__, (), {"__doc__": f"{kind.__name__}, for scripts (bounded)."})


_set = _guarded_type(set, lambda *args: set(_items(args[0])) if args else set())
_frozenset = _guarded_type(frozenset, lambda *args: frozenset(_items(args[0])) if args else frozenset())


def _sorted(iterable, /, *, key=None, reverse=False):
    """sorted(), bounded (see node_count)."""
    return sorted(_items(iterable), key=_counted_key(key), reverse=reverse)


def _extreme(function):
    def guarded(*args, key=None, **kwargs):
        if len(args) == 1:
            values = args[0] if type(args[0]) in (str, bytes, range) else _items(args[0])
            return function(values, key=_counted_key(key), **kwargs)
        return function(*_items(args), key=_counted_key(key), **kwargs)
    guarded.__name__ = guarded.__qualname__ = function.__name__
    guarded.__doc__ = f"{function.__name__}(), bounded (see node_count)."
    return guarded


def _compared_arguments(limit, call, target, *args, **kwargs):
    """A method that compares or hashes its arguments (list.index, dict.get, set.add…): counted first."""
    for value in args:
        _compared(value)
    return call(*args, **kwargs)


def _sorted_in_place(limit, call, target, *, key=None, reverse=False):
    node_count(target)
    return call(key=_counted_key(key), reverse=reverse)


def _strftime_size(fmt):
    widths = sum(int(number) for number in re.findall(r"%[-_0^#]*(\d+)", fmt))  # glibc pads `%99999Y`
    return len(fmt) * 12 + widths


def _format(value, conversion, spec):
    """An f-string field (`f"{value!r:>10}"`), with its text bounded before it is built."""
    if conversion != -1:
        value = {115: _str, 114: _repr, 97: _ascii}[conversion](value)
    if type(value) is str and not spec:
        return value
    _bounded(_spec_size(value, spec) if spec else text_size(value), "a formatted value")
    return format(value, spec)


def _repr(value):
    """repr(), bounded (see text_size)."""
    _check_text(value)
    return repr(value)


def _ascii(value):
    _check_text(value, MAX_ITEMS // 10)
    return ascii(value)


class _GuardedType(type):
    """Makes `str` for scripts a bounded function that still works with isinstance()."""

    def __call__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs:
            _check_text(args[0])
        return str(*args, **kwargs)

    def __instancecheck__(cls, instance):
        return isinstance(instance, str)

    def __subclasscheck__(cls, subclass):
        return issubclass(subclass, str)


class _str(metaclass=_GuardedType):  # noqa: N801 (scripts see it as `str`)
    """str, for scripts."""



def percent_size(fmt, args, limit=MAX_ITEMS):
    """Longest text `fmt % args` can give: each field's width, precision and value (CPython's parser)."""
    text = fmt.decode("latin-1") if isinstance(fmt, (bytes, bytearray)) else fmt
    mapping = args if isinstance(args, dict) else None
    positional = iter(args if isinstance(args, tuple) else (args,))
    total, index, end = len(text), 0, len(text)
    try:
        while (index := text.find("%", index) + 1) > 0:
            key = None
            if index < end and text[index] == "(":
                depth, index, start = 1, index + 1, index + 1
                while index < end and depth:
                    depth += {"(": 1, ")": -1}.get(text[index], 0)
                    index += 1
                key = text[start:index - 1]
            while index < end and text[index] in "-+ #0":
                index += 1
            numbers = []
            for _ in range(2):  # the width, then after a "." the precision
                if index < end and text[index] == "*":
                    numbers.append(abs(int(next(positional))))
                    index += 1
                else:
                    digits = re.match(r"\d*", text[index:index + 20]).group()
                    numbers.append(int(digits or 0) if len(digits) < 20 else limit + 1)
                    index += len(digits)
                if not (index < end and text[index] == "."):
                    break
                index += 1
            while index < end and text[index] in "hlL":
                index += 1
            if index >= end or text[index] == "%":
                index += 1
                continue
            index += 1
            value = mapping[key] if key is not None else next(positional)
            total += sum(numbers) + text_size(value, limit)
            if total > limit:
                break
    except ScriptTooLarge:
        raise
    except (StopIteration, KeyError, TypeError, ValueError, IndexError):
        pass  # `fmt % args` itself reports the mismatch, before it builds anything
    return total


# Methods whose one C call can build far more than its inputs: each estimates the result's size
# from its arguments and refuses before the call. Keyed by (type, name), for bound and unbound use.
def _estimated(estimate, what):
    def guard(limit, call, target, *args, **kwargs):
        try:
            size = estimate(target, *args, **kwargs)
        except ScriptTooLarge:
            raise
        except (TypeError, ValueError, AttributeError):
            size = 0  # the method itself reports the bad argument
        _bounded(size, what, limit)
        return call(*args, **kwargs)
    return guard


def _joined(limit, call, separator, iterable):
    items = iterable if type(iterable) in (list, tuple) else list(iterable)
    try:
        size = sum(map(len, items)) + len(separator) * max(len(items) - 1, 0)
    except TypeError:
        size = 0  # join() itself refuses items that are not text
    _bounded(size, "join()", limit)
    return call(items)


def _extended(limit, call, target, iterable):
    # extend() from an iterator over the list itself never ends: take the items first.
    items = iterable if isinstance(iterable, _SEQUENCES) else list(iterable)
    _bounded(len(target) + len(items), "extend()", limit)
    return call(items)


def _replaced_size(text, old, new, count=-1):
    found = text.count(old)
    return len(text) + (min(found, count) if count >= 0 else found) * (len(new) - len(old))


def _translated_size(text, table):
    values = table.values() if isinstance(table, dict) else table if isinstance(table, (list, tuple)) else ()
    return len(text) * max([len(v) for v in values if isinstance(v, str)] + [1])


def _tabs_size(text, tabsize=8):
    return len(text) + text.count("\t" if isinstance(text, str) else b"\t") * max(tabsize, 0)


_METHOD_GUARDS = {
    **{(kind, name): _estimated(lambda text, width, *rest: width, f"{name}()")
       for kind in (str, bytes, bytearray) for name in ("ljust", "rjust", "center", "zfill")},
    **{(kind, "replace"): _estimated(_replaced_size, "replace()") for kind in (str, bytes, bytearray)},
    **{(kind, "expandtabs"): _estimated(_tabs_size, "expandtabs()") for kind in (str, bytes, bytearray)},
    **{(kind, "join"): _joined for kind in (str, bytes, bytearray)},
    **{(kind, "extend"): _extended for kind in (list, bytearray)},
    (str, "translate"): _estimated(_translated_size, "translate()"),
    (str, "encode"): _estimated(lambda text, *rest, **options: len(text) * 10, "encode()"),
    (int, "to_bytes"): _estimated(lambda number, length=1, *rest, **options: length, "to_bytes()"),
    **{(kind, "strftime"): _estimated(lambda moment, fmt: _strftime_size(fmt), "strftime()")
       for kind in (date, datetime, dtime)},
    **{(kind, name): _compared_arguments for kind, names in {
        list: ("count", "index", "remove"), tuple: ("count", "index"), dict: ("get", "pop", "setdefault"),
        set: ("add", "discard", "remove")}.items() for name in names},
    (list, "sort"): _sorted_in_place,
}


def guard_method(target, name, value, limit=MAX_ITEMS):
    """`value` (the attribute `name` of `target`), wrapped in its size guard when it has one."""
    if isinstance(target, type):
        guard = _METHOD_GUARDS.get((target, name))
        if guard is None:
            return value
        return lambda this, *args, **kwargs: guard(limit, functools.partial(value, this), this, *args, **kwargs)
    guard = _METHOD_GUARDS.get((type(target), name))
    return value if guard is None else functools.partial(guard, limit, value, target)


_REAL_TYPES = {_str: str, _set: set, _frozenset: frozenset}


def _getattr(target, name):
    """RestrictedPython's attribute guard, with the size-guarded methods above."""
    target = _REAL_TYPES.get(target, target) if isinstance(target, type) else target
    return guard_method(target, name, safer_getattr_raise(target, name))


class _Printer(PrintCollector):
    """print() for scripts: what it collects is bounded too."""

    def __init__(self, _getattr_=None):
        super().__init__(_getattr_)
        self.size = 0

    def write(self, text):
        self.size += len(text)
        _bounded(self.size, "print()")
        super().write(text)

    def _call_print(self, *objects, **kwargs):
        for value in objects:
            _check_text(value)
        return super()._call_print(*objects, **kwargs)


def _write_guard(ob):
    """Allow item/attribute writes only on plain dicts and lists (script or task data)."""
    if type(ob) in (dict, list):
        return ob
    raise TypeError(f"a script may not modify {type(ob).__name__} objects")




_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_statm = {"pid": None, "fd": None}


def _resident() -> int:
    """The process's resident set size in bytes (0 where /proc is missing)."""
    if _statm["pid"] != os.getpid():  # a forked worker must not read its parent's file
        try:
            _statm["fd"], _statm["pid"] = os.open("/proc/self/statm", os.O_RDONLY), os.getpid()
        except OSError:
            return 0
    return int(os.pread(_statm["fd"], 128, 0).split()[1]) * _PAGE


class _Watch:
    """Time and memory limits for one run of sandboxed code, enforced by a trace function.

    The trace function runs between bytecodes (opcode events) in the sandboxed code's own frames, so
    no loop can escape it and the longest unwatched stretch is one C call, which the size guards bound.
    Every EVENTS_PER_LOOK events it reads perf_counter(); every POLL_SECONDS it reads the thread's
    CPU clock and the process size (RSS from /proc/self/statm, growth over the first poll). The CPU
    time used so far is first read at that first poll, counting the wall time before it (less garbage
    collections) as CPU time: a short expression never pays for a CPU-clock read (about 2 µs here)."""

    def __init__(self, seconds, filename, max_memory, reason, subject, opcodes=True):
        self.seconds, self.max_memory, self.reason, self.subject = seconds, max_memory, reason, subject
        self.started, self.collected_before = time.perf_counter(), cputime.collected_wall()
        self.cpu_start = self.baseline = None
        self.gate = self.started + min(POLL_SECONDS, seconds)
        perf, watch, countdown = time.perf_counter, self, [0]

        def trace(frame, event, arg):
            if event == "call":
                if frame.f_code.co_filename != filename:
                    return None  # helpers and guards are trusted, and could swallow the exception
                frame.f_trace_opcodes = opcodes
            countdown[0] -= 1
            if countdown[0] < 0:  # the clock every EVENTS_PER_LOOK events: each is one bounded step
                countdown[0] = EVENTS_PER_LOOK
                if perf() > watch.gate:
                    watch.check()
            return trace
        self.trace = trace

    def check(self):
        """Raise past a limit; otherwise set when to look again."""
        now, cpu = time.perf_counter(), cputime.now()
        if self.cpu_start is None:
            self.cpu_start = cpu - self._wall_used(now)
        used = cpu - self.cpu_start
        if used > self.seconds:
            raise ScriptTimeout(self.reason)
        resident = _resident()
        if self.baseline is None:
            self.baseline = resident
        elif resident - self.baseline > self.max_memory:
            raise ScriptMemoryExceeded(
                f"the {self.subject} used more than {self.max_memory >> 20} MB of memory, the limit")
        self.gate = now + min(POLL_SECONDS, self.seconds - used)

    def used(self) -> float:
        """CPU seconds used so far (the wall time, when shorter than one poll)."""
        if self.cpu_start is None:
            return self._wall_used(time.perf_counter())
        return cputime.now() - self.cpu_start

    def _wall_used(self, now: float) -> float:
        """Wall time since the start, less the garbage collections in it (they are not the script's work)."""
        return now - self.started - (cputime.collected_wall() - self.collected_before)


class _Budget(threading.local):
    """What is left of the innermost script_budget() on this thread (None: no budget)."""

    remaining: float | None = None
    total: float = 0.0


_budget = _Budget()


@contextlib.contextmanager
def script_budget(seconds: float):
    """Cap the total CPU time of every script and expression evaluated inside (nested: the smaller)."""
    outer, outer_total = _budget.remaining, _budget.total
    if outer is None or seconds < outer:
        _budget.remaining, _budget.total = seconds, seconds
    granted = _budget.remaining
    try:
        yield
    finally:
        used = granted - _budget.remaining
        _budget.remaining = None if outer is None else outer - used
        _budget.total = outer_total


@contextlib.contextmanager
def limited(seconds: float, filename: str = FILENAME, max_memory: int = MAX_MEMORY, reason: str | None = None,
            subject: str = "script", opcodes: bool = True):
    """Run the block with the time and memory limits enforced in frames of code compiled as `filename`.

    `opcodes=False` checks at each line only, for code whose every line is one bounded step."""
    reason = reason or f"the {subject} ran longer than its time limit of {seconds} s"
    watch = _Watch(seconds, filename, max_memory, reason, subject, opcodes)
    previous = sys.gettrace()
    sys.settrace(watch.trace)
    try:
        yield watch
    finally:
        sys.settrace(previous)


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


def sum(iterable, start=0):
    if not isinstance(start, sequences):
        return c_sum(iterable, start)
    for item in iterable:  # sum(lists, []) adds one by one, each step size-checked and watched
        start = binop("+", start, item)
    return start
"""
_TRACED: dict = {}
exec(compile(_TRACED_SOURCE, FILENAME, "exec"),
     {"__builtins__": {"zip": zip, "isinstance": isinstance}, "sequences": _SEQUENCES, "c_sum": builtins.sum,
      "binop": _binop}, _TRACED)

# Not for scripts: classes, pow() (bypasses the size guard), raisable exceptions that escape
# SpiffWorkflow's `except Exception`, and names that are useless or replaced here.
_DENIED = {"__build_class__", "pow", "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
           "_getattr_", "id", "setattr", "delattr"}
_BUILTINS = MappingProxyType({
    **{name: value for name, value in safe_builtins.items() if name not in _DENIED},
    **{name: getattr(builtins, name) for name in (
        "all", "any", "dict", "enumerate", "list", "reversed", "tuple", "zip")},
    "hash": _hash, "set": _set, "frozenset": _frozenset, "sorted": _sorted, "max": _extreme(max),
    "min": _extreme(min), "range": _range, "map": _TRACED["map"], "filter": _TRACED["filter"], "sum": _TRACED["sum"],
    "str": _str, "repr": _repr, "round": _round,
})
ALLOWED_BUILTINS = frozenset(_BUILTINS) - {"None", "True", "False", "Ellipsis"} | {"print"}
_GUARDS = MappingProxyType({  # the names RestrictedPython's (and our policy's) rewritten code calls
    "__builtins__": _BUILTINS, "_getattr_": _getattr, "_getitem_": operator.getitem,
    "_getiter_": iter, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence, "_write_": _write_guard, "_inplacevar_": _inplacevar,
    "_apply_": lambda func, *args, **kwargs: func(*args, **kwargs), "_print_": _Printer,
    "_binop_": _binop, "_compared_": _compared, "_except_guard_": _except_guard, "_truth_": bool, "_format_": _format,
})
DEFAULT_HELPERS = MappingProxyType({
    "now": clock.now, "date": date, "datetime": datetime,
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
        results = {name: value for name, value in namespace.items() if not _is_environment(name, value, environment)}
        # The serializer writes the task data out after the script: shared references must not
        # make that text explode (`x = ["a" * 10**6] * 10**6` is 8 MB in memory, a terabyte as JSON).
        text_size(list(results.values()), MAX_DATA)
        for name in [name for name in context if name not in namespace]:
            del context[name]
        context.update(results)
        return True

    def _run(self, run, code, namespace):
        """run(code, namespace) under the time limit (or what is left of the run's budget) and memory limit."""
        seconds, reason = self.time_limit, f"the script ran longer than its time limit of {self.time_limit} s"
        remaining = _budget.remaining
        if remaining is not None and remaining < seconds:
            seconds = remaining
            reason = f"the scripts of this step ran longer than their total time limit of {_budget.total} s"
            if seconds <= 0:
                raise ScriptTimeout(reason)
        with limited(seconds, reason=reason) as watch:
            try:
                return run(code, namespace)
            finally:
                if remaining is not None:
                    _budget.remaining -= watch.used()


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
    return problems + [Text('Line %(line)s: call of unknown function "%(name)s".', line=node.lineno, name=node.func.id)
                       for node in calls]


def _defined_names(tree):
    """Names the code itself binds: variables, functions and parameters."""
    nodes = list(ast.walk(tree))
    return ({node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
            | {node.name for node in nodes if isinstance(node, ast.FunctionDef)}
            | {node.arg for node in nodes if isinstance(node, ast.arg)})
