"""The services tests use the storage tests' fixtures: a real database on each engine and a
frozen clock."""

from tests.storage.conftest import T0, clock, db, db_path, db_target, engine

__all__ = ["T0", "clock", "db", "db_path", "db_target", "engine"]
