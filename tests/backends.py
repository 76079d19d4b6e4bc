"""The databases the suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set.

A module of its own, so tests can import it by name: `conftest` is ambiguous once tests/browser
(which has its own conftest.py) is collected in the same run."""
import os

import pytest

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="TEST_DATABASE_URL is not set: PostgreSQL tests skipped"))]
