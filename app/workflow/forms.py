"""Task forms: validate a submission against its JSON Schema, and pre-fill from process data."""
import copy
import math

from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError

from app.engine import ProcessBundle
from app.engine.form_schema import form_errors, schema_problems
from app.engine.package import form_shape_problems
from app.engine.text import Text
from app.errors import Invalid

_FORMAT_CHECKER = FormatChecker()


def form_pair(bundle: ProcessBundle, schema_file: str | None, ui_file: str | None) -> dict:
    """{schema, ui_schema} of a task; an empty object schema when the task has no form."""
    schema = bundle.form(schema_file) or {"type": "object", "properties": {}, "additionalProperties": False}
    return {"schema": schema, "ui_schema": bundle.form(ui_file) or {}}


def task_form(bundle: ProcessBundle, task) -> dict:
    """A task's form, with select options that the UI schema draws from process data filled in."""
    return with_sourced_options(form_pair(bundle, task.form, task.ui_form), task.data)


def preview_form(schema, ui_schema) -> dict:
    """A form as a task would show it, for the designer's preview; options from data are shown as samples."""
    if not isinstance(schema, dict) or not isinstance(ui_schema, dict):
        raise Invalid("the schema and the UI schema must each be a JSON object")
    if problems := schema_problems(schema) or form_shape_problems(schema, ui_schema):
        first = problems[0]
        raise Invalid(first.msgid, params=first.params) if isinstance(first, Text) else Invalid(first)
    sources = {spec["ui:optionsFrom"] for spec in ui_schema.values()
               if isinstance(spec, dict) and isinstance(spec.get("ui:optionsFrom"), str)}
    samples = {str(s): [{"const": "sample", "title": f"（{s}）"}] for s in sources}
    return with_sourced_options({"schema": schema, "ui_schema": ui_schema}, samples)


def with_sourced_options(form: dict, data: dict) -> dict:
    """The form with the options of `ui:optionsFrom` fields taken from process data."""
    sourced = {f: spec["ui:optionsFrom"] for f, spec in form["ui_schema"].items()
               if isinstance(spec, dict) and "ui:optionsFrom" in spec}
    if not sourced:
        return form
    schema = copy.deepcopy(form["schema"])
    for name, variable in sourced.items():
        options = [o for o in data.get(variable) or [] if isinstance(o, dict) and "const" in o]
        if name in schema.get("properties", {}):
            field = schema["properties"][name]
            if field.get("type") == "array":  # several may be chosen: the options constrain the items
                field = field.setdefault("items", {"type": "string"})
            field["oneOf" if options else "enum"] = options or []
    return {"schema": schema, "ui_schema": form["ui_schema"]}


def field_labels(bundle: ProcessBundle) -> dict[str, dict]:
    """For every field of the version's forms: its title and the titles of its values."""
    labels: dict[str, dict] = {}
    for name, form in bundle.forms.items():
        if not name.endswith("-schema.json"):
            continue
        for field, spec in form.get("properties", {}).items():
            entry = labels.setdefault(field, {"title": spec.get("title", field), "values": {}})
            items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
            for choice in spec.get("oneOf", []) + spec.get("anyOf", []) + items.get("oneOf", []) + items.get("anyOf", []):
                if isinstance(choice, dict) and "const" in choice:
                    entry["values"][_value_key(choice["const"])] = choice.get("title", str(choice["const"]))
    return labels


def _value_key(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def prefill(form: dict, data: dict) -> dict:
    """Field values already known: same-named process data, then the UI schema's ui:prefill map."""
    fields = form["schema"].get("properties", {})
    values = {name: data[name] for name in fields if name in data}
    for name, source in form["ui_schema"].get("ui:prefill", {}).items():
        if name in fields and name not in values and source in data:
            values[name] = data[source]
    return values


def with_readonly_values(form: dict, task_data: dict, data):
    """Fields marked ui:readonly keep the process's value (e.g. members on record); changing one is refused."""
    fixed = [n for n, spec in form["ui_schema"].items() if isinstance(spec, dict) and spec.get("ui:readonly")]
    if not fixed or not isinstance(data, dict):
        return data
    known = prefill(form, task_data)
    changed = {n: "read-only" for n in fixed if n in data and n in known and data[n] != known[n]}
    if changed:
        raise Invalid("some fields cannot be changed", changed)
    return data | {n: known[n] for n in fixed if n in known}


def validate_submission(schema: dict, data) -> dict:
    """The submission if it is valid; else Invalid with a message per field (unknown keys refused)."""
    if not isinstance(data, dict):
        raise Invalid("the submission must be a JSON object", {"data": "must be an object"})
    allowed = schema.get("properties", {})
    fields = {key: "unknown field" for key in data if key not in allowed}
    fields |= {key: "invalid value" for key, value in data.items() if key in allowed and not storable(value)}
    for error in form_errors(schema, data, _FORMAT_CHECKER):
        if (error.validator == "additionalProperties" and not error.absolute_path) or _field_of(error) in fields:
            continue  # already named field by field (unknown keys inside a field are that field's error)
        name = _field_of(error)
        if name not in fields:
            fields[name] = _message(error)
    if fields:
        raise Invalid("some fields need correcting", fields)
    return dict(data)


def storable(value) -> bool:
    """Finite numbers and text that encodes (no NaN/Infinity, no lone surrogates), all the way down."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return "\x00" not in value
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True


def _field_of(error: ValidationError) -> str:
    if error.validator == "required":
        return error.message.split("'")[1]
    return str(error.absolute_path[0]) if error.absolute_path else "data"


def _message(error: ValidationError) -> str:
    """A short, parameter-free message, so pages can translate it."""
    return {
        "required": "required", "enum": "choose one of the offered options",
        "oneOf": "choose one of the offered options", "const": "choose one of the offered options",
        "maxLength": "too long", "minLength": "required" if error.validator_value == 1 else "too short",
        "minimum": "out of range", "maximum": "out of range", "type": "wrong type", "format": "invalid format",
    }.get(error.validator, "invalid value")
