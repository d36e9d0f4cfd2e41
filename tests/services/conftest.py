"""The services tests use the storage tests' fixtures: a real database file and a frozen clock."""

from tests.storage.conftest import T0, clock, db, db_path

__all__ = ["T0", "clock", "db", "db_path"]
