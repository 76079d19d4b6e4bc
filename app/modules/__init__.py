"""The domain modules: each holds its models, operations, diagram helpers, pages, API and templates.

A module exports what the application wires once, in create_app: its diagram helpers (`helpers.HELPERS`)
and its blueprints (`pages.bp`, `api.bp`)."""
from importlib import import_module

# Modules whose diagram functions diagrams may call, besides the shared ones of app.workflow.helpers.
HELPER_MODULES = ("needs", "decision", "disclosure", "delivery", "evaluation", "timebank")
# The page and API blueprints (`bp` of each), in the order they are registered.
PAGES = ("accounts.pages", "home.pages", "tasks.pages", "needs.pages", "instances.pages", "notifications.pages",
         "needs.public_pages", "disclosure.pages", "delivery.pages", "timebank.pages", "lists.pages", "admin.pages",
         "designer.pages", "incidents.pages", "audit.pages", "monitoring.pages")
APIS = ("accounts.api", "needs.api", "tasks.api", "instances.api", "designer.api", "notifications.api",
        "disclosure.api", "delivery.api", "timebank.api", "lists.api", "admin.api", "incidents.api", "monitoring.api")
MODEL_MODULES = ("audit", "notifications", "decision", "disclosure", "delivery", "evaluation", "lists", "timebank")


def diagram_helpers() -> dict:
    """Every function a diagram may call, by name."""
    # Here, not at the top, on purpose: every app.modules.<domain> import runs this __init__ first.
    from app.workflow import helpers as shared
    registry = dict(shared.HELPERS)
    for name in HELPER_MODULES:
        registry.update(import_module(f"app.modules.{name}.helpers").HELPERS)
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
