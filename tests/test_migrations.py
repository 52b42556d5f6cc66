"""The Alembic migrations build exactly the schema the models describe, and downgrade to nothing, on SQLite and
(when TEST_DATABASE_URL is set) on PostgreSQL."""

from __future__ import annotations

import uuid
import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import BASE_CONFIG, TEST_DATABASE_URL


def migrate_and_compare(url: str) -> None:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
                with warnings.catch_warnings():
                    # The indexes on an expression (我的待办's order) are not reflected, so not compared either.
                    warnings.filterwarnings(
                        "ignore", r".*expression-based index ix_cases_(status_|owner_|reviewing_)?queue_order"
                    )
                    diff = compare_metadata(context, db.metadata)
            assert diff == [], "models and migrations disagree:\n" + "\n".join(map(str, diff))
            tables = set(sa.inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables

            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_sqlite_migrations_match_the_models_and_downgrade(tmp_path):
    migrate_and_compare(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")


@pytest.fixture
def fresh_postgres_database():
    """An empty database of its own on the TEST_DATABASE_URL server, dropped afterwards."""
    if not TEST_DATABASE_URL or not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    server = sa.make_url(TEST_DATABASE_URL)
    name = f"portal_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_migrations_match_the_models_and_downgrade(fresh_postgres_database):
    migrate_and_compare(fresh_postgres_database)
