"""The hub's tables (SQLAlchemy Core) on SQLite or PostgreSQL.

On PostgreSQL `checks` is partitioned by day (RANGE on `day`); a partitioned table's keys
must include the partition column, so idempotency lives in the unpartitioned `check_keys`
table, keyed `(device_id, seq)` with the record's hash: `INSERT ... ON CONFLICT DO NOTHING`
there decides what is new. The same schema distributes by `device_id` with Citus.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from scanner_app.core.record import RECORD, FieldSpec

metadata = MetaData()

devices = Table(
    "devices",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("public_key", Text, nullable=False),
    Column("checkpoint_id", String(128), nullable=False),
    Column("checkpoint_type", String(16), nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("head_seq", BigInteger),
    Column("head_hash", String(64)),
    Column("seal_public_key", String(64)),  # the device's X25519 key: secrets are sealed to it
    Column("last_seen_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_reason", Text),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("checkpoint_id", String(128), nullable=False),
    Column("checkpoint_type", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_by", String(64)),
)

check_keys = Table(
    "check_keys",
    metadata,
    Column("device_id", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("row_hash", String(64), nullable=False),
    Column("day", Date, nullable=False),
    PrimaryKeyConstraint("device_id", "seq"),
)


def _record_column(spec: FieldSpec) -> Column:  # type: ignore[type-arg]
    kind: Any
    if spec.kind is str:
        kind = String(spec.max_length) if spec.max_length and spec.max_length <= 512 else Text()
    elif spec.kind is float:
        kind = Float()
    else:
        wide = spec.maximum is None or spec.maximum > 2**31 - 1
        kind = BigInteger() if wide else Integer()
    return Column(spec.name, kind, nullable=not spec.required)


def check_columns() -> list[Column]:  # type: ignore[type-arg]
    """Fresh Column objects (a Column belongs to one Table): the record contract's fields
    plus what only the hub knows (the partition day and when the record arrived)."""
    return [
        *(_record_column(spec) for spec in RECORD),
        Column("day", Date, nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
        Column("hub_flags", Text),  # what the hub found wrong with an accepted record
    ]


def _checks_table(partitioned: bool) -> Table:
    return Table(
        "checks",
        metadata,
        *check_columns(),
        PrimaryKeyConstraint("device_id", "seq", "day"),
        **({"postgresql_partition_by": "RANGE (day)"} if partitioned else {}),
    )


checks = _checks_table(partitioned=True)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("seq", BigInteger),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("problem", Text, nullable=False),
    Column("record", Text, nullable=False),  # the record as sent, JSON with every non-ASCII escaped
)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("problem", Text, nullable=False),
    Column("stored_hash", String(64)),
    Column("offered_hash", String(64)),
)

events = Table(
    "hub_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("device_id", String(64)),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),
)

bundles = Table(
    "bundles",
    metadata,
    Column("sequence", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("etag", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("demo", Boolean, nullable=False),
)


# -- the district console (scanner_hub/console) ---------------------------------------------

wards = Table(  # a deployment's wards and communes (loaded from console/wards.json)
    "wards",
    metadata,
    Column("ward_id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # ward | commune
    Column("position", Integer, nullable=False),
)

checkpoints = Table(  # which ward a checkpoint belongs to (`enroll --ward`)
    "checkpoints",
    metadata,
    Column("checkpoint_id", String(128), primary_key=True),
    Column("ward_id", String(32)),
    Column("checkpoint_type", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

device_status = Table(  # what each scanner reported of itself with its last signed head request
    "device_status",
    metadata,
    Column("device_id", String(64), primary_key=True),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("queued", Integer),  # as the device reported it, before the cycle's batches
    Column("head_at_report", BigInteger),  # the hub's head for the device then: queued shrinks as seqs arrive
    Column("bundle_sequence", Integer),
    Column("clock_offset_seconds", Float),
    Column("app_version", String(32)),
)

# Rollups maintained at ingest (each new record adds to its rows, in the same transaction):
# pages and reports read these, never the raw checks. `day`/`hour` are local (the hub's zone);
# `checkpoint_id` is the device's enrolled checkpoint; `colour` '' when the record has none.
ROLLUP_KEY = ("day", "checkpoint_id", "decision", "colour")
rollup_daily = Table(
    "rollup_daily",
    metadata,
    Column("day", Date, nullable=False),
    Column("checkpoint_id", String(128), nullable=False),
    Column("decision", String(8), nullable=False),
    Column("colour", String(8), nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("shared", BigInteger, nullable=False),  # records flagged shared code / impossible travel
    PrimaryKeyConstraint(*ROLLUP_KEY),
)
rollup_hourly = Table(
    "rollup_hourly",
    metadata,
    Column("day", Date, nullable=False),
    Column("checkpoint_id", String(128), nullable=False),
    Column("hour", Integer, nullable=False),
    Column("decision", String(8), nullable=False),
    Column("colour", String(8), nullable=False),
    Column("n", BigInteger, nullable=False),
    Column("shared", BigInteger, nullable=False),
    PrimaryKeyConstraint("checkpoint_id", "day", "hour", "decision", "colour"),
)

card_sightings = Table(  # the latest sighting of each card pseudonym (they change daily)
    "card_sightings",
    metadata,
    Column("cert_hash", String(64), primary_key=True),
    Column("checkpoint_id", String(128), nullable=False),
    Column("wall_time", String(40), nullable=False),
    Column("day", Date, nullable=False),
)

travel_flags = Table(  # the same card at two checkpoints too close in time, found at ingest
    "travel_flags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("day", Date, nullable=False),
    Column("cert_hash", String(64), nullable=False),
    Column("checkpoint_a", String(128), nullable=False),
    Column("time_a", String(40), nullable=False),
    Column("checkpoint_b", String(128), nullable=False),
    Column("time_b", String(40), nullable=False),
    Column("minutes", Float, nullable=False),
)

console_users = Table(
    "console_users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(8), nullable=False),  # city | ward
    Column("ward_id", String(32)),  # a ward user's ward; None for the city team
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie: a DB leak is no login
    Column("user_name", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_failures = Table(
    "console_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

audit = Table(
    "console_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user_name", String(64)),
    Column("address", String(64)),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("outcome", String(16), nullable=False),
)


def is_postgres(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


# SQLSTATEs that mean "this server cannot take the write now, another one will": a standby
# (read only), a server shutting down or starting up, a connection that broke (class 08).
_FAILOVER_STATES = {"25006", "57P01", "57P02", "57P03"}


_BUSY_STATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available


def _sqlstate(error: DBAPIError) -> str:
    return getattr(error.orig, "sqlstate", None) or ""


def database_gone(error: BaseException) -> bool:
    """Did this database error come from losing the primary (a failover, a restart, a
    broken connection) rather than from the request? Then the same request succeeds later,
    on a new connection, probably to another member of the cluster."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = _sqlstate(error)
    if state:
        return state in _FAILOVER_STATES or state.startswith("08")
    # no SQLSTATE: the driver could not reach the server at all (psycopg's "connection
    # failed"), unless it is SQLite saying another writer holds the file
    return isinstance(error, OperationalError) and not database_busy(error)


def database_busy(error: BaseException) -> bool:
    """Contention, not loss: a deadlock or serialization failure (PostgreSQL rolled one
    transaction back), a lock wait that timed out, SQLite's busy file. The connections are
    fine; the same request succeeds when it is sent again."""
    if not isinstance(error, DBAPIError):
        return False
    if _sqlstate(error) in _BUSY_STATES:
        return True
    message = str(error.orig).lower()
    return isinstance(error, OperationalError) and ("locked" in message or "busy" in message)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _immediate(connection):  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time, no upgrade deadlocks

        # pysqlite's own transaction handling must stay out of the way of BEGIN IMMEDIATE
        @event.listens_for(engine, "connect")
        def _no_implicit_begin(connection, _record):  # type: ignore[no-untyped-def]
            connection.isolation_level = None
    else:
        # A cluster is named by all its members in one URL (`?host=a:5432&host=b:5432&
        # target_session_attrs=read-write`): each new connection goes to the current
        # primary. pre_ping drops a pooled connection to a server that went away; the hub
        # drops the whole pool when a statement meets a failover (service.py).
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    return engine


def create_schema(engine: Engine) -> None:
    with engine.begin() as connection:
        if is_postgres(connection):
            metadata.create_all(connection)
        else:
            plain = MetaData()
            for table in metadata.sorted_tables:
                if table.name == "checks":
                    Table("checks", plain, *check_columns(), PrimaryKeyConstraint("device_id", "seq"))
                else:
                    table.to_metadata(plain)
            plain.create_all(connection)
        if is_postgres(connection):
            connection.execute(text("CREATE TABLE IF NOT EXISTS checks_default PARTITION OF checks DEFAULT"))
        connection.execute(
            text("CREATE INDEX IF NOT EXISTS checks_day_checkpoint ON checks (day, checkpoint_id)")
        )
        connection.execute(text("CREATE INDEX IF NOT EXISTS travel_flags_day ON travel_flags (day)"))
        connection.execute(
            text("CREATE INDEX IF NOT EXISTS login_failures_at ON console_login_failures (user_name, at)")
        )
        connection.execute(text("CREATE INDEX IF NOT EXISTS card_sightings_day ON card_sightings (day)"))


# Records on days outside the partition window (a clock far off, a scanner offline for
# months) are stored with this day and flagged: they land in the default partition, and a
# real day's partition created later never collides with them.
OUTSIDE_WINDOW_DAY = date(1900, 1, 1)
_PARTITIONS: set[tuple[str, date]] = set()


def ensure_partitions(engine: Engine, days: set[date]) -> None:
    """Create the daily partitions a batch needs (PostgreSQL only), in their own short
    transaction under an advisory lock, before the batch's transaction starts: partition
    DDL must not serialise ingest. Called only after the batch's signature was verified,
    with days already limited to the partition window."""
    if not is_postgres(engine):
        return
    missing = {d for d in days if (str(engine.url), d) not in _PARTITIONS and d != OUTSIDE_WINDOW_DAY}
    if not missing:
        return
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(4242)"))
        for day in sorted(missing):
            name = f"checks_{day:%Y%m%d}"
            connection.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF checks "
                    f"FOR VALUES FROM ('{day.isoformat()}') TO ('{(day + timedelta(days=1)).isoformat()}')"
                )
            )
    _PARTITIONS.update((str(engine.url), d) for d in missing)
