"""Run the Alembic migration chain in migrations/ against a database URL."""
from alembic import command
from alembic.config import Config

from .config import ROOT


def alembic_config(url: str) -> Config:
    """Alembic's config for this project, pointed at `url`."""
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database to `revision`."""
    command.upgrade(alembic_config(url), revision)
