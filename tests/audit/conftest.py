"""The audit tests' app keeps its anchor file, archives and archive key in a folder of the test session, emptied
before each test; and, on PostgreSQL, ``append_only`` installs the migration's trigger for one test."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.extensions import db
from tests.conftest import BASE_CONFIG, is_postgres

MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("*_a7c3e9d1f4b2_*.py"))


@pytest.fixture(scope="session")
def audit_files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("audit")


@pytest.fixture
def app_config(database_url, audit_files) -> dict:
    return {
        **BASE_CONFIG,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "AUDIT_ANCHOR_PATH": str(audit_files / "anchor.jsonl"),
        "AUDIT_ARCHIVE_DIR": str(audit_files / "archive"),
        "AUDIT_ARCHIVE_KEY": "test-archive-key",
    }


@pytest.fixture(autouse=True)
def _fresh_audit_files(audit_files):
    shutil.rmtree(audit_files)
    audit_files.mkdir()


def migration():
    spec = importlib.util.spec_from_file_location("audit_chain_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def append_only(ctx, database_url):
    """The trigger exactly as the migration installs it (the suite's schema comes from create_all). Changing
    triggers waits for every transaction on the table: the test's own session lets go first."""
    if not is_postgres(database_url):
        pytest.skip("the append-only trigger is PostgreSQL's")
    module = migration()
    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(text(module.REMOVE_TRIGGER))  # a killed run may have left the function behind
        connection.execute(text(module.INSTALL_TRIGGER))
    yield
    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(text(module.REMOVE_TRIGGER))
