"""Form schemas (JSON Schema 2020-12) that cannot reach out or stall: one validator factory for every
place a form is checked, and the deploy-time problems of a schema.

A `$ref` is only ever looked up inside the schema itself: the validator's registry has no retrieval,
so nothing is fetched over the network or read from disk. `pattern` and `patternProperties` are
matched by RE2, whose matching time grows linearly with the text, never by Python's backtracking `re`.
"""
import functools
from urllib.parse import urljoin

import re2
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from app.engine.text import Text

MAX_DEPTH = 32  # nesting of a form's JSON; forms are a few levels deep
MAX_REFERENCES = 200
_UNSUPPORTED_REFERENCES = ("$dynamicRef", "$recursiveRef")


def _re2_options():
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported as a problem, not logged to stderr
    return options


_OPTIONS = _re2_options()


@functools.lru_cache(maxsize=512)
def compiled(pattern: str):
    """The RE2 program for a pattern; re2.error when RE2 cannot express it."""
    return re2.compile(pattern, _OPTIONS)


def pattern_problem(pattern) -> str | None:
    """Why RE2 cannot match this pattern (a backreference, lookaround, …), or None."""
    if not isinstance(pattern, str):
        return None  # the meta-schema check reports it
    try:
        compiled(pattern)
    except re2.error as err:
        reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        return Text("pattern %(pattern)s cannot be used: %(reason)s (backreferences and lookaround are not "
                    "supported; patterns are matched in linear time)", pattern=repr(pattern), reason=reason)
    return None


def _matches(pattern: str, text: str) -> bool | None:
    """Whether the pattern occurs in the text (as jsonschema's re.search); None if RE2 refuses it."""
    try:
        return compiled(pattern).search(text) is not None
    except re2.error:
        return None


def _pattern(validator, pattern, instance, schema):
    if not validator.is_type(instance, "string"):
        return
    found = _matches(pattern, instance)
    if found is None:
        yield ValidationError(f"{pattern!r} cannot be matched")
    elif not found:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator, pattern_properties, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for name, value in instance.items():
            if _matches(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(validator, additional, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    properties, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = [name for name in instance
              if name not in properties and not any(_matches(p, name) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        yield ValidationError(f"Additional properties are not allowed ({', '.join(map(repr, sorted(extras)))} "
                              f"{'was' if len(extras) == 1 else 'were'} unexpected)")


_unevaluated_properties = Draft202012Validator.VALIDATORS["unevaluatedProperties"]


def _guarded_unevaluated_properties(validator, unevaluated, instance, schema):
    # jsonschema matches patternProperties with Python's re while finding the evaluated keys.
    if _uses_pattern_properties(validator.schema):
        yield ValidationError("unevaluatedProperties cannot be combined with patternProperties")
        return
    yield from _unevaluated_properties(validator, unevaluated, instance, schema)


_one_of = Draft202012Validator.VALIDATORS["oneOf"]
_LABEL_KEYS = {"const", "title", "description"}


def _fast_one_of(validator, subschemas, instance, schema):
    # A choice list of text options (a register's members, hundreds of them, checked for every ticked box): the
    # instance matches exactly one option when it equals exactly one const, so count instead of validating each.
    if isinstance(instance, str) and all(isinstance(s, dict) and "const" in s and isinstance(s["const"], str)
                                         and s.keys() <= _LABEL_KEYS for s in subschemas):
        matches = [s["const"] for s in subschemas].count(instance)
        if matches == 0:
            yield ValidationError(f"{instance!r} is not valid under any of the given schemas")
        elif matches > 1:
            yield ValidationError(f"{instance!r} is valid under each of several of the given schemas")
        return
    yield from _one_of(validator, subschemas, instance, schema)


FormValidator = validators.extend(Draft202012Validator, {
    "pattern": _pattern, "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties, "unevaluatedProperties": _guarded_unevaluated_properties,
    "oneOf": _fast_one_of,
})


def form_validator(schema, format_checker=None):
    """A validator for a form schema that never fetches a reference and matches patterns with RE2."""
    return FormValidator(schema, registry=Registry(), format_checker=format_checker)


def form_errors(schema, instance, format_checker=None) -> list[ValidationError]:
    """The instance's validation errors; a schema that cannot be used (a reference to outside it, one
    looping back) gives one error instead of an exception. Deployed forms were refused for those."""
    try:
        return list(form_validator(schema, format_checker).iter_errors(instance))
    except (Unresolvable, RecursionError) as err:
        return [ValidationError(f"the form cannot be checked: {type(err).__name__}", validator="$ref")]


def schema_problems(schema) -> list[str]:
    """Everything that keeps a form schema from being used safely ([] when it can be)."""
    if _depth(schema) > MAX_DEPTH:
        return [Text("the form is nested more than %(limit)s levels deep", limit=MAX_DEPTH)]
    try:
        FormValidator.check_schema(schema)
    except SchemaError as err:
        return [Text("not a valid JSON Schema: %(reason)s", reason=err.message)]
    nodes = list(_subschemas(schema))
    problems = [p for node, _base in nodes for p in _pattern_problems(node)]
    if any(isinstance(n, dict) and "unevaluatedProperties" in n for n, _b in nodes) and _uses_pattern_properties(schema):
        problems.append(Text("unevaluatedProperties cannot be combined with patternProperties in a form"))
    return problems + _reference_problems(schema, nodes)


def _depth(value) -> int:
    """How deeply a JSON value nests, counted up to MAX_DEPTH + 1 (iteratively: a deep one cannot
    exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack += [(child, depth + 1) for child in children]
    return deepest


def _subschemas(schema, base: str = ""):
    """(subschema, base URI) for the schema and every schema inside it, as JSON Schema sees them."""
    stack = [(schema, base)]
    while stack:
        contents, base = stack.pop()
        resource = DRAFT202012.create_resource(contents)
        if resource.id():
            base = _join(base, resource.id())
        yield contents, base
        stack += [(sub.contents, base) for sub in resource.subresources()]


def _join(base: str, uri: str) -> str:
    return urljoin(base, uri) if base else uri


def _pattern_problems(node):
    if not isinstance(node, dict):
        return
    if message := pattern_problem(node.get("pattern")):
        yield message
    if isinstance(node.get("patternProperties"), dict):
        for pattern in node["patternProperties"]:
            if message := pattern_problem(pattern):
                yield message


def _uses_pattern_properties(schema) -> bool:
    return any(isinstance(n, dict) and n.get("patternProperties") for n, _b in _subschemas(schema))


def _reference_problems(schema, nodes) -> list[str]:
    """References that leave the schema, point nowhere, or lead back to themselves."""
    problems = [Text("%(keyword)s is not supported in forms: use \"$ref\" to a definition under \"$defs\"",
                     keyword=keyword)
                for node, _b in nodes if isinstance(node, dict) for keyword in _UNSUPPORTED_REFERENCES
                if keyword in node]
    refs = [(node, base) for node, base in nodes if isinstance(node, dict) and isinstance(node.get("$ref"), str)]
    if len(refs) > MAX_REFERENCES:
        return problems + [Text("a form may hold at most %(limit)s references ($ref)", limit=MAX_REFERENCES)]
    resource = DRAFT202012.create_resource(schema)
    registry = Registry().with_resource(resource.id() or "", resource)  # nothing can be retrieved
    targets = {}
    for node, base in refs:
        try:
            targets[id(node)] = registry.resolver(base_uri=base).lookup(node["$ref"]).contents
        except Unresolvable:
            problems.append(_outside_message(node["$ref"]))
    if not problems and (loop := _reference_cycle(refs, targets)):
        problems.append(Text("recursive reference: \"$ref\" %(ref)s leads back to itself; forms cannot be recursive",
                             ref=repr(loop)))
    return problems


def _outside_message(ref: str) -> str:
    if ref.startswith("#"):
        return Text("\"$ref\" %(ref)s points to nothing in this form", ref=repr(ref))
    return Text("\"$ref\" %(ref)s points outside this form: references are never fetched; "
                "copy the definition under \"$defs\" and refer to it as \"#/$defs/…\"", ref=repr(ref))


def _reference_cycle(refs, targets) -> str | None:
    """The $ref of a reference that, followed through the schemas it leads to, reaches itself."""
    by_id = {id(node): node for node, _b in refs}
    leads_to = {key: [id(n) for n, _b in _subschemas(targets[key]) if id(n) in by_id] for key in targets}
    state: dict[int, str] = {}  # "open" while its references are followed, then "done"

    def loops(key: int) -> int | None:  # at most MAX_REFERENCES deep
        state[key] = "open"
        for step in leads_to.get(key, []):
            if state.get(step) == "open":
                return step
            if step not in state and (found := loops(step)) is not None:
                return found
        state[key] = "done"
        return None

    for key in leads_to:
        if key not in state and (found := loops(key)) is not None:
            return by_id[found]["$ref"]
    return None
