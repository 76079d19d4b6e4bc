"""Run the Alembic migration chain in migrations/ against a database URL."""
from alembic import command
from alembic.config import Config

from app.config import ROOT


def alembic_config(url: str, audit_key: str | None = None) -> Config:
    """Alembic's config for this project, pointed at `url` (with the audit key, for signing old events)."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    config.attributes["audit_key"] = audit_key
    return config


def upgrade(url: str, revision: str = "head", audit_key: str | None = None) -> None:
    """Migrate the database to `revision`; `audit_key` signs events written before the chain was keyed."""
    command.upgrade(alembic_config(url, audit_key), revision)
