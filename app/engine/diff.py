"""What changed between two process packages: elements added, removed and changed, by id."""
import math

from lxml import etree

from app.engine.package import SAFE_XML

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Fixed prefixes so field names do not depend on the prefixes a modeller happened to pick.
PREFIXES = {BPMN: "bpmn", SPIFF: "spiffworkflow", XSI: "xsi",
            "http://www.w3.org/XML/1998/namespace": "xml"}
# Wrappers that only group content: their children read better as fields of the element itself.
TRANSPARENT = {"extensionElements", "properties"}
FIELD_NAMES = {(SPIFF, "instructionsForEndUser"): "spiffworkflow:instructionsForEndUser"}
REF_ATTRIBUTES = ("bpmnElement", "dmnElementRef")
MAX_TEXT = 500
MAX_SUMMARY = 120


def diff_packages(old: dict[str, str], new: dict[str, str]) -> dict:
    """Elements added, removed and changed between two packages, by element id."""
    old_trees, old_bad = _parse(old)
    new_trees, new_bad = _parse(new)
    unreadable = old_bad | new_bad
    # A file unreadable on either side is skipped on both, so its elements do not all show as removed.
    old_trees = {n: t for n, t in old_trees.items() if n not in unreadable}
    new_trees = {n: t for n, t in new_trees.items() if n not in unreadable}
    old_index, new_index = _keyed(_elements(old_trees), _elements(new_trees))
    added = [new_index[k] for k in new_index.keys() - old_index.keys()]
    removed = [old_index[k] for k in old_index.keys() - new_index.keys()]
    changed = [c for k in old_index.keys() & new_index.keys() if (c := _changed(old_index[k], new_index[k]))]
    gone = {(e["file"], e["id"]) for e in added + removed}
    return {
        "added": _sorted([_summary(e) for e in added]),
        "removed": _sorted([_summary(e) for e in removed]),
        "changed": _sorted(changed),
        "files": {**_file_changes(old, new), "unreadable": sorted(unreadable)},
        "layout_changed": _layout_changes(old_trees, new_trees, gone),
    }


# --- parsing and indexing -------------------------------------------------------------------

def _is_model_file(name: str) -> bool:
    return name.endswith((".bpmn", ".dmn"))


def _parse(files: dict[str, str]) -> tuple[dict[str, etree._Element], set[str]]:
    trees, unreadable = {}, set()
    for name, text in files.items():
        if not _is_model_file(name):
            continue
        try:
            trees[name] = etree.fromstring(text.encode(), SAFE_XML)
        except (etree.XMLSyntaxError, ValueError, AttributeError):
            unreadable.add(name)
    return trees, unreadable


def _namespace(el) -> str:
    return etree.QName(el).namespace or ""


def _local(el) -> str:
    return etree.QName(el).localname


def _is_di(el) -> bool:
    """Diagram interchange (BPMNDI, DI, DC, DMNDI of any DMN version): layout, not behaviour."""
    namespace = _namespace(el)
    return "omg.org/spec" in namespace and namespace.rstrip("/").rsplit("/", 1)[-1] in ("DI", "DC", "DMNDI")


def _children(el) -> list:
    """Child elements, without comments, processing instructions or unexpanded entity references."""
    return [c for c in el if isinstance(c.tag, str)]


def _elements(trees: dict[str, etree._Element]) -> list[dict]:
    found = []
    for name in sorted(trees):
        seen: set[str] = set()
        _walk(trees[name], name, seen, found)
    return found


def _walk(el, name: str, seen: set[str], found: list[dict]) -> None:
    if _is_di(el):
        return
    el_id = el.get("id")
    # An id repeated inside one file is invalid; the first one wins so the result stays deterministic.
    if el_id and el_id not in seen:
        seen.add(el_id)
        found.append({"id": el_id, "file": name, "el": el})
    for child in _children(el):
        _walk(child, name, seen, found)


def _keyed(old: list[dict], new: list[dict]) -> tuple[dict, dict]:
    """Key by id, or by (file, id) where an id is used in more than one file on either side."""
    files_of: dict[str, list[set]] = {}
    for side, elements in enumerate((old, new)):
        for e in elements:
            files_of.setdefault(e["id"], [set(), set()])[side].add(e["file"])
    shared = {i for i, sides in files_of.items() if any(len(files) > 1 for files in sides)}

    def key(e):
        return (e["file"], e["id"]) if e["id"] in shared else e["id"]
    return {key(e): e for e in old}, {key(e): e for e in new}


# --- element content ------------------------------------------------------------------------

def _attribute_name(el, attribute: str) -> str:
    qname = etree.QName(attribute)
    if not qname.namespace:
        return attribute
    reverse = {uri: prefix for prefix, uri in el.nsmap.items() if prefix}
    prefix = PREFIXES.get(qname.namespace) or reverse.get(qname.namespace)
    return f"{prefix}:{qname.localname}" if prefix else attribute


def _own_text(el) -> str:
    """The element's own text, tails of its children included."""
    # Only the ends are stripped: indentation inside scripts and templates matters.
    parts = [el.text or ""] + [c.tail or "" for c in el]
    return "".join(parts).strip()


# BPMN's default values: modellers write or drop them freely, so they are no change.
DEFAULT_ATTRIBUTES = {
    "cancelActivity": "true", "isInterrupting": "true", "parallelMultiple": "false", "isForCompensation": "false",
    "startQuantity": "1", "completionQuantity": "1", "isSequential": "false", "isClosed": "false",
    "gatewayDirection": "Unspecified", "instantiate": "false", "isImmediate": "true",
    f"{{{XSI}}}type": "bpmn:tFormalExpression",
}


def _is_flow_reference(el) -> bool:
    # Flow changes already show as added/removed sequence flows.
    return _namespace(el) == BPMN and _local(el) in ("incoming", "outgoing")


def _fields(el) -> dict:
    """The element's own content as readable field -> value; children with ids are elements themselves."""
    fields: dict[str, list] = {}
    for attribute, value in el.attrib.items():
        if attribute != "id" and DEFAULT_ATTRIBUTES.get(attribute) != value:
            fields[_attribute_name(el, attribute)] = [value]
    if text := _own_text(el):
        fields["text"] = [text]
    for child in _children(el):
        _collect(child, "", fields)
    return {name: _finish(name, values) for name, values in fields.items()}


def _collect(el, prefix: str, fields: dict[str, list]) -> None:
    if el.get("id") or _is_di(el) or _is_flow_reference(el):
        return
    local = _local(el)
    if _namespace(el) == SPIFF and local == "property" and el.get("name") is not None:
        fields.setdefault(f"{prefix}property {el.get('name')}", []).append(el.get("value"))
        return
    field = prefix + FIELD_NAMES.get((_namespace(el), local), local)
    for attribute, value in el.attrib.items():
        if DEFAULT_ATTRIBUTES.get(attribute) != value:
            fields.setdefault(f"{field} {_attribute_name(el, attribute)}", []).append(value)
    if local in TRANSPARENT:
        field = prefix
    else:
        fields.setdefault(field, []).append(_own_text(el))  # "" still records that the child is there
        field += "/"
    for child in _children(el):
        _collect(child, field, fields)


def _finish(name: str, values: list):
    # Lane membership is a set: order of flowNodeRef does not matter, so compare sorted lists.
    if name.rsplit("/", 1)[-1] == "flowNodeRef":
        return sorted(values)
    return values[0] if len(values) == 1 else values


def _name(e: dict) -> str | None:
    el = e["el"]
    if el.get("name") is not None:
        return _cut(el.get("name"), MAX_TEXT)
    if _local(el) == "rule":
        # DMN rules have no name; their input entries say which case they cover.
        entries = [_entry_text(c) for c in _children(el) if _local(c) == "inputEntry"]
        return _cut(" | ".join(entries), MAX_SUMMARY) if entries else None
    return None


def _entry_text(entry) -> str:
    text = entry.find("{*}text")
    return _own_text(text if text is not None else entry)


def _summary(e: dict) -> dict:
    return {"id": e["id"], "type": _local(e["el"]), "name": _name(e), "file": e["file"]}


def _changed(old: dict, new: dict) -> dict | None:
    before, after = _fields(old["el"]), _fields(new["el"])
    changes = [_change(f, before.get(f), after.get(f)) for f in sorted(before.keys() | after.keys())
               if before.get(f) != after.get(f)]
    if _local(old["el"]) != _local(new["el"]):
        changes.insert(0, _change("type", _local(old["el"]), _local(new["el"])))
    if old["file"] != new["file"]:
        changes.insert(0, _change("file", old["file"], new["file"]))
    return {**_summary(new), "changes": changes} if changes else None


def _change(field: str, before, after) -> dict:
    return {"field": _cut(field, MAX_TEXT), "before": _shorten(before), "after": _shorten(after)}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _shorten(value):
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    return _cut(value, MAX_TEXT) if isinstance(value, str) else value


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda e: (e["file"], e["id"]))


# --- files and layout -----------------------------------------------------------------------

def _file_changes(old: dict[str, str], new: dict[str, str]) -> dict:
    return {"added": sorted(new.keys() - old.keys()),
            "removed": sorted(old.keys() - new.keys()),
            "changed": sorted(n for n in old.keys() & new.keys() if old[n] != new[n])}


def _layout_changes(old_trees: dict, new_trees: dict, gone: set) -> list[str]:
    before, after = _layout(old_trees), _layout(new_trees)
    moved = []
    for key in sorted(before.keys() | after.keys()):
        if before.get(key) == after.get(key):
            continue
        # A shape that comes or goes with its element is part of that addition or removal.
        if (key not in before or key not in after) and key in gone:
            continue
        moved.append(key)
    return list(dict.fromkeys(ref for _, ref in moved))


def _layout(trees: dict) -> dict[tuple[str, str], list]:
    """(file, referenced element id) -> geometry of every shape or edge drawing it."""
    layout: dict[tuple[str, str], list] = {}
    for name, tree in trees.items():
        for el in tree.iter("{*}*"):
            ref = next((el.get(a) for a in REF_ATTRIBUTES if el.get(a)), None)
            if ref and _is_di(el):
                layout.setdefault((name, ref), []).append(_geometry(el))
    return layout


def _geometry(el) -> list:
    """Bounds and waypoints of a shape or edge (its label's too), not of shapes nested in it."""
    found = []
    for child in _children(el):
        if any(child.get(a) for a in REF_ATTRIBUTES):
            continue
        if _local(child) in ("Bounds", "waypoint"):
            found.append((_local(child), tuple(_number(child.get(a)) for a in ("x", "y", "width", "height"))))
        else:
            found += _geometry(child)
    return found


def _number(value: str | None):
    # "120" and "120.0" are the same position; NaN would never equal itself, so it stays text.
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return number if math.isfinite(number) else value
