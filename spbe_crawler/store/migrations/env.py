"""Alembic environment of the store: the target is every SQLModel table of ``spbe_crawler.store``.

Run through :mod:`spbe_crawler.store.schema` (``spbe db upgrade``, ``spbe db revision``), which
passes an open connection in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from spbe_crawler.store.schema import metadata, render_item

config = context.config


def _configure(**kwargs) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        target_metadata=metadata(),
        compare_type=True,
        render_item=render_item,
        user_module_prefix="sa.",
        **kwargs,
    )


connection = config.attributes.get("connection")
if context.is_offline_mode():
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as own:
        _configure(connection=own, render_as_batch=own.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
