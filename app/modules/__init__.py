"""The domain modules: each holds its models, operations, diagram helpers, pages, API and templates.

A module exports what the application wires once, in create_app: its diagram helpers (`helpers.HELPERS`)
and its blueprints (`pages.bp`, `api.bp`)."""
from importlib import import_module

# Modules whose diagram functions diagrams may call, besides the shared ones of app.workflow.helpers.
HELPER_MODULES = ("needs", "decision", "disclosure", "delivery", "evaluation", "timebank", "workdays", "filing",
                  "wishes", "departments", "lines")
# The page and API blueprints (`bp` of each), in the order they are registered.
PAGES = ("accounts.pages", "home.pages", "tasks.pages", "needs.pages", "instances.pages", "notifications.pages",
         "needs.public_pages", "disclosure.pages", "delivery.pages", "decision.pages", "timebank.pages", "lists.pages",
         "admin.pages", "designer.pages", "incidents.pages", "audit.pages", "monitoring.pages", "workdays.pages",
         "filing.pages", "duty.pages", "departments.pages", "evaluation.pages", "lines.pages")
APIS = ("accounts.api", "needs.api", "tasks.api", "instances.api", "designer.api", "notifications.api",
        "disclosure.api", "delivery.api", "decision.api", "timebank.api", "lists.api", "admin.api", "incidents.api",
        "monitoring.api", "workdays.api", "duty.api", "departments.api", "evaluation.api", "lines.api")
# Modules that read diagram element ids by name (their `RELIED_ON`: process id → element id → what reads it).
RELYING_MODULES = ("needs.operations", "monitoring.operations", "lines.operations")
MODEL_MODULES = ("decision", "disclosure", "delivery", "evaluation", "lists", "timebank", "workdays", "filing",
                 "duty", "lines")


def diagram_helpers() -> dict:
    """Every function a diagram may call, by name."""
    # Here, not at the top, on purpose: every app.modules.<domain> import runs this __init__ first.
    from app.workflow import helpers as shared
    registry = dict(shared.HELPERS)
    for name in HELPER_MODULES:
        registry.update(import_module(f"app.modules.{name}.helpers").HELPERS)
    return registry


# Modules whose operations start processes themselves (their STARTED_BY declarations).
STARTING_MODULES = ("needs", "disclosure", "timebank")


def started_by_operations() -> dict[str, str]:
    """Process id -> the request that starts it, for processes only their own operations start."""
    from app.workflow.timers import STARTED_BY as by_timers
    entries = dict(by_timers)
    for name in STARTING_MODULES:
        entries.update(import_module(f"app.modules.{name}.operations").STARTED_BY)
    return entries


def relied_on_elements() -> dict[str, dict[str, list[str]]]:
    """Process id → element id → what reads it by that id: a version without one of them is not deployed."""
    registry: dict[str, dict[str, list[str]]] = {}
    for name in RELYING_MODULES:
        for process, elements in import_module(f"app.modules.{name}").RELIED_ON.items():
            for element, who in elements.items():
                registry.setdefault(process, {}).setdefault(element, []).append(who)
    return registry


def load_models() -> None:
    """Import every model, so the metadata knows every table (Alembic, create_all)."""
    # Here, not at the top, on purpose: every app.modules.<domain> import runs this __init__ first.
    import app.people.models, app.people.org, app.workflow.models  # noqa: F401, E401
    for name in MODEL_MODULES:
        import_module(f"app.modules.{name}.models")


def blueprints(names: tuple[str, ...]) -> list:
    """The blueprints of the named modules (`needs.pages` → app.modules.needs.pages.bp)."""
    return [import_module(f"app.modules.{name}").bp for name in names]
