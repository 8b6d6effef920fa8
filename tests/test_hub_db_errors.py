"""The hub tells losing its database (a failover: drop every pooled connection) from the
database being busy (a lock wait, a deadlock, SQLite's busy file: keep the pool, resend),
on real PostgreSQL and a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from scanner_hub.db import database_busy, database_gone
from tests.hub_helpers import postgres_database


def _error(run) -> DBAPIError:  # type: ignore[no-untyped-def]
    with pytest.raises(DBAPIError) as caught:
        run()
    return caught.value


def test_postgres_lock_timeout_is_busy_and_a_killed_backend_is_gone() -> None:
    with postgres_database() as url:
        engine = create_engine(url)
        try:
            with engine.begin() as setup:
                setup.execute(text("CREATE TABLE t (id int PRIMARY KEY, n int)"))
                setup.execute(text("INSERT INTO t VALUES (1, 0)"))
            with engine.connect() as holder:
                holder.begin()
                holder.execute(text("UPDATE t SET n = 1 WHERE id = 1"))

                def wait_for_the_row() -> None:
                    with engine.begin() as other:
                        other.execute(text("SET LOCAL lock_timeout = '50ms'"))
                        other.execute(text("UPDATE t SET n = 2 WHERE id = 1"))

                busy = _error(wait_for_the_row)
                assert database_busy(busy) and not database_gone(busy)
                holder.rollback()

            with engine.connect() as victim, engine.connect() as killer:
                pid = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
                killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                gone = _error(lambda: victim.execute(text("SELECT 1")))
                assert database_gone(gone) and not database_busy(gone)

            with engine.connect() as connection:
                mistake = _error(lambda: connection.execute(text("SELECT * FROM no_such_table")))
                assert not database_gone(mistake) and not database_busy(mistake)
        finally:
            engine.dispose()


def test_sqlite_busy_file_is_busy_not_gone(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'hub.db'}", connect_args={"timeout": 0.05})
    try:
        with engine.begin() as setup:
            setup.execute(text("CREATE TABLE t (n int)"))
        with engine.connect() as holder:
            holder.exec_driver_sql("BEGIN IMMEDIATE")

            def write() -> None:
                with engine.begin() as other:
                    other.execute(text("INSERT INTO t VALUES (1)"))

            busy = _error(write)
            assert database_busy(busy) and not database_gone(busy)
            holder.exec_driver_sql("ROLLBACK")
    finally:
        engine.dispose()
