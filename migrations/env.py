"""Alembic environment: the URL comes from the caller (app.migrate), the metadata from every module's models (app.modules.load_models)."""
from alembic import context

from app.modules import load_models
from app.db import Base, make_engine

config = context.config
load_models()  # registers every table
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = make_engine(config.attributes["url"])
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
