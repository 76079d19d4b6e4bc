"""HTML form posts turned into typed data by the form's JSON Schema."""
from werkzeug.datastructures import MultiDict


def coerce_form(schema: dict, form: MultiDict) -> dict:
    """Typed values for the schema's fields; empty inputs are left out so 'required' can speak."""
    data = {}
    for name, field in schema.get("properties", {}).items():
        if field.get("type") == "array":
            # Checkboxes: every ticked value (an empty list when none is ticked).
            data[name] = [_coerce(field.get("items", {}), raw) for raw in form.getlist(name) if raw != ""]
            continue
        raw = form.get(name, "")
        if raw == "":
            continue
        data[name] = _coerce(field, raw)
    return data


def _coerce(field: dict, raw: str):
    kind = field.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
    except ValueError:
        return raw  # the schema check then says "must be of type …"
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    return raw
