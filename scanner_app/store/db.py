"""Opening the database: pragmas on every connection, a backup before migrating, an
integrity check at start, and errors split into "the environment's fault" (disk full,
read-only, corrupt) and bugs."""

from __future__ import annotations

import logging
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from scanner_app.core.record import StoreProblem
from scanner_app.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)
DB_NAME = "checks.db"


# SQLite's primary result codes (the low byte of an extended code), https://sqlite.org/rescode.html
_PROBLEMS = {
    sqlite3.SQLITE_FULL: StoreProblem.DISK_FULL,
    sqlite3.SQLITE_READONLY: StoreProblem.READ_ONLY,
    sqlite3.SQLITE_CANTOPEN: StoreProblem.READ_ONLY,
    sqlite3.SQLITE_IOERR: StoreProblem.IO_ERROR,
}
_DAMAGE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class StoreUnavailable(OSError):
    """The medium will not take writes (full or read-only): scanning must pause."""

    def __init__(self, problem: StoreProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem


class StoreCorrupt(Exception):
    """The database failed its integrity check and was moved aside (never deleted)."""

    def __init__(self, moved_to: Path, detail: str) -> None:
        super().__init__(f"the check log was damaged ({detail}); it was moved to {moved_to}")
        self.moved_to = moved_to


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def environment_error(exc: sqlite3.Error) -> StoreUnavailable | None:
    """The environment's fault (disk full, read-only, I/O), told by SQLite's result code."""
    code = _primary_code(exc)
    problem = _PROBLEMS.get(code) if code is not None else None
    return StoreUnavailable(problem, str(exc)) if problem is not None else None


def is_damage(exc: sqlite3.Error) -> bool:
    return _primary_code(exc) in _DAMAGE


def connect(path: Path, *, read_only: bool = False) -> sqlite_utils.Database:
    """sqlite-utils never sets `synchronous` (its enable_wal only sets the journal mode), so
    every connection sets both here."""
    if read_only:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        connection = sqlite3.connect(path, check_same_thread=False)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA busy_timeout = 5000")
    if not read_only:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
    return db


def _move_aside(path: Path, detail: str) -> StoreCorrupt:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(path) + suffix)
        if source.exists():
            shutil.move(source, Path(str(target) + suffix))
    log.error("check log failed its integrity check (%s); moved to %s", detail, target)
    return StoreCorrupt(target, detail)


def open_store_db(data_dir: Path) -> sqlite_utils.Database:
    """Open (creating or migrating) the check log. Raises StoreCorrupt after moving a damaged
    file aside (the caller then opens a fresh one), StoreUnavailable for full or read-only
    media."""
    path = data_dir / DB_NAME
    existed = path.exists()
    try:
        db = connect(path)
        if existed:
            result = db.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                db.conn.close()
                raise _move_aside(path, result)
        pending = MIGRATIONS.pending(db)
        if pending and existed and db.table_names():
            _backup_before_migrating(db, path, [m.name for m in pending])
        MIGRATIONS.apply(db)
        return db
    except sqlite3.DatabaseError as exc:
        problem = environment_error(exc)
        if problem is not None:
            raise problem from exc
        if is_damage(exc):
            raise _move_aside(path, str(exc)) from exc
        raise


def _backup_before_migrating(db: sqlite_utils.Database, path: Path, names: list[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.stem}.before-{names[0]}-{stamp}.db")
    target = sqlite3.connect(backup)
    try:
        db.conn.backup(target)
    finally:
        target.close()
    log.info("backed up %s to %s before migrations %s", path.name, backup.name, ", ".join(names))
    return backup
